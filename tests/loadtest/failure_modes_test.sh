#!/usr/bin/env bash
# `dsinfer loadtest` against a misbehaving upstream (fake_upstream.py): connections dropped
# mid-stream, 500s, 429s, stalls, malformed events and streams without [DONE] are each reported
# under their error kind, exactly as often as the upstream misbehaved; a stalled server neither
# hangs a --requests run (stall timeout) nor delays the end of a --duration run (in-flight
# requests are cancelled at the deadline); a closed port is a connect error.
# Usage: failure_modes_test.sh path/to/dsinfer
source "$(dirname "$0")/lib.sh" "$1"
LT="$DSINFER_BIN"
GRACE=2.5  # seconds allowed past --duration for the whole process (set-up included)

# 1. Every misbehaviour, exact counts: the upstream cycles ok, drop, http500, http429, stall,
#    malformed, nodone, so 35 requests meet each 5 times.
start_fake mixed --mode mixed --tokens 4 --interval-ms 5
t0=$(now)
"$LT" loadtest --url "$FAKE" --concurrency 7 --requests 35 --stall-timeout 1 --prompt-tokens 16 \
  --max-tokens 4 --json "$WORK/mixed.json" >"$WORK/mixed.txt" 2>&1
rc=$?
t1=$(now)
jload m "$WORK/mixed.json"
expect_eq "$rc" 0 "mixed: exit 0 (some requests succeeded)"
expect_eq "$m_errors_by_kind" '{"dropped": 5, "http_429": 5, "http_500": 5, "malformed": 10, "timeout": 5}' \
  "mixed: errors by kind"
expect_eq "$m_requests_succeeded" 5 "mixed: 5 succeeded"
expect_true "$m_errors_rate > 0.857 && $m_errors_rate < 0.858" "mixed: error rate 30/35"
expect_eq "$m_tokens_completion" 20 "mixed: only successes count tokens"
expect_true "$t1 - $t0 < 8" "mixed: stalls end at the 1 s stall timeout (took $(elapsed "$t0" "$t1") s)"
expect_contains "$(cat "$WORK/mixed.txt")" "http_500" "mixed: the table lists the error kinds"
expect_contains "$m_errors_examples_http_500" "fake failure" "mixed: the 500's error body is quoted"

# 2. The same upstream under --duration: the run ends at the deadline plus a small grace.
t0=$(now)
"$LT" loadtest --url "$FAKE" --concurrency 20 --duration 3 --stall-timeout 30 --prompt-tokens 16 \
  --max-tokens 4 --json "$WORK/duration.json" >/dev/null 2>&1
rc=$?
t1=$(now)
jload d "$WORK/duration.json"
expect_eq "$rc" 0 "duration: exit 0"
expect_true "$t1 - $t0 < 3 + $GRACE" "duration: finished within 3 s + ${GRACE} s (took $(elapsed "$t0" "$t1") s)"
expect_true "$d_duration_s < 3.5" "duration: the run itself lasted about 3 s ($d_duration_s s)"
expect_true "$d_requests_cancelled > 0" "duration: stalled requests were cancelled at the deadline"
expect_true "${d_errors_by_kind_dropped:-0} > 0 && ${d_errors_by_kind_http_500:-0} > 0 && \
${d_errors_by_kind_http_429:-0} > 0 && ${d_errors_by_kind_malformed:-0} > 0" "duration: each error kind was seen"
expect_eq "$d_stopped_early" true "duration: stopped at the deadline"

# 3. A server that stalls every stream: --duration still ends on time, nothing counts as failed.
start_fake stall --mode stall
t0=$(now)
"$LT" loadtest --url "$FAKE" --concurrency 50 --duration 2 --stall-timeout 60 --prompt-tokens 16 \
  --json "$WORK/stall.json" >/dev/null 2>&1
rc=$?
t1=$(now)
jload s "$WORK/stall.json"
expect_eq "$rc" 0 "stall: exit 0 (cancelled requests are not failures)"
expect_true "$t1 - $t0 < 2 + $GRACE" "stall: finished within 2 s + ${GRACE} s (took $(elapsed "$t0" "$t1") s)"
expect_eq "$s_requests_cancelled" 50 "stall: all 50 in-flight requests cancelled"
expect_eq "$s_errors_total" 0 "stall: no errors"

# 4. --requests against a stalling server ends by the stall timeout, as timeouts.
t0=$(now)
"$LT" loadtest --url "$FAKE" --concurrency 4 --requests 4 --stall-timeout 0.5 --prompt-tokens 16 \
  --json "$WORK/stall_requests.json" >/dev/null 2>&1
rc=$?
t1=$(now)
jload t "$WORK/stall_requests.json"
expect_eq "$rc" 1 "stall-timeout: exit 1 (no request succeeded)"
expect_eq "$t_errors_by_kind" '{"timeout": 4}' "stall-timeout: 4 timeouts"
expect_true "$t1 - $t0 < 4" "stall-timeout: ended after the 0.5 s stall timeout (took $(elapsed "$t0" "$t1") s)"

# 5. Nothing listening: connect errors, the run still reports.
port=$(free_port)
"$LT" loadtest --url "http://127.0.0.1:$port" --concurrency 2 --requests 4 --prompt-tokens 8 \
  --json "$WORK/refused.json" >"$WORK/refused.txt" 2>&1
expect_eq "$?" 1 "refused: exit 1 (no request succeeded)"
jload c "$WORK/refused.json"
expect_eq "$c_errors_by_kind" '{"connect": 4}' "refused: 4 connect errors"
expect_contains "$(cat "$WORK/refused.txt")" "approximate" "refused: the note says prompt lengths are approximate"

finish
