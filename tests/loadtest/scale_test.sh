#!/usr/bin/env bash
# 1,000 concurrent streams from one `dsinfer loadtest` process (one I/O thread) against the
# asyncio fake upstream (10 tokens 100 ms apart per request) for DSINFER_SCALE_SECONDS (default
# 15): every stream is held at once, nothing fails, the run ends on time, and loadtest's own CPU
# stays a fraction of one core (the figure is printed; docs/performance.md quotes it).
# Usage: scale_test.sh path/to/dsinfer
source "$(dirname "$0")/lib.sh" "$1"
seconds=${DSINFER_SCALE_SECONDS:-15}

start_fake scale --mode ok --tokens 10 --interval-ms 100
t0=$(now)
"$DSINFER_BIN" loadtest --url "$FAKE" --endpoint completions --concurrency 1000 --duration "$seconds" \
  --prompt-tokens 32 --max-tokens 10 --json "$WORK/scale.json" | tee "$WORK/scale.txt"
rc=$?
t1=$(now)
jload r "$WORK/scale.json"
expect_eq "$rc" 0 "exit 0"
expect_eq "$r_client_max_in_flight" 1000 "1000 streams in flight at once"
expect_eq "$r_errors_total" 0 "no errors"
expect_true "$r_requests_succeeded >= 1000" "at least 1000 requests completed ($r_requests_succeeded)"
expect_true "$t1 - $t0 < $seconds + 3" "finished within --duration + 3 s (took $(elapsed "$t0" "$t1") s)"
expect_true "$r_client_cpu_fraction_of_one_core < 0.75" \
  "loadtest used $(awk -v f="$r_client_cpu_fraction_of_one_core" 'BEGIN { printf "%.1f", 100 * f }')% of one core"
finish
