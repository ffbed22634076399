# Helpers for the `dsinfer loadtest` integration tests (sourced, not run). Builds on
# tests/server/lib.sh (start_server, metric, expect_eq, finish, cleanup of every process) and adds:
#   start_fake NAME [fake_upstream.py flags...]   # sets FAKE (its URL) and FAKE_PID
#   jload PREFIX FILE                             # JSON values as shell variables PREFIX_a_b
#   scrape NAME, prom NAME SAMPLE, prom_sum ...   # saved /metrics scrapes of $BASE and their samples
#   expect_true "AWK_CONDITION" WHAT...           # a numeric condition that must hold
#   free_port, now, elapsed T0 T1                 # a loopback port nothing listens on; timing
source "$(dirname "${BASH_SOURCE[0]}")/../server/lib.sh" "$1"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
LOADTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

start_fake() {
  local name=$1
  shift
  local port_file=$WORK/$name.port
  python3 "$LOADTEST_DIR/fake_upstream.py" --port-file "$port_file" "$@" >"$WORK/$name.log" 2>&1 &
  FAKE_PID=$!
  SERVER_PIDS+=("$FAKE_PID")
  local i
  for i in $(seq 1 300); do
    [ -s "$port_file" ] && break
    kill -0 "$FAKE_PID" 2>/dev/null || { echo "fake upstream $name exited:"; cat "$WORK/$name.log"; exit 1; }
    sleep 0.1
  done
  FAKE="http://127.0.0.1:$(cat "$port_file")"
}

# jload PREFIX FILE: one shell variable per JSON value, named PREFIX_path_to_key (objects also
# as compact JSON with sorted keys; booleans true/false; null empty). One python3 call per file.
jload() {
  eval "$(python3 - "$1" "$2" <<'PY'
import json, re, shlex, sys
prefix, path = sys.argv[1], sys.argv[2]
def walk(name, v):
    if isinstance(v, dict):
        print(f"{name}={shlex.quote(json.dumps(v, sort_keys=True))}")
        for k, x in v.items():
            walk(name + "_" + re.sub(r"[^A-Za-z0-9]", "_", k), x)
    elif isinstance(v, bool):
        print(f"{name}={'true' if v else 'false'}")
    elif v is None:
        print(f"{name}=")
    elif isinstance(v, (int, float)):
        print(f"{name}={v!r}")
    else:
        print(f"{name}={shlex.quote(str(v))}")
walk(prefix, json.load(open(path)))
PY
)"
}

scrape() { curl -s "$BASE/metrics" >"$WORK/$1.prom"; }

# prom NAME SAMPLE: a sample's value from a saved scrape (0 if absent).
prom() {
  awk -v n="$2" '$1 == n { v = $2 } END { print (v == "" ? 0 : v) }' "$WORK/$1.prom"
}

# prom_sum NAME FAMILY LABELS [EXCLUDE]: the sum over the samples of FAMILY whose labels contain
# LABELS (a literal such as endpoint="completions") and not EXCLUDE.
prom_sum() {
  awk -v f="$2" -v want="$3" -v skip="${4:-}" '
    index($1, f "{") == 1 && index($1, want) > 0 && (skip == "" || index($1, skip) == 0) { t += $2 }
    END { printf "%d\n", t }' "$WORK/$1.prom"
}

# expect_true "AWK_CONDITION" WHAT...: e.g. expect_true "$t < 5" "finished in time".
expect_true() {
  local cond=$1
  shift
  if awk "BEGIN { exit !($cond) }"; then pass "$*"; else fail "$* ($cond)"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
