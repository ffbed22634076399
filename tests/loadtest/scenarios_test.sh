#!/usr/bin/env bash
# The bench/scenarios scripts end to end, shrunk to seconds: each one against a running
# `dsinfer serve` (--url), and throughput_vs_concurrency.sh starting its own server; then
# report.sh turns the JSON into summary.md and, with gnuplot installed, the two PNG plots.
# Usage: scenarios_test.sh path/to/dsinfer
source "$(dirname "$0")/lib.sh" "$1"
SCENARIOS=$(cd "$(dirname "$0")/../../bench/scenarios" && pwd)
export DSINFER_BIN DSINFER_RESULTS_DIR=$WORK/results
export DSINFER_SERVE_ARGS="--model-cache-dir $WORK/cache --threads 1"

start_server scenarios
REQUESTS=3 PROMPT_TOKENS=32 MAX_TOKENS=8 "$SCENARIOS/single_stream.sh" --url "$BASE" >"$WORK/single.log" 2>&1
expect_eq "$?" 0 "single_stream.sh"
CONCURRENCY=4 REQUESTS=8 PROMPT_TOKENS=64 SHARED_TOKENS=48 MAX_TOKENS=4 \
  "$SCENARIOS/shared_prefix.sh" --url "$BASE" >"$WORK/prefix.log" 2>&1
expect_eq "$?" 0 "shared_prefix.sh"
USERS="2 5" DURATION=2 PROMPT_TOKENS=32 MAX_TOKENS=8 "$SCENARIOS/seed_table.sh" --url "$BASE" >"$WORK/seed.log" 2>&1
expect_eq "$?" 0 "seed_table.sh"
LEVELS="1 4" DURATION=2 PROMPT_TOKENS=32 MAX_TOKENS=8 "$SCENARIOS/throughput_vs_concurrency.sh" \
  >"$WORK/sweep.log" 2>&1
expect_eq "$?" 0 "throughput_vs_concurrency.sh (starts and stops its own server)"
expect_contains "$(cat "$WORK/sweep.log")" "started dsinfer serve" "the sweep started a server"

R=$DSINFER_RESULTS_DIR
for f in single_stream shared_prefix_off shared_prefix_on seed_2 seed_5 concurrency_1 concurrency_4; do
  [ -s "$R/$f.json" ] && pass "$f.json written" || fail "$f.json written"
done
expect_contains "$(cat "$R/seed_table.md")" "| 5 |" "seed_table.md has the 5-user row"

"$SCENARIOS/report.sh" "$R" >"$WORK/report.log" 2>&1
expect_eq "$?" 0 "report.sh"
summary=$(cat "$R/summary.md")
for title in "Single-stream latency" "Throughput vs concurrency" "Shared-prefix workload" "Seed table"; do
  expect_contains "$summary" "### $title" "summary.md has '$title'"
done
if command -v gnuplot >/dev/null; then
  for png in throughput_vs_concurrency p99_latency_vs_concurrency; do
    [ "$(head -c 4 "$R/$png.png" | od -An -c | tr -d ' ')" = "211PNG" ] && pass "$png.png is a PNG" || fail "$png.png is a PNG"
  done
else
  echo "note: gnuplot not installed; plots not checked"
fi
finish
