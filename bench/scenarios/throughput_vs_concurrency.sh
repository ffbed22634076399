#!/usr/bin/env bash
# Throughput vs concurrency: closed-loop load at 1, 4, 16, 64 and 200 concurrent users, each
# level for DURATION seconds (default 30). Writes concurrency_<N>.json per level; report.sh plots
# output tokens/s and p99 latency against N.
# Environment: LEVELS ("1 4 16 64 200"), DURATION (30), PROMPT_TOKENS (128), MAX_TOKENS (64).
source "$(dirname "$0")/lib.sh"
scenario_init "$@"
for c in ${LEVELS:-1 4 16 64 200}; do
  loadtest "concurrency_$c" --concurrency "$c" --duration "${DURATION:-30}" \
    --prompt-tokens "${PROMPT_TOKENS:-128}" --max-tokens "${MAX_TOKENS:-64}" --seed 1
done
