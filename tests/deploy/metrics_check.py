#!/usr/bin/env python3
"""Checks that the monitoring configs only use metrics `dsinfer serve` really exports.

Starts the real server (built-in demo model), reads the metric families and their types from
/metrics, then checks:
  * deploy/grafana/dsinfer-dashboard.json parses, has unique panel ids, every panel has queries,
    and every dsinfer_* name in a query is an exported family (a _bucket only of a histogram,
    _sum/_count only of a histogram or summary); with promtool, every query (Grafana variables
    replaced) is valid PromQL;
  * deploy/prometheus/rules.yml only uses exported dsinfer_* names, and every dsinfer:* recording
    rule it or the dashboard references is defined.
Usage: metrics_check.py DSINFER_BINARY
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsinfer_live  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL: " + msg)


def exported_types(server):
    status, text = server.get("/metrics")
    if status != 200:
        raise RuntimeError("/metrics answered %s" % status)
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))


def check_names(expr, types, where):
    for name in set(re.findall(r"\bdsinfer_[a-zA-Z0-9_]+", expr)):
        if name in types:
            continue
        for suffix, kinds in (("_bucket", ("histogram",)), ("_sum", ("histogram", "summary")),
                              ("_count", ("histogram", "summary"))):
            if name.endswith(suffix) and types.get(name[:-len(suffix)]) in kinds:
                break
        else:
            fail("%s: %s is not exported by dsinfer serve" % (where, name))


def grafana_exprs(dash):
    ids, exprs = set(), []
    def walk(panels):
        for p in panels:
            if p.get("id") in ids:
                fail("grafana: duplicate panel id %s" % p.get("id"))
            ids.add(p.get("id"))
            if p.get("type") == "row":
                walk(p.get("panels", []))
                continue
            for k in ("title", "type", "gridPos", "targets"):
                if k not in p:
                    fail("grafana: panel %s lacks %s" % (p.get("id"), k))
            if not p.get("targets"):
                fail("grafana: panel '%s' has no queries" % p.get("title"))
            for t in p.get("targets", []):
                exprs.append((p.get("title"), t.get("expr", "")))
    walk(dash.get("panels", []))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v["query"]
            exprs.append(("variable " + v["name"], q if isinstance(q, str) else q.get("query", "")))
    return exprs


def promql_valid(exprs):
    promtool = shutil.which("promtool")
    if not promtool:
        print("note: promtool not installed; PromQL syntax of the dashboard not checked")
        return
    rules = []
    for i, (title, e) in enumerate(exprs):
        if e.startswith("label_values("):
            continue  # a Grafana function, not PromQL
        e = e.replace("$__rate_interval", "5m").replace("$job", ".*").replace("$instance", ".*")
        rules.append({"record": "dashboard:query_%d" % i, "expr": e})
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
    out = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True)
    os.unlink(f.name)
    if out.returncode != 0:
        fail("grafana: invalid PromQL:\n" + out.stdout + out.stderr)


def main():
    with dsinfer_live.Server(sys.argv[1]) as s:
        types = exported_types(s)
    print("exported families: %d" % len(types))

    dash = json.load(open(os.path.join(ROOT, "deploy", "grafana", "dsinfer-dashboard.json")))
    for k in ("title", "uid", "panels", "schemaVersion"):
        if k not in dash:
            fail("grafana: dashboard lacks %s" % k)
    exprs = grafana_exprs(dash)
    for title, e in exprs:
        check_names(e, types, "grafana '%s'" % title)
    promql_valid(exprs)

    rules = yaml.safe_load(open(os.path.join(ROOT, "deploy", "prometheus", "rules.yml")))
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    for g in rules["groups"]:
        for r in g["rules"]:
            where = "rules %s" % r.get("record", r.get("alert"))
            check_names(r["expr"], types, where)
            for rec in re.findall(r"\bdsinfer:[a-zA-Z0-9_:]+", r["expr"]):
                if rec not in recorded:
                    fail("%s: recording rule %s is not defined" % (where, rec))
    for title, e in exprs:
        for rec in re.findall(r"\bdsinfer:[a-zA-Z0-9_:]+", e):
            if rec not in recorded:
                fail("grafana '%s': recording rule %s is not defined" % (title, rec))
    print("metrics_check: %s (%d dashboard queries, %d rules)"
          % ("FAILED" if errors else "ok", len(exprs), sum(len(g["rules"]) for g in rules["groups"])))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
