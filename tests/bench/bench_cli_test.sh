#!/usr/bin/env bash
# `dsinfer bench` on the built-in demo model: both modes run, their JSON reports carry every
# field the docs quote, and the numbers are sane (positive speeds, a bandwidth, a roofline
# fraction between 0 and 1.5, one result per requested concurrency, no preemption, every
# requested token generated, medians over --rounds). Speeds themselves are benchmarks, not
# checked here.
set -euo pipefail
bin="$1"
command -v python3 >/dev/null || { echo "python3 not found: skipping"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin" bench -p 32 -n 16 -r 2 --json > "$work/roofline.json"
python3 - "$work/roofline.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for key in ("prefill_tok_s", "decode_tok_s"):
    assert r[key]["median"] > 0 and r[key]["min"] <= r[key]["median"] <= r[key]["max"], (key, r[key])
assert r["read_bandwidth_gb_s"] > 0 and r["read_bandwidth_best_gb_s"] >= r["read_bandwidth_gb_s"] * 0.999, r
assert r["bytes_read_per_token"] > 0, r
assert r["decode_roofline_tok_s"] > 0, r
assert 0 < r["roofline_fraction_min"] <= r["roofline_fraction"] <= r["roofline_fraction_max"] < 1.5, r
assert 0 < r["roofline_fraction_vs_best_bandwidth"] <= r["roofline_fraction_max"] * 1.001, r
assert r["peak_rss_bytes"] > 0 and r["reps"] == 2 and r["threads"] >= 1, r
print("roofline report ok:", r["decode_tok_s"]["median"], "tok/s,", round(100 * r["roofline_fraction"], 1), "%")
PY

# Text mode prints the same quantities.
"$bin" bench -p 0 -n 8 -r 1 > "$work/roofline.txt"
grep -q "^decode tg8: " "$work/roofline.txt"
grep -q "of the roofline (median of repetitions" "$work/roofline.txt"

"$bin" bench -c 1,3 -p 16 -n 8 --json > "$work/engine.json"
python3 - "$work/engine.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
res = r["results"]
assert [x["concurrency"] for x in res] == [1, 3], res
for x in res:
    assert x["preemptions"] == 0, x
    assert x["generated_tokens"] == 8 * x["concurrency"], x
    assert x["aggregate_output_tokens_per_second"] > 0 and x["aggregate_decode_tokens_per_second"] > 0, x
    assert x["steady_decode_tokens_per_second"] > 0, x
    assert 0 < x["ttft_p50_seconds"] <= x["ttft_p99_seconds"], x
print("engine report ok:", [(x["concurrency"], round(x["aggregate_decode_tokens_per_second"], 1)) for x in res])
PY

# Rounds: the concurrency list runs in turn, and each concurrency's medians come with their
# ratio to concurrency 1.
"$bin" bench -c 1,2 -p 8 -n 4 --rounds 3 --json > "$work/rounds.json"
python3 - "$work/rounds.json" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))
res = r["results"]
assert r["rounds"] == 3, r
assert [(x["round"], x["concurrency"]) for x in res] == [(k, c) for k in range(3) for c in (1, 2)], res
med = {m["concurrency"]: m for m in r["medians"]}
assert sorted(med) == [1, 2], r["medians"]
for c, m in med.items():
    runs = [x["aggregate_decode_tokens_per_second"] for x in res if x["concurrency"] == c]
    assert m["runs"] == 3, m
    assert abs(m["aggregate_decode_tokens_per_second"] - statistics.median(runs)) < 1e-9, (m, runs)
    assert m["aggregate_decode_tokens_per_second_min"] == min(runs), m
    assert m["aggregate_decode_tokens_per_second_max"] == max(runs), m
assert abs(med[1]["decode_vs_concurrency_1"] - 1.0) < 1e-12, med[1]
ratio = med[2]["aggregate_decode_tokens_per_second"] / med[1]["aggregate_decode_tokens_per_second"]
assert abs(med[2]["decode_vs_concurrency_1"] - ratio) < 1e-9, med[2]
print("rounds report ok: x1 =", round(med[2]["decode_vs_concurrency_1"], 2))
PY
"$bin" bench -c 1,2 -p 8 -n 4 --rounds 2 > "$work/rounds.txt"
grep -q "^medians over 2 rounds" "$work/rounds.txt"

# Bad input: a clear message and a non-zero exit, no crash.
if "$bin" bench -c 0 > "$work/bad.txt" 2>&1; then echo "bench -c 0 should fail"; exit 1; fi
grep -q "concurrency" "$work/bad.txt"
if "$bin" bench -c 1 --rounds 0 > "$work/bad.txt" 2>&1; then echo "bench --rounds 0 should fail"; exit 1; fi
grep -q "rounds" "$work/bad.txt"
echo "bench cli ok"
