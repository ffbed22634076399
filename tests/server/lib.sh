# Shared helpers for the `dsinfer serve` integration tests (sourced, not run).
#
#   source lib.sh "$DSINFER_BIN"
#   start_server NAME [serve flags...]   # real binary, ephemeral loopback port, waits for /readyz
#   http METHOD PATH [curl args...]      # sets STATUS, BODY (file), HEADERS (file)
#   jget FILE 'j.choices[0].text'        # evaluates a JS expression over the JSON in FILE
#   expect_eq ACTUAL EXPECTED WHAT ...   # counts results; `finish` prints "N passed, M failed"
#
# Every process started here is killed on exit (trap), and everything written goes to a
# temporary directory that is removed. JSON is read with node (already needed for the SDK tests).

set -uo pipefail

DSINFER_BIN=${1:?usage: $0 path/to/dsinfer}
[ -x "$DSINFER_BIN" ] || { echo "not executable: $DSINFER_BIN"; exit 2; }
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dsinfer-server-test.XXXXXX")
SERVER_PIDS=()
PASSED=0
FAILED=0

cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for pid in $(jobs -p); do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server NAME [flags...]: sets SERVER_PID, PORT, BASE, SERVER_LOG. SCHEME=https for TLS.
start_server() {
  local name=$1
  shift
  SERVER_LOG=$WORK/$name.log
  local port_file=$WORK/$name.port
  rm -f "$port_file"
  "$DSINFER_BIN" serve --port 0 --port-file "$port_file" --model-cache-dir "$WORK/cache" --threads 1 "$@" \
    >"$WORK/$name.out" 2>"$SERVER_LOG" &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  local i
  for i in $(seq 1 600); do
    [ -s "$port_file" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server $name exited during start-up:"; cat "$SERVER_LOG"; exit 1
    fi
    sleep 0.1
  done
  PORT=$(cat "$port_file")
  BASE="${SCHEME:-http}://127.0.0.1:$PORT"
  for i in $(seq 1 1200); do
    [ "$(curl -sk -o /dev/null -w '%{http_code}' "$BASE/readyz")" = 200 ] && return 0
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server $name exited before it was ready:"; cat "$SERVER_LOG"; exit 1
    fi
    sleep 0.1
  done
  echo "server $name never became ready:"; cat "$SERVER_LOG"; exit 1
}

# http METHOD PATH [curl args...]: STATUS, BODY (a file), HEADERS (a file).
http() {
  local method=$1 path=$2
  shift 2
  BODY=$WORK/body.$RANDOM
  HEADERS=$WORK/headers.$RANDOM
  STATUS=$(curl -sk -X "$method" -o "$BODY" -D "$HEADERS" -w '%{http_code}' -H 'Content-Type: application/json' \
    "$@" "$BASE$path")
}

# post PATH JSON [curl args...]
post() {
  local path=$1 json=$2
  shift 2
  http POST "$path" --data-binary "$json" "$@"
}

# jget FILE EXPR: prints the value of EXPR (JavaScript over `j`), strings raw, others as JSON.
jget() {
  node -e '
    const fs = require("fs");
    const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const v = eval(process.argv[2]);
    process.stdout.write(typeof v === "string" ? v : JSON.stringify(v) ?? "undefined");
  ' "$1" "$2"
}

header_value() {  # header_value FILE NAME
  grep -i "^$2:" "$1" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'
}

pass() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }

expect_eq() {  # expect_eq ACTUAL EXPECTED WHAT...
  local actual=$1 expected=$2
  shift 2
  if [ "$actual" = "$expected" ]; then pass "$*"; else fail "$* (expected '$expected', got '$actual')"; fi
}

expect_contains() {  # expect_contains HAYSTACK NEEDLE WHAT...
  local hay=$1 needle=$2
  shift 2
  case "$hay" in *"$needle"*) pass "$*" ;; *) fail "$* ('$needle' not in '${hay:0:400}')" ;; esac
}

# expect_error STATUS CODE_OR_EMPTY PARAM_OR_EMPTY WHAT: checks STATUS and the OpenAI error object in BODY.
expect_error() {
  local status=$1 code=$2 param=$3
  shift 3
  expect_eq "$STATUS" "$status" "$* -> HTTP $status"
  local shape
  shape=$(jget "$BODY" '["message","type","param","code"].every(k => k in j.error) && typeof j.error.message === "string"')
  expect_eq "$shape" true "$* -> OpenAI error object"
  [ -z "$code" ] || expect_eq "$(jget "$BODY" 'j.error.code')" "$code" "$* -> error.code"
  [ -z "$param" ] || expect_eq "$(jget "$BODY" 'j.error.param')" "$param" "$* -> error.param"
}

# metric NAME_WITH_LABELS: the sample value from /metrics (empty when absent).
metric() {
  curl -s "$BASE/metrics" | awk -v n="$1" '$1 == n { print $2 }' | head -1
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
