#!/usr/bin/env bash
# The seed table: 50 and 200 concurrent users, closed loop, for DURATION seconds each (default
# 60); reports average (mean end-to-end) latency and error rate per level, the figures a capacity
# plan starts from. Writes seed_50.json, seed_200.json and seed_table.md.
# Environment: USERS ("50 200"), DURATION (60), PROMPT_TOKENS (256), MAX_TOKENS (128).
# Example for the real model: bench/scenarios/seed_table.sh --model /work/models/v2lite-q4km.gguf
source "$(dirname "$0")/lib.sh"
scenario_init "$@"
for users in ${USERS:-50 200}; do
  loadtest "seed_$users" --concurrency "$users" --duration "${DURATION:-60}" \
    --prompt-tokens "${PROMPT_TOKENS:-256}" --max-tokens "${MAX_TOKENS:-128}" --seed 7
done
python3 "$(dirname "$0")/summarize.py" seed "$OUT" | tee "$OUT/seed_table.md"
