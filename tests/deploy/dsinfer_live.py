"""Starts the real `dsinfer serve` (built-in demo model) on an ephemeral loopback port for the
deployment checks, and stops it. Shared by k8s_check.py and metrics_check.py."""
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


class Server:
    def __init__(self, binary, extra_args=(), config=None):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.config = config
        self.proc = None
        self.port = None
        self.tmp = tempfile.TemporaryDirectory(prefix="dsinfer-deploy-")

    def __enter__(self):
        port_file = os.path.join(self.tmp.name, "port")
        args = [self.binary, "serve"]
        if self.config:
            args += ["--config", self.config]
        # Flags win over the config file: loopback, ephemeral port, small KV cache, private cache.
        args += ["--host", "127.0.0.1", "--port", "0", "--port-file", port_file,
                 "--model-cache-dir", os.path.join(self.tmp.name, "cache"),
                 "--kv-cache-memory", "64MiB", "--threads", "1"] + self.extra_args
        env = {k: v for k, v in os.environ.items() if not k.startswith("DSINFER_")}
        self.log = open(os.path.join(self.tmp.name, "server.log"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dsinfer serve exited %s:\n%s" % (self.proc.returncode, self.logs()))
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.port = int(open(port_file).read().strip())
                status, _ = self.get("/readyz")
                if status == 200:
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("dsinfer serve not ready within 120 s:\n" + self.logs())

    def __exit__(self, *exc):
        self.stop()
        self.tmp.cleanup()

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def get(self, path, headers=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except (urllib.error.URLError, ConnectionError):
            return None, ""

    def metric_names(self):
        """Metric family names from /metrics (# TYPE lines)."""
        status, text = self.get("/metrics")
        if status != 200:
            raise RuntimeError("/metrics answered %s" % status)
        return set(re.findall(r"^# TYPE (\S+) \S+$", text, re.M))

    def stop(self, timeout=60):
        """SIGTERM (the drain path); returns (exit code, seconds taken)."""
        if self.proc is None or self.proc.poll() is not None:
            return (self.proc.returncode if self.proc else None), 0.0
        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        return rc, time.time() - t0


def serve_defaults(binary):
    """{flag: default} from `dsinfer serve --help` (e.g. {'port': '8080', 'drain-timeout': '30'})."""
    out = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, check=True).stdout
    flags, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^\s+(?:-\w,)?--([\w-]+)", line)
        if m:
            name = m.group(1)
            flags[name] = None
        if name:
            d = re.search(r"\[default: ([^\]]*)\]", line)
            if d:
                flags[name] = d.group(1)
    return flags


def metric_families(names):
    """Adds the sample names histograms/summaries export (_bucket, _sum, _count)."""
    out = set(names)
    for n in names:
        out |= {n + "_bucket", n + "_sum", n + "_count"}
    return out
