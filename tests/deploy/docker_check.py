#!/usr/bin/env python3
"""Static checks of deploy/Dockerfile and deploy/Dockerfile.cuda (Docker cannot run here).

Each Dockerfile must: have a Debian 12 build stage that runs deploy/build.sh, a debian:12-slim
runtime stage that copies only the binary, run as a non-root USER, EXPOSE the server's default
port, HEALTHCHECK /healthz on it, set no DSINFER_* ENV that would shadow a --config file, and ENTRYPOINT `dsinfer serve --host 0.0.0.0`. The runtime stage's
apt-get list must hold the Debian package of every shared library the real binary links
(`ldd` + `dpkg -S`), except those in the base image. .dockerignore must keep build/ and
node_modules/ out of the context.
Usage: docker_check.py DSINFER_BINARY   (exit 77 when ldd or dpkg is missing)
"""
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsinfer_live  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}  # in debian:12-slim already
errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL: " + msg)


def runtime_packages(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    pkgs = {}
    for lib, path in re.findall(r"^\s*(\S+) => (\S+)", out, re.M):
        if re.match(r"lib(a|ub|l|t)san", lib):
            continue  # sanitizer builds (asan preset); the image is built from the release preset
        real = os.path.realpath(path)
        owner = None
        for candidate in (path, real, re.sub(r"^/lib/", "/usr/lib/", path), re.sub(r"^/usr/lib/", "/lib/", path)):
            r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if r.returncode == 0:
                owner = r.stdout.split(":")[0].strip()
                break
        if owner is None:
            fail("no Debian package owns %s (%s)" % (lib, path))
        else:
            pkgs[lib] = owner
    return pkgs


def stages(text):
    text = re.sub(r"\\\n", " ", text)  # join continuation lines
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    out, cur = [], None
    for l in lines:
        if l.upper().startswith("FROM "):
            cur = {"from": l.split()[1], "name": l.split()[3] if len(l.split()) > 3 else None, "lines": []}
            out.append(cur)
        elif cur is not None:
            cur["lines"].append(l)
    return out


def check(path, needed, port):
    name = os.path.basename(path)
    st = stages(open(path).read())
    if len(st) < 2:
        return fail("%s: want a multi-stage build" % name)
    build, runtime = st[0], st[-1]
    if not build["from"].startswith("debian:12"):
        fail("%s: build stage is %s, want debian:12" % (name, build["from"]))
    if not any("deploy/build.sh" in l for l in build["lines"] if l.upper().startswith("RUN")):
        fail("%s: build stage does not RUN deploy/build.sh" % name)
    if runtime["from"] != "debian:12-slim":
        fail("%s: runtime stage is %s, want debian:12-slim" % (name, runtime["from"]))
    rl = runtime["lines"]
    copies = [l for l in rl if l.upper().startswith("COPY")]
    if not any("--from=build" in l and "/bin/dsinfer" in l for l in copies):
        fail("%s: runtime stage does not copy the built binary" % name)
    for l in copies:
        if "--from=" not in l:
            fail("%s: runtime stage copies from the context: %s" % (name, l))
    apt = " ".join(l for l in rl if "apt-get install" in l)
    for lib, pkg in sorted(needed.items()):
        if pkg not in BASE_IMAGE_PACKAGES and not re.search(r"(^|\s)%s(\s|$)" % re.escape(pkg), apt):
            fail("%s: runtime stage lacks package %s (for %s)" % (name, pkg, lib))
    users = [l.split()[1] for l in rl if l.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        fail("%s: runtime stage must end with a non-root USER" % name)
    if not any(l.upper().startswith("EXPOSE") and str(port) in l.split()[1:] for l in rl):
        fail("%s: EXPOSE %s missing" % (name, port))
    if not any(l.upper().startswith("HEALTHCHECK") and ":%s/healthz" % port in l for l in rl):
        fail("%s: HEALTHCHECK on :%s/healthz missing" % (name, port))
    # DSINFER_* variables override --config files: the image must not pin settings the k8s
    # ConfigMap sets (port, drain_timeout, ...); only the cache directory is allowed.
    for l in rl:
        if l.upper().startswith("ENV"):
            for var in re.findall(r"\b(DSINFER_\w+)=", l):
                if var != "DSINFER_MODEL_CACHE_DIR":
                    fail("%s: ENV %s would override the --config file" % (name, var))
    ep = [l for l in rl if l.upper().startswith("ENTRYPOINT")]
    if not ep or not re.search(r'"dsinfer",\s*"serve",\s*"--host",\s*"0\.0\.0\.0"', ep[-1]):
        fail("%s: ENTRYPOINT must run dsinfer serve --host 0.0.0.0" % name)
    if not any(l.upper().startswith("ARG MODEL") for s in st for l in s["lines"]):
        fail("%s: no build argument to bake a model in" % name)
    if not any(l.upper().startswith("VOLUME") and "/models" in l for l in rl):
        fail("%s: /models volume missing" % name)


def main():
    if not shutil.which("ldd") or not shutil.which("dpkg"):
        print("SKIP: ldd or dpkg is not installed")
        return 77
    binary = sys.argv[1]
    needed = runtime_packages(binary)
    print("runtime packages of %s: %s" % (os.path.basename(binary), ", ".join(sorted(set(needed.values())))))
    port = dsinfer_live.serve_defaults(binary)["port"]
    for f in ("Dockerfile", "Dockerfile.cuda"):
        check(os.path.join(ROOT, "deploy", f), needed, port)
    ignore = open(os.path.join(ROOT, ".dockerignore")).read().split()
    for entry in ("build/", "node_modules/", ".git"):
        if entry not in ignore:
            fail(".dockerignore lacks %s" % entry)
    print("docker_check: %s" % ("FAILED" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
