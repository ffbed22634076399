#!/usr/bin/env bash
# Prefix-cache workload: the same load twice, with unique prompts and with prompts that share
# their first SHARED_TOKENS tokens (a long system prompt). With prefix caching the shared run's
# TTFT and prefill work drop. Against dsinfer the prefix-cache counters of /metrics are saved
# before and after each run (shared_prefix_{off,on}.metrics.txt).
# Writes shared_prefix_off.json and shared_prefix_on.json.
# Environment: CONCURRENCY (16), REQUESTS (128), PROMPT_TOKENS (512), SHARED_TOKENS (448), MAX_TOKENS (32).
source "$(dirname "$0")/lib.sh"
scenario_init "$@"
prompt=${PROMPT_TOKENS:-512}
shared=${SHARED_TOKENS:-448}
prefix_metrics() {  # prefix_metrics FILE: the dsinfer_prefix_cache_* lines of /metrics, if any
  curl -s "$URL/metrics" 2>/dev/null | grep -E '^dsinfer_(prefix_cache|engine_prompt_tokens)' >"$1" || true
}
for mode in off on; do
  prefix_args=()
  [ "$mode" = off ] || prefix_args=(--shared-prefix-tokens "$shared")
  prefix_metrics "$OUT/shared_prefix_$mode.metrics_before.txt"
  # A different seed per mode keeps the "off" run from warming the cache for the "on" run.
  loadtest "shared_prefix_$mode" --concurrency "${CONCURRENCY:-16}" --requests "${REQUESTS:-128}" \
    --prompt-tokens "$prompt" --max-tokens "${MAX_TOKENS:-32}" --seed "$([ "$mode" = off ] && echo 11 || echo 12)" \
    "${prefix_args[@]}"
  prefix_metrics "$OUT/shared_prefix_$mode.metrics_after.txt"
done
