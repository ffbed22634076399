#!/usr/bin/env bash
# Single-stream latency: one user, one request after another (no batching, no queueing), so
# TTFT is prefill time and TPOT is the decode step time of a batch of one.
# Writes single_stream.json. Environment: REQUESTS (20), PROMPT_TOKENS (128), MAX_TOKENS (128).
source "$(dirname "$0")/lib.sh"
scenario_init "$@"
loadtest single_stream --concurrency 1 --requests "${REQUESTS:-20}" \
  --prompt-tokens "${PROMPT_TOKENS:-128}" --max-tokens "${MAX_TOKENS:-128}" --seed 1
