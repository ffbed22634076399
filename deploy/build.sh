#!/usr/bin/env bash
# The container build, as a script that also runs natively on Debian 12 (the Dockerfiles run it,
# and so can anyone on a fresh machine). Installs the build packages, builds the release `dsinfer`
# target and installs the binary to a prefix.
#
# Usage: deploy/build.sh [--prefix DIR] [--no-deps] [--preset release | --build-dir DIR] [--no-build | --binary PATH]
#   --prefix DIR     install DIR/bin/dsinfer (default /usr/local)
#   --no-deps        skip the apt-get step (packages already present)
#   --preset NAME    CMake preset to configure and build (default release)
#   --build-dir DIR  build the dsinfer target of an already configured build tree instead
#   --no-build       install the binary already built in the preset's / build dir's tree
#   --binary PATH    install (and smoke-test) this already built binary; no build
# After installing, a smoke test starts the installed `dsinfer serve` (built-in demo model) on an
# ephemeral loopback port, waits for /readyz, runs one completion and stops it with SIGTERM.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix=/usr/local
deps=1
preset=release
build_dir=""
build=1
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --no-deps) deps=0; shift ;;
    --preset) preset="$2"; shift 2 ;;
    --build-dir) build_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --no-build) build=0; shift ;;
    --binary) binary="$2"; build=0; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Build dependencies only (the same list as scripts/setup's build half; no test tools).
build_packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl
  nlohmann-json3-dev libcli11-dev libpcre2-dev
  libboost-dev libboost-system-dev libssl-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
if [ "$deps" = 1 ]; then
  missing=()
  for p in "${build_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

cd "$root"
[ -n "$build_dir" ] || build_dir="$root/build/$preset"
if [ "$build" = 1 ]; then
  if [ "$build_dir" = "$root/build/$preset" ]; then
    cmake --preset "$preset"
  fi
  cmake --build "$build_dir" --target dsinfer -- -j"$(nproc)"
fi
[ -n "$binary" ] || binary="$build_dir/src/cli/dsinfer"
install -D -m 0755 "$binary" "$prefix/bin/dsinfer"
echo "build.sh: installed $prefix/bin/dsinfer"

# Smoke test of the installed binary.
smoke="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$smoke"; }
trap cleanup EXIT
"$prefix/bin/dsinfer" serve --host 127.0.0.1 --port 0 --port-file "$smoke/port" \
  --model-cache-dir "$smoke/cache" --kv-cache-memory 64MiB --threads 1 2>"$smoke/log" &
pid=$!
for _ in $(seq 600); do
  if [ -s "$smoke/port" ] && curl -sf "http://127.0.0.1:$(cat "$smoke/port")/readyz" >/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$smoke/log" >&2; echo "build.sh: smoke: server exited" >&2; exit 1; }
  sleep 0.2
done
port="$(cat "$smoke/port")"
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null
curl -sf "http://127.0.0.1:$port/v1/completions" -H 'Content-Type: application/json' \
  -d '{"prompt":"Hello","max_tokens":4}' | grep -q '"text_completion"' \
  || { cat "$smoke/log" >&2; echo "build.sh: smoke: completion failed" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid"
pid=""
echo "build.sh: smoke test passed"
