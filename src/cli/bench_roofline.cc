#include "cli/bench_roofline.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "base/huge_page_memory.h"
#include "cli/commands.h"
#include "cli/model_session.h"
#include "model/footprint.h"

namespace dsinfer::cli {

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Read bandwidth of this machine with the pool's threads: the best of a few passes summing a
// buffer far larger than the caches. The buffer is mapped like the packed weights (transparent
// huge pages where the kernel allows), so both are read through the same kind of pages.
class BandwidthProbe {
 public:
  explicit BandwidthProbe(ThreadPool& pool) : pool_(pool), memory_(HugePageMemory::Map(kBytes)) {
    uint64_t* words = static_cast<uint64_t*>(memory_.data());
    if (words == nullptr) return;
    pool_.ParallelFor(kBytes / sizeof(uint64_t), [&](int, size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) words[i] = i;  // first touch by the thread that reads it
    });
  }

  // Bytes per second, best of `passes`; 0 when the buffer could not be mapped.
  double Measure(int passes) {
    const uint64_t* words = static_cast<const uint64_t*>(memory_.data());
    if (words == nullptr) return 0;
    double best = 0;
    std::vector<uint64_t> sums(static_cast<size_t>(pool_.num_threads()) * 8);
    for (int pass = 0; pass < passes; ++pass) {
      const auto t0 = Clock::now();
      pool_.ParallelFor(kBytes / 64, [&](int t, size_t b, size_t e) {
        uint64_t acc[8] = {};
        for (size_t i = b; i < e; ++i) {
          for (int j = 0; j < 8; ++j) acc[j] += words[i * 8 + j];
        }
        std::memcpy(&sums[static_cast<size_t>(t) * 8], acc, sizeof(acc));
      });
      best = std::max(best, kBytes / Seconds(t0, Clock::now()));
    }
    uint64_t total = 0;
    for (uint64_t v : sums) total += v;
    if (total == 42) std::fprintf(stderr, " ");  // keeps the reads observable
    return best;
  }

 private:
  static constexpr size_t kBytes = size_t{256} << 20;  // far beyond the last-level cache
  ThreadPool& pool_;
  HugePageMemory memory_;
};

struct Stats {
  double median = 0, min = 0, max = 0;
};

Stats Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

long PeakRssKiB() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int RunRooflineBench(const Model& model, ThreadPool& pool, const RooflineOptions& o) {
  const ModelConfig& c = model.config();
  std::mt19937 rng(1);
  std::vector<int32_t> prompt(static_cast<size_t>(o.prompt_tokens));
  for (auto& t : prompt) t = static_cast<int32_t>(rng() % c.n_vocab);

  std::vector<double> prefill_tps, decode_tps;
  std::vector<float> logits;
  // As llama-bench: prefill ("pp") and decode ("tg") are separate tests, each on a fresh
  // sequence; decode starts from an empty context and feeds back its own greedy tokens. One
  // untimed decode warms caches, page tables and the thread pool first.
  auto decode = [&](int n_tokens, double* seconds) -> Status {
    DSINFER_ASSIGN_OR_RETURN(auto seq, SingleSequence::Create(model, n_tokens + 1, o.kv_type));
    int32_t next = prompt.empty() ? 1 : prompt[0];
    const auto t0 = Clock::now();
    for (int i = 0; i < n_tokens; ++i) {
      DSINFER_RETURN_IF_ERROR(seq->Append({next}, false, pool, &logits));
      next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }
    *seconds = Seconds(t0, Clock::now());
    return Status::Ok();
  };
  // The machine is shared and its bandwidth drifts by tens of percent within minutes, so each
  // decode repetition is compared with the bandwidth measured right before and right after it
  // (the better of the two: the more demanding roofline); the report gives the median of those
  // fractions and, as well, the fraction against the best bandwidth seen in the whole run.
  BandwidthProbe probe(pool);
  double best_bandwidth = probe.Measure(8);
  std::vector<double> rep_bandwidth, rep_fraction;
  const ModelFootprint fp = ComputeFootprint(model.file(), c);
  const double bytes_per_token = static_cast<double>(fp.bytes_read_per_token);
  double warm_seconds = 0;
  if (Status st = decode(std::min(o.gen_tokens, 4), &warm_seconds); !st.ok()) {
    PrintError(st.message());
    return 1;
  }
  for (int rep = 0; rep < o.reps; ++rep) {
    if (o.prompt_tokens > 0) {
      auto seq = SingleSequence::Create(model, o.prompt_tokens, o.kv_type);
      if (!seq.ok()) {
        PrintError(seq.status().message());
        return 1;
      }
      const auto t0 = Clock::now();
      for (int start = 0; start < o.prompt_tokens; start += 512) {
        const int len = std::min(512, o.prompt_tokens - start);
        std::vector<int32_t> chunk(prompt.begin() + start, prompt.begin() + start + len);
        Status st = (*seq)->Append(chunk, false, pool, &logits);
        if (!st.ok()) {
          PrintError(st.message());
          return 1;
        }
      }
      prefill_tps.push_back(o.prompt_tokens / Seconds(t0, Clock::now()));
    }
    if (o.gen_tokens > 0) {
      const double before = probe.Measure(4);
      double seconds = 0;
      if (Status st = decode(o.gen_tokens, &seconds); !st.ok()) {
        PrintError(st.message());
        return 1;
      }
      const double bandwidth = std::max(before, probe.Measure(4));
      best_bandwidth = std::max(best_bandwidth, bandwidth);
      decode_tps.push_back(o.gen_tokens / seconds);
      rep_bandwidth.push_back(bandwidth);
      rep_fraction.push_back(bandwidth > 0 ? decode_tps.back() * bytes_per_token / bandwidth : 0);
    }
  }
  if (prefill_tps.empty()) prefill_tps.push_back(0);
  if (decode_tps.empty()) decode_tps.push_back(0);
  if (rep_fraction.empty()) {
    rep_bandwidth.push_back(best_bandwidth);
    rep_fraction.push_back(0);
  }
  const long rss = PeakRssKiB();
  best_bandwidth = std::max(best_bandwidth, probe.Measure(8));
  const Stats pre = Summarize(prefill_tps), dec = Summarize(decode_tps);
  const Stats bw = Summarize(rep_bandwidth), frac = Summarize(rep_fraction);
  const double roofline = bw.median / bytes_per_token;
  const double best_roofline = best_bandwidth / bytes_per_token;
  if (o.json) {
    std::printf(
        "{\"model\": \"%s\", \"threads\": %d, \"prompt_tokens\": %d, \"gen_tokens\": %d, \"reps\": %d,\n"
        " \"prefill_tok_s\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f},\n"
        " \"decode_tok_s\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f},\n"
        " \"read_bandwidth_gb_s\": %.3f, \"read_bandwidth_best_gb_s\": %.3f, \"bytes_read_per_token\": %llu,\n"
        " \"decode_roofline_tok_s\": %.3f, \"roofline_fraction\": %.4f,\n"
        " \"roofline_fraction_min\": %.4f, \"roofline_fraction_max\": %.4f,\n"
        " \"roofline_fraction_vs_best_bandwidth\": %.4f, \"peak_rss_bytes\": %lld}\n",
        o.model_name.c_str(), pool.num_threads(), o.prompt_tokens, o.gen_tokens, o.reps, pre.median, pre.min,
        pre.max, dec.median, dec.min, dec.max, bw.median / 1e9, best_bandwidth / 1e9,
        static_cast<unsigned long long>(fp.bytes_read_per_token), roofline, frac.median, frac.min, frac.max,
        best_roofline > 0 ? dec.median / best_roofline : 0, static_cast<long long>(rss) * 1024);
  } else {
    std::printf("model %s, %d threads, KV %s, %d reps\n", o.model_name.c_str(), pool.num_threads(),
                DTypeName(o.kv_type), o.reps);
    std::printf("prefill pp%d: %.2f tok/s (min %.2f, max %.2f)\n", o.prompt_tokens, pre.median, pre.min, pre.max);
    std::printf("decode tg%d: %.2f tok/s (min %.2f, max %.2f)\n", o.gen_tokens, dec.median, dec.min, dec.max);
    std::printf("weights read per decoded token %.3f GB; read bandwidth around each decode %.2f GB/s (median; "
                "min %.2f, max %.2f); decode roofline %.2f tok/s\n",
                bytes_per_token / 1e9, bw.median / 1e9, bw.min / 1e9, bw.max / 1e9, roofline);
    std::printf("achieved %.1f%% of the roofline (median of repetitions; min %.1f%%, max %.1f%%); "
                "%.1f%% against the best bandwidth of the run (%.2f GB/s)\n",
                100.0 * frac.median, 100.0 * frac.min, 100.0 * frac.max,
                best_roofline > 0 ? 100.0 * dec.median / best_roofline : 0.0, best_bandwidth / 1e9);
    std::printf("peak RSS %.1f MiB\n", rss / 1024.0);
  }
  return 0;
}

}  // namespace dsinfer::cli
