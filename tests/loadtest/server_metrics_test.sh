#!/usr/bin/env bash
# `dsinfer loadtest` against the real `dsinfer serve` (demo model): the request count, prompt and
# completion token totals and error counts in loadtest's JSON must equal the deltas of the
# server's own /metrics, for the chat and completions endpoints, closed and open loop, generated
# prompts (exact length via /tokenize), a shared prefix (prefix-cache hits) and a JSONL dataset.
# Usage: server_metrics_test.sh path/to/dsinfer
source "$(dirname "$0")/lib.sh" "$1"

start_server lt --max-waiting-requests 1024
LT=("$DSINFER_BIN" loadtest --url "$BASE")

# check_run NAME ENDPOINT_LABEL: compares $WORK/NAME.json (loaded as $NAME_*) with the deltas
# between the scrapes NAME.before and NAME.after.
check_run() {
  local name=$1 endpoint=$2
  jload r "$WORK/$name.json"
  local d200 derr dprompt dgen
  d200=$(( $(prom_sum "$name.after" dsinfer_http_requests_total "endpoint=\"$endpoint\",status=\"200\"") -
           $(prom_sum "$name.before" dsinfer_http_requests_total "endpoint=\"$endpoint\",status=\"200\"") ))
  derr=$(( $(prom_sum "$name.after" dsinfer_http_requests_total "endpoint=\"$endpoint\"" 'status="200"') -
           $(prom_sum "$name.before" dsinfer_http_requests_total "endpoint=\"$endpoint\"" 'status="200"') ))
  dprompt=$(( $(prom "$name.after" dsinfer_prompt_tokens_total) - $(prom "$name.before" dsinfer_prompt_tokens_total) ))
  dgen=$(( $(prom "$name.after" dsinfer_generation_tokens_total) - $(prom "$name.before" dsinfer_generation_tokens_total) ))
  expect_eq "$r_requests_succeeded" "$d200" "$name: succeeded requests = server's 200 responses on $endpoint"
  expect_eq "$r_errors_total" "$derr" "$name: errors = server's non-200 responses on $endpoint"
  expect_eq "$r_tokens_prompt" "$dprompt" "$name: prompt tokens = server's dsinfer_prompt_tokens_total delta"
  expect_eq "$r_tokens_completion" "$dgen" "$name: completion tokens = server's dsinfer_generation_tokens_total delta"
  expect_eq "$r_tokens_usage_reported" "$r_requests_succeeded" "$name: every request's counts came from usage"
  expect_eq "$r_latency_ms_ttft_count" "$r_requests_succeeded" "$name: a TTFT per request"
}

# 1. Chat, closed loop, generated prompts of exactly 64 tokens, every request to max_tokens.
scrape chat.before
"${LT[@]}" --concurrency 8 --requests 40 --prompt-tokens 64 --max-tokens 12 --ignore-eos \
  --json "$WORK/chat.json" >"$WORK/chat.txt"
expect_eq "$?" 0 "chat run exits 0"
scrape chat.after
check_run chat chat_completions
expect_eq "$r_requests_succeeded" 40 "chat: all 40 requests succeeded"
expect_eq "$r_tokens_prompt" 2560 "chat: prompts are exactly 64 tokens (40 x 64)"
expect_eq "$r_tokens_completion" 480 "chat: --ignore-eos gives 40 x 12 tokens"
expect_eq "$r_errors_total" 0 "chat: no errors"
expect_eq "$r_client_max_in_flight" 8 "chat: 8 requests in flight"
expect_true "$r_latency_ms_tpot_p50 > 0" "chat: TPOT measured"
expect_eq "$r_throughput_goodput_requests_per_s" "" "chat: no SLO, no goodput (null)"
expect_contains "$(cat "$WORK/chat.txt")" "40 ok, 0 failed" "chat: the table on stdout"

# 2. Completions, open loop (Poisson arrivals), EOS allowed: counts still agree.
scrape completions.before
"${LT[@]}" --endpoint completions --request-rate 40 --requests 30 --prompt-tokens 33 --max-tokens 16 \
  --seed 5 --json - >"$WORK/completions.json" 2>"$WORK/completions.err"
expect_eq "$?" 0 "completions run exits 0"
scrape completions.after
check_run completions completions
expect_eq "$r_tokens_prompt" 990 "completions: prompts are exactly 33 tokens"
expect_contains "$(cat "$WORK/completions.err")" "30 ok" "completions: with --json - the table goes to stderr"

# 3. Shared prefix: the server's prefix cache serves part of every later prompt.
scrape prefix.before
"${LT[@]}" --concurrency 1 --requests 6 --prompt-tokens 96 --shared-prefix-tokens 80 --max-tokens 4 \
  --ignore-eos --seed 9 --json "$WORK/prefix.json" >/dev/null
scrape prefix.after
check_run prefix chat_completions
hits=$(( $(prom prefix.after dsinfer_prefix_cache_hits_tokens_total) - $(prom prefix.before dsinfer_prefix_cache_hits_tokens_total) ))
expect_true "$hits >= 5 * 48" "prefix: the shared 80-token prefix hits the prefix cache ($hits tokens)"

# 4. A JSONL dataset, chat messages and plain prompts, with per-entry max_tokens.
cat >"$WORK/data.jsonl" <<'JSONL'
{"prompt": "Write a haiku about the sea.", "max_tokens": 5}
{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]}
JSONL
scrape dataset.before
"${LT[@]}" --concurrency 2 --requests 6 --dataset "$WORK/data.jsonl" --max-tokens 7 --ignore-eos \
  --json "$WORK/dataset.json" >/dev/null
scrape dataset.after
check_run dataset chat_completions
expect_eq "$r_tokens_completion" 36 "dataset: 3 x 5 + 3 x 7 completion tokens"

# 5. Goodput under an SLO nobody can meet is 0.
"${LT[@]}" --concurrency 2 --requests 4 --prompt-tokens 16 --max-tokens 4 --slo-ttft-ms 0.000001 \
  --json "$WORK/slo.json" >/dev/null
jload slo "$WORK/slo.json"
expect_eq "$slo_throughput_goodput_requests_per_s" 0.0 "goodput 0 under an impossible TTFT SLO"

# 6. Usage errors exit 2 with the flag named.
"${LT[@]}" --requests 3 >"$WORK/usage.out" 2>&1
expect_eq "$?" 2 "no --concurrency/--request-rate: exit 2"
expect_contains "$(cat "$WORK/usage.out")" "--concurrency" "the message names the missing flag"

finish
