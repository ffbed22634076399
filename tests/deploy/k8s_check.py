#!/usr/bin/env python3
"""Validates deploy/k8s without a cluster.

1. Renders the base and the GPU overlay (`kubectl kustomize` when kubectl is installed, else a
   small built-in renderer for what these kustomizations use: resources, images, labels, patches).
2. Checks every rendered object against a hand-written schema for its kind (required fields, types,
   no unknown fields in the parts we own, so typos like `readinesProbe` fail).
3. Checks the manifests agree with the real server: the ConfigMap's keys are `dsinfer serve` flags,
   containerPort / probe ports / Service / ServiceMonitor agree with the configured port, probes use
   /healthz and /readyz, the grace period covers preStop + drain_timeout, the startup probe allows
   for model loading, resources are set, the GPU overlay asks for nvidia.com/gpu.
4. Starts the real `dsinfer serve` with the ConfigMap's config and the Secret's key file, and checks
   the probe paths answer 200 without a key, the API needs the key, the HPA's custom metric is
   exported, and SIGTERM drains and exits 0 within the grace period.

Usage: k8s_check.py DSINFER_BINARY   (exit 0 pass, 1 fail)
"""
import copy
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsinfer_live  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
K8S = os.path.join(ROOT, "deploy", "k8s")
errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL: " + msg)


# ------------------------------------------------------------------ rendering
def deep_merge(base, patch):
    """Strategic-merge subset: dicts merge, lists of dicts with `name` merge by name."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if (isinstance(base, list) and isinstance(patch, list) and
            all(isinstance(x, dict) and "name" in x for x in base + patch)):
        out = [copy.deepcopy(x) for x in base]
        for p in patch:
            for i, b in enumerate(out):
                if b["name"] == p["name"]:
                    out[i] = deep_merge(b, p)
                    break
            else:
                out.append(copy.deepcopy(p))
        return out
    return copy.deepcopy(patch)


def render_builtin(directory):
    kz = yaml.safe_load(open(os.path.join(directory, "kustomization.yaml")))
    objs = []
    for res in kz.get("resources", []):
        path = os.path.normpath(os.path.join(directory, res))
        if os.path.isdir(path):
            objs += render_builtin(path)
        else:
            objs += [d for d in yaml.safe_load_all(open(path)) if d]
    for lab in kz.get("labels", []):
        for o in objs:
            o.setdefault("metadata", {}).setdefault("labels", {}).update(lab["pairs"])
    for p in kz.get("patches", []):
        patch = yaml.safe_load(open(os.path.join(directory, p["path"])))
        t = p.get("target", {"kind": patch["kind"], "name": patch["metadata"]["name"]})
        for i, o in enumerate(objs):
            if o["kind"] == t.get("kind") and o["metadata"]["name"] == t.get("name"):
                objs[i] = deep_merge(o, patch)
    for img in kz.get("images", []):
        for o in objs:
            for c in o.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                name, _, tag = c["image"].partition(":")
                if name == img["name"]:
                    c["image"] = "%s:%s" % (img.get("newName", name), img.get("newTag", tag))
    return objs


def render(directory):
    kubectl = None if os.environ.get("DSINFER_NO_KUBECTL") else shutil.which("kubectl")
    if kubectl:
        out = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True)
        if out.returncode != 0:
            fail("kubectl kustomize %s: %s" % (directory, out.stderr.strip()))
            return render_builtin(directory)
        return [d for d in yaml.safe_load_all(out.stdout) if d]
    print("note: kubectl not installed; rendering with the built-in kustomize subset")
    return render_builtin(directory)


# ------------------------------------------------------------------ schemas
# A schema is a type, a dict {field: schema} (a trailing '?' marks optional; '*' allows any other
# keys with that schema), or a one-element list [schema] for lists.
ANY = object()
QTY = (str, int, float)  # Kubernetes quantities
STRMAP = {"*": str}
META = {"name": str, "namespace?": str, "labels?": STRMAP, "annotations?": STRMAP}
SELECTOR = {"matchLabels": STRMAP}
HTTPGET = {"path": str, "port": (str, int), "scheme?": str}
PROBE = {"httpGet": HTTPGET, "initialDelaySeconds?": int, "periodSeconds": int,
         "timeoutSeconds": int, "failureThreshold": int, "successThreshold?": int}
RESOURCES = {"requests": {"*": QTY}, "limits": {"*": QTY}}
CONTAINER = {
    "name": str, "image": str, "imagePullPolicy?": str, "command?": [str], "args?": [str],
    "env?": [{"name": str, "value?": str, "valueFrom?": ANY}],
    "ports": [{"name": str, "containerPort": int, "protocol?": str}],
    "resources": RESOURCES, "startupProbe": PROBE, "livenessProbe": PROBE, "readinessProbe": PROBE,
    "lifecycle": {"preStop": {"exec": {"command": [str]}}},
    "securityContext?": {"allowPrivilegeEscalation?": bool, "readOnlyRootFilesystem?": bool,
                         "runAsNonRoot?": bool, "capabilities?": {"drop?": [str], "add?": [str]}},
    "volumeMounts?": [{"name": str, "mountPath": str, "subPath?": str, "readOnly?": bool}],
}
VOLUME = {"name": str, "configMap?": {"name": str, "items?": ANY}, "secret?": {"secretName": str},
          "persistentVolumeClaim?": {"claimName": str, "readOnly?": bool}, "emptyDir?": ANY}
POD_SPEC = {
    "terminationGracePeriodSeconds": int, "containers": [CONTAINER], "volumes?": [VOLUME],
    "securityContext?": {"runAsNonRoot?": bool, "runAsUser?": int, "runAsGroup?": int,
                         "fsGroup?": int, "seccompProfile?": {"type": str}},
    "nodeSelector?": STRMAP, "tolerations?": [{"key": str, "operator": str, "effect?": str, "value?": str}],
    "serviceAccountName?": str, "affinity?": ANY,
}
SCHEMAS = {
    ("apps/v1", "Deployment"): {"apiVersion": str, "kind": str, "metadata": META, "spec": {
        "replicas": int, "revisionHistoryLimit?": int, "selector": SELECTOR,
        "strategy?": {"type": str, "rollingUpdate?": {"maxSurge?": (int, str), "maxUnavailable?": (int, str)}},
        "template": {"metadata": {"labels": STRMAP, "annotations?": STRMAP}, "spec": POD_SPEC}}},
    ("v1", "Service"): {"apiVersion": str, "kind": str, "metadata": META, "spec": {
        "type": str, "selector": STRMAP,
        "ports": [{"name": str, "port": int, "targetPort": (int, str), "protocol?": str}]}},
    ("v1", "ConfigMap"): {"apiVersion": str, "kind": str, "metadata": META, "data": STRMAP},
    ("v1", "Secret"): {"apiVersion": str, "kind": str, "metadata": META, "type": str,
                       "stringData?": STRMAP, "data?": STRMAP},
    ("policy/v1", "PodDisruptionBudget"): {"apiVersion": str, "kind": str, "metadata": META, "spec": {
        "minAvailable?": (int, str), "maxUnavailable?": (int, str), "selector": SELECTOR}},
    ("autoscaling/v2", "HorizontalPodAutoscaler"): {"apiVersion": str, "kind": str, "metadata": META, "spec": {
        "scaleTargetRef": {"apiVersion": str, "kind": str, "name": str},
        "minReplicas": int, "maxReplicas": int,
        "metrics": [{"type": str,
                     "resource?": {"name": str, "target": {"type": str, "averageUtilization?": int,
                                                           "averageValue?": QTY}},
                     "pods?": {"metric": {"name": str, "selector?": ANY},
                               "target": {"type": str, "averageValue": QTY}}}],
        "behavior?": {"*": {"stabilizationWindowSeconds?": int, "selectPolicy?": str,
                            "policies?": [{"type": str, "value": int, "periodSeconds": int}]}}}},
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {"apiVersion": str, "kind": str, "metadata": META, "spec": {
        "jobLabel?": str, "selector": SELECTOR, "namespaceSelector?": ANY,
        "endpoints": [{"port": str, "path": str, "interval": str, "scrapeTimeout?": str,
                       "scheme?": str, "bearerTokenSecret?": ANY}]}},
}


def check_schema(value, schema, where):
    if schema is ANY:
        return
    if isinstance(schema, list):
        if not isinstance(value, list) or not value:
            return fail("%s: expected a non-empty list" % where)
        for i, v in enumerate(value):
            check_schema(v, schema[0], "%s[%d]" % (where, i))
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return fail("%s: expected a mapping, got %r" % (where, type(value).__name__))
        known = set()
        for key, sub in schema.items():
            if key == "*":
                continue
            name, optional = key.rstrip("?"), key.endswith("?")
            known.add(name)
            if name in value:
                check_schema(value[name], sub, where + "." + name)
            elif not optional:
                fail("%s: missing required field '%s'" % (where, name))
        for key in value:
            if key not in known:
                if "*" in schema:
                    check_schema(value[key], schema["*"], where + "." + key)
                else:
                    fail("%s: unknown field '%s'" % (where, key))
        return
    types = schema if isinstance(schema, tuple) else (schema,)
    if isinstance(value, bool) and bool not in types:
        return fail("%s: expected %s, got a boolean" % (where, schema))
    if not isinstance(value, types):
        fail("%s: expected %s, got %r" % (where, schema, value))


def validate(objs, label):
    for o in objs:
        key = (o.get("apiVersion"), o.get("kind"))
        where = "%s %s/%s" % (label, o.get("kind"), o.get("metadata", {}).get("name"))
        if key not in SCHEMAS:
            fail("%s: no schema for apiVersion/kind %s" % (where, key))
            continue
        check_schema(o, SCHEMAS[key], where)
    kinds = sorted(o["kind"] for o in objs)
    want = sorted(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                   "Secret", "Service", "ServiceMonitor"])
    if kinds != want:
        fail("%s: kinds %s, want %s" % (label, kinds, want))


# ------------------------------------------------------------------ consistency
def quantity(q):
    """CPU or memory quantity -> float (cores or bytes)."""
    s = str(q)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
    for u, f in sorted(units.items(), key=lambda kv: -len(kv[0])):
        if s.endswith(u):
            return float(s[:-len(u)]) * f
    return float(s)


def by_kind(objs, kind):
    found = [o for o in objs if o["kind"] == kind]
    return found[0] if found else None


def consistency(objs, label, defaults, gpu):
    dep = by_kind(objs, "Deployment")
    cm = by_kind(objs, "ConfigMap")
    svc = by_kind(objs, "Service")
    if not (dep and cm and svc):
        return fail("%s: Deployment, ConfigMap and Service are required" % label)
    config = yaml.safe_load(cm["data"]["config.yaml"])
    for key in config:
        if key.replace("_", "-") not in defaults:
            fail("%s: ConfigMap key '%s' is not a `dsinfer serve` flag" % (label, key))
    port = int(config.get("port", defaults["port"]))
    drain = float(config.get("drain_timeout", defaults["drain-timeout"]))
    open_paths = str(config.get("open_paths", defaults["open-paths"])).split(",")
    if str(config.get("host")) != "0.0.0.0":
        fail("%s: the config must listen on 0.0.0.0 in a pod (host: %r)" % (label, config.get("host")))

    pod = dep["spec"]["template"]
    labels = pod["metadata"]["labels"]
    if dep["spec"]["selector"]["matchLabels"].items() - labels.items():
        fail("%s: Deployment selector does not match its pod labels" % label)
    spec = pod["spec"]
    c = spec["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    if port not in ports.values():
        fail("%s: containerPort %s != configured port %d" % (label, list(ports.values()), port))

    def probe_port(probe):
        p = probe["httpGet"]["port"]
        return ports.get(p) if isinstance(p, str) else p

    for probe, path in (("livenessProbe", "/healthz"), ("startupProbe", "/healthz"), ("readinessProbe", "/readyz")):
        pr = c[probe]
        if pr["httpGet"]["path"] != path:
            fail("%s: %s path %s, want %s" % (label, probe, pr["httpGet"]["path"], path))
        if probe_port(pr) != port:
            fail("%s: %s port does not resolve to %d" % (label, probe, port))
        if config.get("api_key_file") or config.get("api_keys"):
            if path not in open_paths:
                fail("%s: %s needs %s in open_paths when API keys are on" % (label, probe, path))
    sp = c["startupProbe"]
    if sp["periodSeconds"] * sp["failureThreshold"] < 300:
        fail("%s: startupProbe allows only %d s for model loading (want >= 300)"
             % (label, sp["periodSeconds"] * sp["failureThreshold"]))
    pre = c["lifecycle"]["preStop"]["exec"]["command"]
    pre_sleep = float(pre[1]) if len(pre) == 2 and pre[0] == "sleep" else 0.0
    grace = spec["terminationGracePeriodSeconds"]
    if grace < pre_sleep + drain + 5:
        fail("%s: terminationGracePeriodSeconds %d < preStop %g + drain_timeout %g + 5"
             % (label, grace, pre_sleep, drain))
    if grace > pre_sleep + drain + 60:
        fail("%s: terminationGracePeriodSeconds %d far above preStop + drain_timeout" % (label, grace))

    res = c["resources"]
    for r in ("cpu", "memory"):
        if r not in res["requests"] or r not in res["limits"]:
            fail("%s: resources.%s must have requests and limits" % (label, r))
        elif quantity(res["requests"][r]) > quantity(res["limits"][r]):
            fail("%s: %s request above limit" % (label, r))
    if gpu:
        g = res["limits"].get("nvidia.com/gpu")
        if g is None or int(g) < 1:
            fail("%s: GPU overlay must set limits nvidia.com/gpu >= 1" % label)
        if res["requests"].get("nvidia.com/gpu", g) != g:
            fail("%s: nvidia.com/gpu requests must equal limits" % label)
        if not c["image"].endswith(":cuda"):
            fail("%s: GPU overlay should use the CUDA image, got %s" % (label, c["image"]))
    elif "nvidia.com/gpu" in res["limits"]:
        fail("%s: the CPU base must not ask for GPUs" % label)

    # Config file and key file mounts agree with the config.
    args = c.get("args", [])
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    if "--config" not in args:
        fail("%s: container args must pass --config" % label)
    else:
        cfg_path = args[args.index("--config") + 1]
        m = [m for m in mounts.values() if m["mountPath"] == cfg_path]
        if not m or vols.get(m[0]["name"], {}).get("configMap", {}).get("name") != cm["metadata"]["name"]:
            fail("%s: --config %s is not the mounted ConfigMap" % (label, cfg_path))
    secret = by_kind(objs, "Secret")
    if config.get("api_key_file"):
        d, f = os.path.split(config["api_key_file"])
        m = [m for m in mounts.values() if m["mountPath"] == d]
        v = vols.get(m[0]["name"]) if m else None
        if not v or v.get("secret", {}).get("secretName") != secret["metadata"]["name"]:
            fail("%s: api_key_file directory %s is not the mounted Secret" % (label, d))
        elif f not in secret.get("stringData", {}) and f not in secret.get("data", {}):
            fail("%s: Secret has no key '%s' for api_key_file" % (label, f))

    # Service, PDB, ServiceMonitor, HPA point at the right things.
    for sp_ in svc["spec"]["ports"]:
        t = sp_["targetPort"]
        if (ports.get(t) if isinstance(t, str) else t) != port:
            fail("%s: Service targetPort %s does not reach port %d" % (label, t, port))
    if svc["spec"]["selector"].items() - labels.items():
        fail("%s: Service selector does not match the pods" % label)
    pdb = by_kind(objs, "PodDisruptionBudget")
    if pdb["spec"]["selector"]["matchLabels"].items() - labels.items():
        fail("%s: PodDisruptionBudget selector does not match the pods" % label)
    sm = by_kind(objs, "ServiceMonitor")
    if sm["spec"]["selector"]["matchLabels"].items() - svc["metadata"].get("labels", {}).items():
        fail("%s: ServiceMonitor selector does not match the Service labels" % label)
    for ep in sm["spec"]["endpoints"]:
        if ep["port"] not in [p["name"] for p in svc["spec"]["ports"]] or ep["path"] != "/metrics":
            fail("%s: ServiceMonitor endpoint %s must be a Service port name and /metrics" % (label, ep))
    if "/metrics" not in open_paths and (config.get("api_key_file") or config.get("api_keys")):
        fail("%s: /metrics must stay open for the ServiceMonitor" % label)
    hpa = by_kind(objs, "HorizontalPodAutoscaler")
    ref = hpa["spec"]["scaleTargetRef"]
    if ref["kind"] != "Deployment" or ref["name"] != dep["metadata"]["name"]:
        fail("%s: HPA scaleTargetRef %s is not the Deployment" % (label, ref))
    if hpa["spec"]["minReplicas"] > hpa["spec"]["maxReplicas"]:
        fail("%s: HPA minReplicas > maxReplicas" % label)
    mtypes = {m["type"]: m for m in hpa["spec"]["metrics"]}
    if "Resource" not in mtypes or mtypes["Resource"]["resource"]["name"] != "cpu":
        fail("%s: HPA must scale on CPU" % label)
    if "Pods" not in mtypes:
        fail("%s: HPA must scale on the waiting-requests custom metric" % label)
    return {"config": config, "secret": secret, "hpa_metric": mtypes.get("Pods", {}).get("pods", {})
            .get("metric", {}).get("name"), "grace": grace, "drain": drain}


# ------------------------------------------------------------------ live
def live(binary, info):
    with tempfile.TemporaryDirectory(prefix="dsinfer-k8s-") as tmp:
        config = dict(info["config"])
        config.pop("model", None)            # the pod mounts a model; here: the built-in demo model
        keys = info["secret"]["stringData"][os.path.basename(config["api_key_file"])]
        key_file = os.path.join(tmp, "api_keys")
        open(key_file, "w").write(keys)
        config["api_key_file"] = key_file
        cfg = os.path.join(tmp, "config.yaml")
        yaml.safe_dump(config, open(cfg, "w"))
        key = keys.strip().splitlines()[0].split(":", 1)[-1].strip()
        with dsinfer_live.Server(binary, config=cfg) as s:
            for path in ("/healthz", "/readyz", "/metrics"):
                status, _ = s.get(path)
                if status != 200:
                    fail("live: %s without a key answered %s, want 200" % (path, status))
            if s.get("/v1/models")[0] != 401:
                fail("live: /v1/models without a key should be 401")
            if s.get("/v1/models", {"Authorization": "Bearer " + key})[0] != 200:
                fail("live: /v1/models with the Secret's key should be 200")
            names = s.metric_names()
            if info["hpa_metric"] not in names:
                fail("live: HPA custom metric %s is not exported (have %s)" % (info["hpa_metric"], sorted(names)))
            adapter = yaml.safe_load(open(os.path.join(K8S, "prometheus-adapter-values.yaml")))
            for rule in adapter["rules"]["custom"]:
                series = rule["seriesQuery"].split("{")[0].strip("'\" ")
                if series not in names or rule["name"]["as"] != info["hpa_metric"]:
                    fail("live: adapter rule %s does not serve %s" % (series, info["hpa_metric"]))
            rc, took = s.stop(timeout=info["grace"])
            if rc != 0:
                fail("live: SIGTERM exit code %s, want 0" % rc)
            if took > info["drain"] + 5:
                fail("live: drain took %.1f s, above drain_timeout %g" % (took, info["drain"]))
            print("live: probes, key, custom metric ok; SIGTERM exit %s after %.2f s" % (rc, took))


def main():
    binary = sys.argv[1]
    defaults = dsinfer_live.serve_defaults(binary)
    base = render(os.path.join(K8S, "base"))
    gpu = render(os.path.join(K8S, "overlays", "gpu"))
    validate(base, "base")
    validate(gpu, "gpu")
    info = None
    if not errors:  # the consistency checks rely on the shapes the schemas guarantee
        info = consistency(base, "base", defaults, gpu=False)
        consistency(gpu, "gpu", defaults, gpu=True)
    if info and not errors:
        live(binary, info)
    print("k8s_check: %s (%d objects in base, %d in gpu overlay)"
          % ("FAILED, %d problems" % len(errors) if errors else "ok", len(base), len(gpu)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
