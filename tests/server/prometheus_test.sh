#!/usr/bin/env bash
# A real Prometheus server (Debian package `prometheus`) scrapes the real `dsinfer serve`, and a
# PromQL query over its HTTP API returns the request count this test produced. Skips (77) when
# Prometheus is not installed. Usage: prometheus_test.sh path/to/dsinfer
source "$(dirname "$0")/lib.sh" "$1"
command -v prometheus >/dev/null || { echo "SKIP: prometheus not installed"; exit 77; }

start_server scraped --vllm-metrics
for i in 1 2 3 4 5; do
  post /v1/completions '{"prompt":"Hi","max_tokens":2,"ignore_eos":true}'
  expect_eq "$STATUS" 200 "completion $i"
done

prom_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})')
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: dsinfer
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$PORT']
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$WORK/prometheus.log" 2>&1 &
SERVER_PIDS+=($!)
PROM="http://127.0.0.1:$prom_port"

query() {  # query PROMQL: prints the first result's value, or nothing
  curl -s -G "$PROM/api/v1/query" --data-urlencode "query=$1" >"$WORK/q.json" || return
  jget "$WORK/q.json" 'j.status === "success" && j.data.result.length ? j.data.result[0].value[1] : ""' 2>/dev/null
}

count=""
for i in $(seq 1 120); do
  count=$(query 'sum(dsinfer_http_requests_total{endpoint="completions",status="200"})')
  [ "$count" = 5 ] && break
  sleep 0.25
done
expect_eq "$count" 5 "PromQL over the scraped metrics counts the 5 completions"
expect_eq "$(query 'up{job="dsinfer"}')" 1 "the target is up"
expect_eq "$(query 'sum(dsinfer_generation_tokens_total)')" 10 "generated tokens are scraped"
expect_eq "$(query 'count(dsinfer_time_to_first_token_seconds_bucket)')" 21 "the ttft histogram has its buckets"
expect_eq "$(query 'vllm:num_requests_running')" 0 "vllm: gauge names are scraped"
if [ "$FAILED" -ne 0 ]; then tail -20 "$WORK/prometheus.log"; fi

finish
