#!/usr/bin/env bash
# Lifecycle of the real `dsinfer serve`: a client that disconnects mid-stream cancels its
# request and its KV blocks are freed (seen on /metrics); SIGTERM with requests in flight flips
# readiness, refuses new connections, lets every request finish and exits 0; the drain timeout
# bounds that; start-up failures exit non-zero with one clear line; TLS serves HTTPS.
# Usage: lifecycle_test.sh path/to/dsinfer
source "$(dirname "$0")/lib.sh" "$1"

wait_for_data_lines() {  # FILE N: waits until FILE holds N SSE data lines
  local i
  for i in $(seq 1 300); do
    [ "$(grep -c '^data: ' "$1" 2>/dev/null)" -ge "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

wait_for_metric() {  # NAME VALUE: polls /metrics for up to 10 s
  local i
  for i in $(seq 1 200); do
    [ "$(metric "$1")" = "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

# --- disconnect mid-stream frees the request's KV blocks ---
start_server disconnect
expect_eq "$(metric dsinfer_kv_cache_blocks_used)" 0 "no KV blocks in use at idle"
curl -sN "$BASE/v1/completions" -H 'Content-Type: application/json' -H 'X-Request-Id: goes-away' \
  -d '{"prompt":"Tell a long story","max_tokens":3000,"ignore_eos":true,"stream":true}' >"$WORK/gone.txt" &
client=$!
wait_for_data_lines "$WORK/gone.txt" 3
used=$(metric dsinfer_kv_cache_blocks_used)
expect_eq "$([ "${used:-0}" -ge 1 ] && echo yes)" yes "the streaming request holds KV blocks ($used)"
expect_eq "$(metric dsinfer_requests_running)" 1 "the request is running"
kill -KILL "$client"
wait "$client" 2>/dev/null
wait_for_metric dsinfer_requests_cancelled_total 1
expect_eq "$(metric dsinfer_requests_cancelled_total)" 1 "the disconnect cancelled the request"
wait_for_metric dsinfer_kv_cache_blocks_used 0
expect_eq "$(metric dsinfer_kv_cache_blocks_used)" 0 "its KV blocks are freed"
expect_eq "$(metric dsinfer_requests_running)" 0 "nothing is running"
sleep 0.2
expect_contains "$(grep '"request_id":"goes-away"' "$SERVER_LOG")" '"status":499' "the abandoned request is logged with status 499"

# --- SIGTERM drains in-flight requests and exits 0 ---
start_server drain --drain-timeout 120
pids=()
# Long enough that no stream can finish between its second event and the SIGTERM (the demo
# model decodes a few hundred tokens per second per stream in a release build).
for i in 1 2 3; do
  curl -sN "$BASE/v1/chat/completions" -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"Go"}],"max_tokens":1000,"ignore_eos":true,"stream":true}' >"$WORK/drain$i.txt" &
  pids+=($!)
done
for i in 1 2 3; do wait_for_data_lines "$WORK/drain$i.txt" 2; done
kill -TERM "$SERVER_PID"
sleep 0.3
refused=0
curl -s -o /dev/null --max-time 3 "$BASE/healthz" || refused=1
expect_eq "$refused" 1 "new connections are refused while draining"
for i in 1 2 3; do
  wait "${pids[$((i - 1))]}"
  expect_eq "$(tail -2 "$WORK/drain$i.txt" | head -1)" "data: [DONE]" "in-flight stream $i completed"
  expect_eq "$(grep -c '"finish_reason":"length"' "$WORK/drain$i.txt")" 1 "in-flight stream $i ran to max_tokens"
done
wait "$SERVER_PID"
expect_eq "$?" 0 "the server exits 0 after draining"
expect_contains "$(grep '"event":"draining"' "$SERVER_LOG")" '"in_flight":3' "draining is logged with the in-flight count"
expect_eq "$(tail -1 "$SERVER_LOG" | grep -c '"event":"stopped"')" 1 "the last log line is 'stopped'"

# --- the drain timeout bounds the wait ---
start_server drain_timeout --drain-timeout 0.5
curl -sN "$BASE/v1/completions" -H 'Content-Type: application/json' \
  -d '{"prompt":"x","max_tokens":3500,"ignore_eos":true,"stream":true}' >"$WORK/slow.txt" &
slow=$!
wait_for_data_lines "$WORK/slow.txt" 2
start=$(date +%s)
kill -INT "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
expect_eq "$rc" 0 "SIGINT with a request past the drain timeout still exits 0"
expect_eq "$([ $(( $(date +%s) - start )) -le 10 ] && echo yes)" yes "the drain timeout bounds shutdown"
expect_eq "$(grep -c '"event":"drain_timeout"' "$SERVER_LOG")" 1 "the drain timeout is logged"
wait "$slow" 2>/dev/null

# --- start-up failures: non-zero exit, one clear line ---
start_server holder
"$DSINFER_BIN" serve --port "$PORT" --model-cache-dir "$WORK/cache" >"$WORK/inuse.out" 2>"$WORK/inuse.err"
rc=$?
expect_eq "$([ $rc -ne 0 ] && echo yes)" yes "a port in use fails (exit $rc)"
expect_eq "$(wc -l <"$WORK/inuse.err" | tr -d ' ')" 1 "with exactly one line"
expect_contains "$(cat "$WORK/inuse.err")" "already in use" "that names the problem"
"$DSINFER_BIN" serve --port 0 --model "$WORK/missing.gguf" >"$WORK/bad.out" 2>"$WORK/bad.err"
rc=$?
expect_eq "$([ $rc -ne 0 ] && echo yes)" yes "a missing model fails (exit $rc)"
expect_contains "$(tail -1 "$WORK/bad.err")" "dsinfer: error: model $WORK/missing.gguf" "with one error line naming the model"
expect_eq "$(grep -c 'dsinfer: error' "$WORK/bad.err")" 1 "and only one error line"
"$DSINFER_BIN" serve --max-batch-size many >"$WORK/flag.out" 2>"$WORK/flag.err"
expect_eq "$?" 2 "a bad option value is a usage error (exit 2)"
expect_contains "$(cat "$WORK/flag.err")" "max_batch_size" "naming the option"
DSINFER_PORT=notaport "$DSINFER_BIN" serve >"$WORK/env.out" 2>"$WORK/env.err"
expect_contains "$(cat "$WORK/env.err")" "DSINFER_PORT" "a bad environment value names the variable"
printf 'max_batch_size: 4\nbogus_key: 1\n' >"$WORK/bad.yaml"
"$DSINFER_BIN" serve --config "$WORK/bad.yaml" >"$WORK/yaml.out" 2>"$WORK/yaml.err"
expect_contains "$(cat "$WORK/yaml.err")" "bogus_key" "an unknown YAML key is named"
help=$("$DSINFER_BIN" serve --help)
for flag in --max-batch-size --warmup-prompts --block-size --kv-cache-memory --api-key-file --drain-timeout \
  --tls-cert --rate-limit-rps --log-prompts --vllm-metrics --port-file DSINFER_MAX_BATCH_SIZE; do
  expect_contains "$help" "$flag" "serve --help documents $flag"
done

# --- configuration layers: YAML < environment < flags ---
printf 'served_model_name: from-yaml\nmax_model_len: 128\n' >"$WORK/cfg.yaml"
DSINFER_SERVED_MODEL_NAME=from-env start_server layered --config "$WORK/cfg.yaml"
http GET /v1/models
expect_eq "$(jget "$BODY" 'j.data[0].id + "/" + j.data[0].max_model_len')" from-env/128 "environment overrides YAML"
kill -TERM "$SERVER_PID"
DSINFER_SERVED_MODEL_NAME=from-env start_server layered2 --config "$WORK/cfg.yaml" --served-model-name from-flag
http GET /v1/models
expect_eq "$(jget "$BODY" 'j.data[0].id')" from-flag "flags override the environment"

# --- warm-up prompts are prefilled and pinned ---
printf 'You are a helpful assistant. Answer briefly and precisely, and do not make things up.\\nQuestion:\n' >"$WORK/warmup.txt"
start_server warmup --warmup-prompts "$WORK/warmup.txt" --block-size 4
expect_eq "$([ "$(metric dsinfer_kv_cache_blocks_pinned)" -ge 1 ] && echo yes)" yes "warm-up prompt blocks are pinned"

# --- TLS ---
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1
  SCHEME=https start_server tls --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
  post /v1/completions '{"prompt":"Hi","max_tokens":3}'
  expect_eq "$STATUS" 200 "completion over HTTPS"
  expect_eq "$(jget "$BODY" 'j.usage.completion_tokens > 0')" true "HTTPS response body"
  "$DSINFER_BIN" serve --port 0 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/nokey.pem" 2>"$WORK/tls.err" >/dev/null
  expect_contains "$(cat "$WORK/tls.err")" "tls_key" "a missing TLS key file is named"
else
  echo "skip - TLS (no openssl)"
fi

finish
