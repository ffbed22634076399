#!/usr/bin/env python3
"""Checks deploy/logging/vector.toml against the logs the real server writes.

* The TOML parses, every transform/sink input names a defined component, the remap program
  deletes `prompt` and `completion`, masks `client_address`, and ends in a field allowlist that
  holds no sensitive field.
* The real `dsinfer serve --log-prompts` is run with an API key and a chat request: its log
  really carries prompt/completion (so the check exercises them), and the pipeline's field
  handling (deletes + allowlist, read from the VRL) ships request_id, status, token counts and
  timings but no prompt, completion or key material.
* With `vector` installed, `vector validate --no-environment` must pass as well.
Usage: logging_check.py DSINFER_BINARY
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsinfer_live  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONFIG = os.path.join(ROOT, "deploy", "logging", "vector.toml")
SENSITIVE = re.compile(r"^(prompt|completion|messages|authorization|api_key|key|content)$")
MUST_SHIP = ["request_id", "endpoint", "status", "api_key_id", "prompt_tokens", "completion_tokens",
             "ttft_ms", "generation_time_ms", "tokens_per_s", "finish_reason", "client_address"]
errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL: " + msg)


def main():
    cfg = tomllib.load(open(CONFIG, "rb"))
    components = {}
    for section in ("sources", "transforms", "sinks"):
        for name, c in cfg.get(section, {}).items():
            if "type" not in c:
                fail("%s.%s has no type" % (section, name))
            components[name] = section
            for i in c.get("inputs", []):
                if i not in components and i not in cfg.get("sources", {}) and i not in cfg.get("transforms", {}):
                    fail("%s.%s: input %s is not defined" % (section, name, i))
    if not cfg.get("sinks"):
        fail("no sinks")
    remaps = [c for c in cfg.get("transforms", {}).values() if c.get("type") == "remap"]
    if len(remaps) != 1:
        return fail("want exactly one remap transform") or 1
    vrl = remaps[0]["source"]
    deleted = set(re.findall(r"\bdel\(\.(\w+)\)", vrl))
    for f in ("prompt", "completion"):
        if f not in deleted:
            fail("VRL does not del(.%s)" % f)
    if ".client_address = " not in vrl or "ip_subnet(" not in vrl:
        fail("VRL does not mask client_address")
    m = re.search(r"allowed\s*=\s*\[(.*?)\]", vrl, re.S)
    if not m or "filter(.)" not in vrl:
        return fail("VRL has no field allowlist applied with filter(.)") or 1
    allowed = set(re.findall(r'"(\w+)"', m.group(1)))
    for f in allowed:
        if SENSITIVE.match(f):
            fail("allowlist ships sensitive field %s" % f)

    binary = sys.argv[1]
    with dsinfer_live.Server(binary, extra_args=["--log-prompts", "--api-keys", "sk-deploy-test"]) as s:
        body = json.dumps({"messages": [{"role": "user", "content": "top secret"}], "max_tokens": 4}).encode()
        req = urllib.request.Request("http://127.0.0.1:%d/v1/chat/completions" % s.port, data=body,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer sk-deploy-test"})
        urllib.request.urlopen(req, timeout=30).read()
        s.stop()
        lines = [json.loads(l) for l in s.logs().splitlines() if l.startswith("{")]
    chat = [l for l in lines if l.get("event") == "request" and l.get("endpoint") == "chat_completions"]
    if not chat:
        return fail("no chat_completions request log line") or 1
    raw = chat[0]
    if "prompt" not in raw or "completion" not in raw:
        fail("--log-prompts log line lacks prompt/completion; the check would prove nothing")
    shipped = {k: v for k, v in raw.items() if k not in deleted and k in allowed}
    for f in MUST_SHIP:
        if f not in shipped:
            fail("field %s of the request log is not shipped" % f)
    text = json.dumps(shipped)
    if "top secret" in text or "sk-deploy-test" in text:
        fail("shipped event leaks the prompt or the key: " + text)
    unknown = sorted({k for l in lines for k in l} - allowed - deleted)
    if unknown:
        print("note: fields dropped by the allowlist (review vector.toml): %s" % ", ".join(unknown))

    vector = shutil.which("vector")
    if vector:
        out = subprocess.run([vector, "validate", "--no-environment", CONFIG], capture_output=True, text=True)
        if out.returncode != 0:
            fail("vector validate:\n" + out.stdout + out.stderr)
    else:
        print("note: vector not installed; VRL not compiled (structure and fields checked)")
    print("logging_check: %s" % ("FAILED" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
