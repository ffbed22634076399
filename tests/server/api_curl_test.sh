#!/usr/bin/env bash
# The OpenAI-compatible API of the real `dsinfer serve` (built-in tiny demo model) driven with
# curl: chat and text completions (plain, streamed with usage, n > 1, stop strings, seeds,
# logprobs, echo), the small endpoints, request ids, metrics, and every request error path with
# the OpenAI error object. Usage: api_curl_test.sh path/to/dsinfer
source "$(dirname "$0")/lib.sh" "$1"

start_server api --chat-template-file "$(dirname "$0")/tools_template.jinja" --max-model-len 256 --max-body-bytes 65536 --max-n 4 --vllm-metrics
expect_contains "$(head -1 "$SERVER_LOG")" "\"port\":$PORT" "first log line reports the ephemeral port"
expect_contains "$(head -1 "$SERVER_LOG")" "built-in 'tiny' demo model" "first log line says the demo model is served"

# --- health, version, models ---
http GET /healthz
expect_eq "$STATUS" 200 "GET /healthz"
http GET /readyz
expect_eq "$(jget "$BODY" j.status)" ready "GET /readyz says ready"
http GET /version
expect_eq "$(jget "$BODY" 'typeof j.version')" string "GET /version has a version"
http GET /v1/models
expect_eq "$(jget "$BODY" 'j.data[0].id')" dsinfer-tiny "GET /v1/models lists the demo model"
expect_eq "$(jget "$BODY" 'j.data[0].max_model_len')" 256 "models report max_model_len"

# --- chat completions ---
post /v1/chat/completions '{"model":"dsinfer-tiny","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"}],"max_tokens":8,"ignore_eos":true}' \
  -H 'X-Request-Id: curl-chat-1'
expect_eq "$STATUS" 200 "chat completion"
expect_eq "$(jget "$BODY" 'j.object')" chat.completion "chat object type"
expect_eq "$(jget "$BODY" 'j.choices[0].message.role')" assistant "chat message role"
expect_eq "$(jget "$BODY" 'j.choices[0].finish_reason')" length "chat finish_reason length"
expect_eq "$(jget "$BODY" 'j.usage.completion_tokens')" 8 "chat usage.completion_tokens"
expect_eq "$(jget "$BODY" 'j.usage.total_tokens === j.usage.prompt_tokens + 8')" true "chat usage totals"
expect_eq "$(header_value "$HEADERS" X-Request-Id)" curl-chat-1 "X-Request-Id is echoed"
expect_eq "$(jget "$BODY" 'j.id')" chatcmpl-curl-chat-1 "completion id carries the request id"
sleep 0.2
expect_contains "$(grep '"request_id":"curl-chat-1"' "$SERVER_LOG")" '"completion_tokens":8' "request log line has token counts"
expect_contains "$(grep '"request_id":"curl-chat-1"' "$SERVER_LOG")" '"ttft_ms":' "request log line has ttft"
expect_eq "$(grep -c 'Hello there' "$SERVER_LOG")" 0 "prompts are not logged without --log-prompts"

post /v1/chat/completions '{"messages":[{"role":"user","content":"Hi"}],"max_tokens":3}'
expect_eq "$(header_value "$HEADERS" X-Request-Id | wc -c | tr -d ' ')" 21 "a request id is generated when none is sent"

# n > 1
post /v1/chat/completions '{"messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"n":3,"ignore_eos":true}'
expect_eq "$(jget "$BODY" 'j.choices.map(c => c.index).join(",")')" 0,1,2 "n=3 gives three choices"
expect_eq "$(jget "$BODY" 'j.usage.completion_tokens')" 12 "usage counts all samples"

# seeds: same seed, same text; temperature 0 is greedy
seeded='{"messages":[{"role":"user","content":"Tell me"}],"max_tokens":16,"temperature":1.0,"seed":1234,"ignore_eos":true}'
post /v1/chat/completions "$seeded"
first=$(jget "$BODY" 'j.choices[0].message.content')
post /v1/chat/completions "$seeded"
expect_eq "$(jget "$BODY" 'j.choices[0].message.content')" "$first" "same seed reproduces the output"

# --- text completions, stop strings, logprobs, echo ---
greedy='{"prompt":"The weather today","max_tokens":24,"temperature":0,"ignore_eos":true}'
post /v1/completions "$greedy"
expect_eq "$(jget "$BODY" 'j.object')" text_completion "completion object type"
full=$(jget "$BODY" 'j.choices[0].text')
post /v1/completions "$greedy"
expect_eq "$(jget "$BODY" 'j.choices[0].text')" "$full" "greedy completion is deterministic"
# A stop string taken from the middle of the greedy output cuts it there.
printf '%s' "$full" >"$WORK/full.txt"
# (an ASCII window: bytes the JSON encoder had to replace would not match the raw output)
stop=$(node -e 'const t=require("fs").readFileSync(process.argv[1],"utf8"); const m=/[a-z ]{3}/.exec(t.slice(4)); process.stdout.write(m ? m[0] : "")' "$WORK/full.txt")
stop_json=$(node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$stop")
post /v1/completions "{\"prompt\":\"The weather today\",\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true,\"stop\":[$stop_json]}"
expected_prefix=$(node -e 'const t=require("fs").readFileSync(process.argv[1],"utf8"); process.stdout.write(t.slice(0, t.indexOf(process.argv[2])))' "$WORK/full.txt" "$stop")
expect_eq "$(jget "$BODY" 'j.choices[0].text')" "$expected_prefix" "stop string cuts the text before it"
expect_eq "$(jget "$BODY" 'j.choices[0].finish_reason')" stop "stop string finishes with 'stop'"

post /v1/completions '{"prompt":"Hello","max_tokens":3,"logprobs":2,"echo":true,"ignore_eos":true}'
expect_eq "$(jget "$BODY" 'j.choices[0].logprobs.tokens.length')" 3 "completion logprobs per token"
expect_eq "$(jget "$BODY" 'j.choices[0].logprobs.top_logprobs[0] && Object.keys(j.choices[0].logprobs.top_logprobs[0]).length >= 1')" true "top_logprobs alternatives"
expect_eq "$(jget "$BODY" 'j.choices[0].text.startsWith("Hello")')" true "echo puts the prompt first"
post /v1/chat/completions '{"messages":[{"role":"user","content":"Hi"}],"max_tokens":2,"logprobs":true,"top_logprobs":3,"ignore_eos":true}'
expect_eq "$(jget "$BODY" 'j.choices[0].logprobs.content.length + ":" + j.choices[0].logprobs.content[0].top_logprobs.length')" 2:3 "chat logprobs with top_logprobs"
post /v1/completions '{"prompt":["One","Two"],"max_tokens":2,"n":2,"ignore_eos":true}'
expect_eq "$(jget "$BODY" 'j.choices.length')" 4 "two prompts x n=2 give four choices"

# --- streaming ---
curl -sN "$BASE/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"messages":[{"role":"user","content":"Hi"}],"max_tokens":6,"stream":true,"stream_options":{"include_usage":true},"ignore_eos":true}' \
  >"$WORK/stream.txt"
expect_eq "$(tail -2 "$WORK/stream.txt" | head -1)" "data: [DONE]" "stream ends with data: [DONE]"
expect_eq "$(grep -c '^data: {' "$WORK/stream.txt")" "$(grep -c '^data: ' "$WORK/stream.txt" | awk '{print $1-1}')" "every other event is a JSON chunk"
grep '^data: {' "$WORK/stream.txt" | sed 's/^data: //' >"$WORK/chunks.jsonl"
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const usage = lines.filter(c => c.usage);
  const finish = lines.filter(c => c.choices.length && c.choices[0].finish_reason);
  console.log(JSON.stringify({first_role: lines[0].choices[0].delta.role, usage_last: lines[lines.length-1].usage ? lines[lines.length-1].usage.completion_tokens : null, usage_chunks: usage.length, usage_choices: usage.length ? usage[0].choices.length : -1, finish: finish.map(c => c.choices[0].finish_reason).join()}));
' "$WORK/chunks.jsonl" >"$WORK/stream_summary.json"
expect_eq "$(jget "$WORK/stream_summary.json" 'j.first_role')" assistant "first chunk carries the role"
expect_eq "$(jget "$WORK/stream_summary.json" 'j.finish')" length "one finish chunk"
expect_eq "$(jget "$WORK/stream_summary.json" 'j.usage_last + "/" + j.usage_chunks + "/" + j.usage_choices')" 6/1/0 "include_usage adds one final usage chunk without choices"
curl -sN "$BASE/v1/completions" -H 'Content-Type: application/json' \
  -d '{"prompt":"Hi","max_tokens":5,"stream":true,"ignore_eos":true}' >"$WORK/stream2.txt"
expect_eq "$(grep -c '"usage":{' "$WORK/stream2.txt")" 0 "no usage chunk without include_usage"
expect_eq "$(tail -2 "$WORK/stream2.txt" | head -1)" "data: [DONE]" "completion stream ends with [DONE]"
expect_eq "$(curl -s -D - -o /dev/null "$BASE/v1/completions" -H 'Content-Type: application/json' -d '{"prompt":"Hi","max_tokens":2,"stream":true}' | grep -ci '^transfer-encoding: chunked')" 1 "streams use chunked transfer encoding"

# --- tokenize / detokenize, tools rendered through the template ---
post /tokenize '{"prompt":"Hello world"}'
ids=$(jget "$BODY" 'j.tokens')
expect_eq "$(jget "$BODY" 'j.count === j.tokens.length')" true "/tokenize count"
post /detokenize "{\"tokens\":$ids}"
expect_contains "$(jget "$BODY" 'j.prompt')" "Hello world" "/detokenize round trip"
tools='[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]'
post /tokenize "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],\"tools\":$tools}"
post /detokenize "{\"tokens\":$(jget "$BODY" 'j.tokens')}"
expect_contains "$(jget "$BODY" 'j.prompt')" "get_weather" "tools are rendered into the prompt by the chat template"
post /v1/chat/completions "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],\"tools\":$tools,\"max_tokens\":4}"
expect_eq "$STATUS" 200 "chat with tools"
with_tools=$(jget "$BODY" 'j.usage.prompt_tokens')
post /v1/chat/completions "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],\"tools\":$tools,\"tool_choice\":\"none\",\"max_tokens\":4}"
expect_eq "$(( with_tools > $(jget "$BODY" 'j.usage.prompt_tokens') ))" 1 "tool_choice none leaves the tools out of the prompt"
post /v1/chat/completions '{"messages":[{"role":"user","content":"What was the weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_0","content":"sunny"}],"max_tokens":3}'
expect_eq "$STATUS" 200 "a conversation with a tool call and a tool result renders"

# --- errors: every failure is the OpenAI error object ---
post /v1/chat/completions '{"messages": [ {"role": "user", '
expect_error 400 invalid_json "" "malformed JSON"
post /v1/chat/completions '{"messages":[{"role":"user","content":"x"}],"max_tokens":"ten"}'
expect_error 400 "" max_tokens "max_tokens of the wrong type"
post /v1/chat/completions '{"messages":[{"role":"user","content":"x"}],"temperature":5}'
expect_error 400 "" temperature "temperature out of range"
post /v1/chat/completions '{"messages":[{"role":"user","content":"x"}],"n":5}'
expect_error 400 "" n "n above --max-n"
post /v1/chat/completions '{"messages":"hello"}'
expect_error 400 "" messages "messages of the wrong type"
post /v1/chat/completions '{"messages":[{"role":"user","content":"x"}],"stop":[1]}'
expect_error 400 "" "stop[0]" "stop of the wrong type"
post /v1/chat/completions '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}'
expect_error 404 model_not_found model "unknown model"
long=$(printf 'word %.0s' $(seq 1 400))
post /v1/chat/completions "{\"messages\":[{\"role\":\"user\",\"content\":\"$long\"}]}"
expect_error 400 context_length_exceeded messages "prompt longer than the context window"
post /v1/completions "{\"prompt\":\"$long\"}"
expect_error 400 context_length_exceeded prompt "completion prompt longer than the context window"
post /v1/completions '{"prompt":"Hi","max_tokens":300}'
expect_error 400 context_length_exceeded max_tokens "max_tokens past the context window"
post /v1/completions '{"prompt":[1, 99999999]}'
expect_error 400 "" prompt "token id outside the vocabulary"
head -c 70000 /dev/zero | tr '\0' 'a' >"$WORK/big.txt"
http POST /v1/completions --data-binary @"$WORK/big.txt"
expect_error 413 request_too_large "" "body over --max-body-bytes"
http GET /v1/nothing-here
expect_error 404 not_found "" "unknown path"
http GET /v1/chat/completions
expect_error 405 method_not_allowed "" "wrong method"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'this is not http\r\n\r\n' >&3
raw=$(timeout 5 head -1 <&3 | tr -d '\r')
exec 3<&-
expect_eq "$raw" "HTTP/1.1 400 Bad Request" "a malformed request line gets a 400"

# --- keep-alive: two requests over one connection ---
conns=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' "$BASE/healthz" "$BASE/healthz" | awk '{ s += $1 } END { print s }')
expect_eq "$conns" 1 "keep-alive reuses the connection"

# --- metrics ---
curl -s "$BASE/metrics" >"$WORK/metrics.txt"
expect_contains "$(cat "$WORK/metrics.txt")" 'dsinfer_http_requests_total{endpoint="chat_completions",status="200"}' "requests by endpoint and status"
expect_contains "$(cat "$WORK/metrics.txt")" 'dsinfer_http_requests_total{endpoint="completions",status="413"} 1' "413 counted"
expect_contains "$(cat "$WORK/metrics.txt")" '# TYPE dsinfer_time_to_first_token_seconds histogram' "ttft histogram"
expect_contains "$(cat "$WORK/metrics.txt")" 'dsinfer_kv_cache_usage_ratio ' "kv cache usage gauge"
expect_contains "$(cat "$WORK/metrics.txt")" 'vllm:num_requests_running{model_name="dsinfer-tiny"} 0' "--vllm-metrics adds vllm: names"
bad_lines=$(grep -v '^#' "$WORK/metrics.txt" | grep -Ev '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfNa]+$' | wc -l)
expect_eq "$bad_lines" 0 "every sample line is in the text exposition format"

finish
