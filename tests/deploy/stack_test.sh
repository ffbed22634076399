#!/usr/bin/env bash
# End-to-end test of scripts/stack: nginx (HTTPS, self-signed) in front of two `dsinfer serve`
# replicas plus Prometheus. Through nginx with the OpenAI SDK: non-streaming and streaming
# requests succeed and both replicas serve them; X-Request-Id is propagated (client's kept,
# nginx's generated otherwise); Prometheus has both replicas as `up` targets; after one replica
# is killed, requests keep succeeding.
# Usage: stack_test.sh DSINFER_BINARY   (exit 77: nginx, prometheus, node, openssl or the openai
# npm package is not installed)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:?usage: stack_test.sh DSINFER_BINARY}"
export PATH="$PATH:/usr/sbin:/sbin"
for tool in nginx prometheus node openssl curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -f "$root/node_modules/openai/package.json" ] || { echo "SKIP: npm package openai is not installed"; exit 77; }

dir="$(mktemp -d)"
cleanup() { bash "$root/scripts/stack" down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$dir"/replica*.log "$dir"/nginx/error.log; do echo "== $f"; tail -5 "$f"; done; exit 1; }

bash "$root/scripts/stack" up --dir "$dir" --bin "$bin" --https-port 0 -- --threads 1
. "$dir/stack.env"

client() { NODE_EXTRA_CA_CERTS="$CA_CERT" node "$here/stack_client.mjs" "$HTTPS_URL" "$1"; }

# 1. Both replicas serve traffic.
client 4 || fail "requests through nginx failed"
n1=$(grep -c '"endpoint":"chat_completions"' "$dir/replica1.log" || true)
n2=$(grep -c '"endpoint":"chat_completions"' "$dir/replica2.log" || true)
echo "chat requests: replica1 $n1, replica2 $n2"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "both replicas must serve traffic (replica1 $n1, replica2 $n2)"

# 2. X-Request-Id: the client's is kept end to end (response and replica log); nginx makes one otherwise.
hdr=$(curl -sS --cacert "$CA_CERT" -D - -o /dev/null "$HTTPS_URL/v1/models" -H 'X-Request-Id: stack-test-42')
grep -qi '^x-request-id: stack-test-42' <<<"$hdr" || fail "X-Request-Id not echoed: $hdr"
grep -q '"request_id":"stack-test-42"' "$dir"/replica*.log || fail "replica did not log the client's X-Request-Id"
hdr=$(curl -sS --cacert "$CA_CERT" -D - -o /dev/null "$HTTPS_URL/v1/models")
grep -Eqi '^x-request-id: [0-9a-f]{32}' <<<"$hdr" || fail "nginx did not generate an X-Request-Id: $hdr"

# 3. Prometheus scrapes both replicas.
up=""
for _ in $(seq 60); do
  up=$(curl -sf "$PROMETHEUS_URL/api/v1/query" --data-urlencode 'query=up{job="dsinfer"} == 1' |
       python3 -c 'import json, sys; print(len(json.load(sys.stdin)["data"]["result"]))' || echo 0)
  [ "$up" = 2 ] && break
  sleep 0.5
done
[ "$up" = 2 ] || fail "Prometheus sees $up of 2 replicas up"
echo "prometheus: both replicas up"

# 4. Kill one replica: requests keep succeeding (nginx fails over to the other).
kill -KILL "$REPLICA1_PID"
before=$(grep -c '"endpoint":"chat_completions"' "$dir/replica2.log" || true)
client 3 || fail "requests failed after a replica was killed"
after=$(grep -c '"endpoint":"chat_completions"' "$dir/replica2.log" || true)
[ "$after" -ge $((before + 6)) ] || fail "replica2 served $((after - before)) of 6 chat requests after the kill"
echo "stack_test: ok"
