# Shared by the bench/scenarios/*.sh load scenarios (sourced, not run).
#
#   scenario_init "$@"   parses the common arguments, starts a server when asked, sets:
#     URL          the server under test
#     OUT          the results directory (created)
#     DSINFER      the dsinfer binary
#     LOADTEST     "$DSINFER loadtest --url $URL" plus $LOADTEST_ARGS
#   loadtest NAME ARGS...   runs one load test, writes $OUT/NAME.json (table to NAME.txt and stdout)
#
# Common arguments (every scenario):
#   --url URL           test a running OpenAI-compatible server
#   --model FILE.gguf   start `dsinfer serve -m FILE.gguf` on a free port, stop it at the end
#   (neither)           start `dsinfer serve` on the built-in demo model
#   --out DIR           results directory (default: $DSINFER_RESULTS_DIR, else build/bench-results/<scenario>)
#   --dsinfer BIN       the binary (default: $DSINFER_BIN, else build/release/src/cli/dsinfer)
# Environment: LOADTEST_ARGS (extra loadtest flags; default "--ignore-eos" so every request
# generates max_tokens, set it to "" for servers without that extension), DSINFER_SERVE_ARGS
# (extra serve flags when the script starts the server), DURATION (seconds per load level).

set -euo pipefail

SCENARIO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCENARIO=$(basename "$0" .sh)
URL=""
MODEL=""
OUT="${DSINFER_RESULTS_DIR:-}"
DSINFER="${DSINFER_BIN:-$SCENARIO_ROOT/build/release/src/cli/dsinfer}"
LOADTEST_ARGS="${LOADTEST_ARGS---ignore-eos}"
SERVER_PID=""
SCENARIO_TMP=""

scenario_cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [ -z "$SCENARIO_TMP" ] || rm -rf "$SCENARIO_TMP"
}

scenario_usage() {
  sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'
  echo "common arguments: [--url URL | --model FILE.gguf] [--out DIR] [--dsinfer BIN]"
}

# start_server: dsinfer serve on a free loopback port (MODEL empty: the demo model).
start_server() {
  SCENARIO_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dsinfer-scenario.XXXXXX")
  local port_file=$SCENARIO_TMP/port log=$OUT/server.log
  local model_args=()
  [ -z "$MODEL" ] || model_args=(-m "$MODEL")
  # shellcheck disable=SC2086
  "$DSINFER" serve --port 0 --port-file "$port_file" --max-waiting-requests 4096 "${model_args[@]}" \
    ${DSINFER_SERVE_ARGS:-} >"$OUT/server.out" 2>"$log" &
  SERVER_PID=$!
  for _ in $(seq 1 3000); do
    [ -s "$port_file" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "dsinfer serve exited; see $log" >&2; tail -5 "$log" >&2; exit 1; }
    sleep 0.1
  done
  URL="http://127.0.0.1:$(cat "$port_file")"
  for _ in $(seq 1 6000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" = 200 ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "dsinfer serve exited; see $log" >&2; tail -5 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "dsinfer serve never became ready; see $log" >&2
  exit 1
}

scenario_init() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --url) URL=$2; shift 2 ;;
      --model) MODEL=$2; shift 2 ;;
      --out) OUT=$2; shift 2 ;;
      --dsinfer) DSINFER=$2; shift 2 ;;
      -h|--help) scenario_usage; exit 0 ;;
      *) echo "$SCENARIO: unknown argument '$1'" >&2; scenario_usage >&2; exit 2 ;;
    esac
  done
  [ -n "$URL" ] && [ -n "$MODEL" ] && { echo "$SCENARIO: give --url or --model, not both" >&2; exit 2; }
  [ -x "$DSINFER" ] || { echo "$SCENARIO: $DSINFER is not executable (scripts/build release, or --dsinfer BIN)" >&2; exit 2; }
  OUT=${OUT:-$SCENARIO_ROOT/build/bench-results/$SCENARIO}
  mkdir -p "$OUT"
  trap scenario_cleanup EXIT
  if [ -z "$URL" ]; then
    command -v curl >/dev/null || { echo "$SCENARIO: curl is needed to start a server" >&2; exit 2; }
    start_server
    echo "$SCENARIO: started dsinfer serve ${MODEL:-(demo model)} at $URL" >&2
  fi
  echo "$SCENARIO: results in $OUT" >&2
}

# loadtest NAME ARGS...: one run; JSON to $OUT/NAME.json, the table to $OUT/NAME.txt and stdout.
loadtest() {
  local name=$1
  shift
  echo "== $SCENARIO/$name: $*" >&2
  # shellcheck disable=SC2086
  "$DSINFER" loadtest --url "$URL" $LOADTEST_ARGS "$@" --json "$OUT/$name.json" | tee "$OUT/$name.txt"
}
