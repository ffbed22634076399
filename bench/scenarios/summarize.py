#!/usr/bin/env python3
"""Turns `dsinfer loadtest --json` results of the bench/scenarios scripts into Markdown tables.

  summarize.py seed DIR          the seed table (seed_<users>.json)
  summarize.py all DIR           every table found in DIR (single stream, concurrency sweep,
                                 shared prefix, seed table)
  summarize.py concurrency-dat DIR   the sweep as whitespace-separated columns for gnuplot:
                                 concurrency req/s output_tok/s e2e_p99_ms ttft_p99_ms tpot_p99_ms error_rate
Standard library only.
"""
import glob
import json
import os
import re
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def numbered(directory, prefix):
    """[(N, json)] for DIR/<prefix>_<N>.json, sorted by N."""
    out = []
    for path in glob.glob(os.path.join(directory, prefix + "_*.json")):
        m = re.fullmatch(prefix + r"_(\d+)\.json", os.path.basename(path))
        if m:
            out.append((int(m.group(1)), load(path)))
    return sorted(out, key=lambda p: p[0])


def ms(x):
    return f"{x:.1f}" if x < 1000 else f"{x:,.0f}"


def pct(x):
    return f"{100 * x:.2f}%"


def model_line(results):
    j = results[0]
    c = j["config"]
    return (f"model `{c['model'] or '?'}` at {c['target']}, prompts: {c['prompt_source']}, "
            f"max_tokens {c['max_tokens']}")


def seed_table(directory):
    rows = numbered(directory, "seed")
    if not rows:
        return ""
    lines = [model_line([j for _, j in rows]), "",
             "| concurrent users | average latency (E2E mean) | p99 latency | TTFT mean | error rate "
             "| requests/s | output tok/s | requests |",
             "|---|---|---|---|---|---|---|---|"]
    for users, j in rows:
        lat = j["latency_ms"]
        req = j["requests"]
        lines.append(f"| {users} | {ms(lat['e2e']['mean'])} ms | {ms(lat['e2e']['p99'])} ms | "
                     f"{ms(lat['ttft']['mean'])} ms | {pct(j['errors']['rate'])} | "
                     f"{j['throughput']['requests_per_s']:.2f} | {j['throughput']['output_tokens_per_s']:.1f} | "
                     f"{req['succeeded']} ok, {req['failed']} failed |")
    return "\n".join(lines) + "\n"


def concurrency_table(directory):
    rows = numbered(directory, "concurrency")
    if not rows:
        return ""
    lines = [model_line([j for _, j in rows]), "",
             "| concurrency | requests/s | output tok/s | TTFT p50 / p99 | TPOT p50 / p99 | E2E p50 / p99 "
             "| error rate |",
             "|---|---|---|---|---|---|---|"]
    for c, j in rows:
        lat, tp = j["latency_ms"], j["throughput"]
        lines.append(f"| {c} | {tp['requests_per_s']:.2f} | {tp['output_tokens_per_s']:.1f} | "
                     f"{ms(lat['ttft']['p50'])} / {ms(lat['ttft']['p99'])} ms | "
                     f"{ms(lat['tpot']['p50'])} / {ms(lat['tpot']['p99'])} ms | "
                     f"{ms(lat['e2e']['p50'])} / {ms(lat['e2e']['p99'])} ms | {pct(j['errors']['rate'])} |")
    return "\n".join(lines) + "\n"


def concurrency_dat(directory):
    out = ["# concurrency requests_per_s output_tokens_per_s e2e_p99_ms ttft_p99_ms tpot_p99_ms error_rate"]
    for c, j in numbered(directory, "concurrency"):
        lat, tp = j["latency_ms"], j["throughput"]
        out.append(f"{c} {tp['requests_per_s']:.6g} {tp['output_tokens_per_s']:.6g} {lat['e2e']['p99']:.6g} "
                   f"{lat['ttft']['p99']:.6g} {lat['tpot']['p99']:.6g} {j['errors']['rate']:.6g}")
    return "\n".join(out) + "\n"


def single_stream_table(directory):
    path = os.path.join(directory, "single_stream.json")
    if not os.path.exists(path):
        return ""
    j = load(path)
    lat = j["latency_ms"]
    return (model_line([j]) + "\n\n| figure | mean | p50 | p90 | p99 |\n|---|---|---|---|---|\n" +
            "".join(f"| {name} | {ms(lat[k]['mean'])} ms | {ms(lat[k]['p50'])} ms | {ms(lat[k]['p90'])} ms | "
                    f"{ms(lat[k]['p99'])} ms |\n"
                    for name, k in (("TTFT", "ttft"), ("TPOT", "tpot"), ("ITL", "itl"), ("E2E", "e2e"))) +
            f"\n{j['throughput']['output_tokens_per_s']:.1f} output tokens/s, "
            f"{j['requests']['succeeded']} requests, error rate {pct(j['errors']['rate'])}\n")


def shared_prefix_table(directory):
    runs = [(m, os.path.join(directory, f"shared_prefix_{m}.json")) for m in ("off", "on")]
    runs = [(m, load(p)) for m, p in runs if os.path.exists(p)]
    if not runs:
        return ""
    lines = [model_line([j for _, j in runs]), "",
             "| shared prefix | TTFT mean | TTFT p99 | E2E mean | requests/s | total tok/s | error rate |",
             "|---|---|---|---|---|---|---|"]
    for m, j in runs:
        lat, tp = j["latency_ms"], j["throughput"]
        shared = j["config"]["shared_prefix_tokens"]
        lines.append(f"| {shared if m == 'on' else 'none'} | {ms(lat['ttft']['mean'])} ms | "
                     f"{ms(lat['ttft']['p99'])} ms | {ms(lat['e2e']['mean'])} ms | {tp['requests_per_s']:.2f} | "
                     f"{tp['total_tokens_per_s']:.1f} | {pct(j['errors']['rate'])} |")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("seed", "all", "concurrency-dat"):
        sys.exit(__doc__)
    mode, directory = sys.argv[1], sys.argv[2]
    if mode == "seed":
        sys.stdout.write(seed_table(directory))
    elif mode == "concurrency-dat":
        sys.stdout.write(concurrency_dat(directory))
    else:
        for title, text in (("Single-stream latency", single_stream_table(directory)),
                            ("Throughput vs concurrency", concurrency_table(directory)),
                            ("Shared-prefix workload", shared_prefix_table(directory)),
                            ("Seed table", seed_table(directory))):
            if text:
                sys.stdout.write(f"### {title}\n\n{text}\n")


if __name__ == "__main__":
    main()
