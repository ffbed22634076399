#!/usr/bin/env bash
# Usage: fuzz/run.sh [SECONDS]   (default 60)
# Builds the libFuzzer targets with the `fuzz` preset (clang, build/fuzz) and fuzzes the GGUF
# reader for SECONDS over a scratch copy of the seed corpus fuzz/corpus/gguf (the committed
# seeds are never modified). Crashes are written to build/fuzz/artifacts/; exits non-zero if
# the fuzzer found one. JOBS (default 2) sets the build parallelism.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

cmake --preset fuzz >/dev/null
cmake --build build/fuzz --target gguf_reader_fuzzer -j "${JOBS:-2}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp fuzz/corpus/gguf/* "$work/"
mkdir -p build/fuzz/artifacts

build/fuzz/fuzz/gguf_reader_fuzzer "$work" \
  -dict=fuzz/gguf.dict \
  -max_total_time="$seconds" \
  -max_len=8192 \
  -rss_limit_mb=2048 \
  -timeout=10 \
  -print_final_stats=1 \
  -artifact_prefix=build/fuzz/artifacts/
