// `dsinfer bench [-m FILE] [--concurrency 1,8,32] [-p N] [-n N] [--threads T] [--json]`: the
// serving engine measured without HTTP. For each concurrency C, C requests of -p prompt tokens
// and -n generated tokens are submitted at once to a fresh engine, so prefill is mixed into
// decoding just as when clients arrive together; reports aggregate output tokens/s (all
// generated tokens over the wall time), aggregate decode tokens/s (sum of the streams' rates,
// prefill stalls included), steady decode tokens/s (over the forward passes with no prompt
// chunk in them), per-stream decode speed and time to first token. With --rounds R the list of
// concurrencies runs R times in turn (1,16,1,16,...), so that each concurrency sees the same
// drifts of a shared machine, and a summary gives each one's medians and their ratio to
// concurrency 1 (the batching gain).
// Without -m, the built-in tiny demo model is synthesized into a temporary file.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "cli/commands.h"
#include "cli/model_session.h"
#include "engine/engine.h"
#include "cli/bench_roofline.h"
#include "model/synth.h"

namespace dsinfer::cli {

namespace {

struct BenchOptions {
  std::string model;
  std::string concurrency;  // empty: single-stream roofline mode
  int reps = 3;
  int prompt_tokens = 128;
  int gen_tokens = 64;
  int threads = 0;
  int max_batch_size = 32;
  int max_batched_tokens = 512;
  std::string kv_type = "f16";
  uint64_t seed = 1;
  int prefix_tokens = 0;  // > 0: also time the first token with a cold and a warm prefix cache
  int rounds = 1;         // engine mode: passes over the concurrency list
  bool json = false;
};

struct BenchResult {
  int concurrency = 0;
  int round = 0;
  double wall_s = 0;
  uint64_t generated = 0;
  double aggregate_tok_s = 0;     // generated tokens / wall time (prefill mixed in)
  double per_stream_tok_s = 0;    // mean over requests of (n - 1) / decode time
  double decode_tok_s = 0;        // sum over requests of (n - 1) / decode time
  double steady_tok_s = 0;        // tokens / forward seconds of pure decode steps (no prompt chunk)
  double ttft_p50_s = 0;
  double ttft_p99_s = 0;
  double mean_batch = 0;          // sequences per forward pass
  uint64_t preemptions = 0;
};

Expected<std::vector<int>> ParseConcurrency(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const int c = std::stoi(item, &used);
      if (used != item.size() || c < 1) throw std::invalid_argument(item);
      out.push_back(c);
    } catch (const std::exception&) {
      return InvalidArgument("--concurrency: '" + item + "' is not a positive integer");
    }
  }
  if (out.empty()) return InvalidArgument("--concurrency: give at least one value, e.g. 1,8,32");
  return out;
}

// Medians over the rounds of one concurrency.
struct BenchSummary {
  int concurrency = 0;
  int runs = 0;
  double output_tok_s = 0, decode_tok_s = 0, decode_min = 0, decode_max = 0, steady_tok_s = 0, ttft_p50_s = 0;
  double decode_vs_single = 0, steady_vs_single = 0;  // 0 when concurrency 1 was not measured
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<BenchSummary> Summarize(const std::vector<BenchResult>& results) {
  std::vector<BenchSummary> out;
  for (const BenchResult& r : results) {
    if (std::none_of(out.begin(), out.end(), [&](const BenchSummary& s) { return s.concurrency == r.concurrency; })) {
      out.push_back({});
      out.back().concurrency = r.concurrency;
    }
  }
  for (BenchSummary& s : out) {
    std::vector<double> output, decode, steady, ttft;
    for (const BenchResult& r : results) {
      if (r.concurrency != s.concurrency) continue;
      output.push_back(r.aggregate_tok_s);
      decode.push_back(r.decode_tok_s);
      steady.push_back(r.steady_tok_s);
      ttft.push_back(r.ttft_p50_s);
    }
    s.runs = static_cast<int>(decode.size());
    s.output_tok_s = Median(output);
    s.decode_tok_s = Median(decode);
    s.decode_min = *std::min_element(decode.begin(), decode.end());
    s.decode_max = *std::max_element(decode.begin(), decode.end());
    s.steady_tok_s = Median(steady);
    s.ttft_p50_s = Median(ttft);
  }
  const auto single = std::find_if(out.begin(), out.end(), [](const BenchSummary& s) { return s.concurrency == 1; });
  if (single != out.end() && single->decode_tok_s > 0 && single->steady_tok_s > 0) {
    const double decode1 = single->decode_tok_s, steady1 = single->steady_tok_s;
    for (BenchSummary& s : out) {
      s.decode_vs_single = s.decode_tok_s / decode1;
      s.steady_vs_single = s.steady_tok_s / steady1;
    }
  }
  return out;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::vector<int32_t> RandomPrompt(uint64_t seed, int n, int32_t n_vocab) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> p(static_cast<size_t>(n));
  for (auto& t : p) t = static_cast<int32_t>(rng() % static_cast<uint64_t>(n_vocab));
  return p;
}

Expected<BenchResult> RunOne(const Model& model, ThreadPool& pool, const BenchOptions& o, DType kv_type,
                             int concurrency) {
  using engine::Engine;
  engine::EngineOptions eo;
  eo.scheduler.max_batch_size = o.max_batch_size;
  eo.scheduler.max_num_batched_tokens = o.max_batched_tokens;
  eo.kv_type = kv_type;
  eo.enable_prefix_caching = false;  // every prompt is distinct; measure real prefill
  eo.max_model_len = o.prompt_tokens + o.gen_tokens + 1;
  const int blocks_per_request = (o.prompt_tokens + o.gen_tokens + eo.block_size) / eo.block_size;
  eo.kv_sizing.blocks = blocks_per_request * (concurrency + 1);
  DSINFER_ASSIGN_OR_RETURN(auto eng, Engine::Create(model, pool, eo));
  const int32_t n_vocab = eng->limits().n_vocab;

  // Touch the weights once so page faults are not measured.
  engine::GenerateRequest warm;
  warm.prompt = RandomPrompt(o.seed + 999, std::min(8, o.prompt_tokens), n_vocab);
  warm.sampling.temperature = 0;
  warm.max_tokens = 2;
  DSINFER_ASSIGN_OR_RETURN(auto warm_sub, eng->Submit(warm));
  while (warm_sub.events->Next()) {
  }
  const engine::EngineStats before = eng->Stats();

  const auto start = std::chrono::steady_clock::now();
  std::vector<engine::Submission> subs;
  for (int i = 0; i < concurrency; ++i) {
    engine::GenerateRequest r;
    r.prompt = RandomPrompt(o.seed + static_cast<uint64_t>(i), o.prompt_tokens, n_vocab);
    r.sampling.temperature = 0;
    r.max_tokens = o.gen_tokens;
    r.ignore_eos = true;
    DSINFER_ASSIGN_OR_RETURN(auto sub, eng->Submit(std::move(r)));
    subs.push_back(std::move(sub));
  }
  BenchResult res;
  res.concurrency = concurrency;
  std::vector<double> ttft;
  double per_stream = 0;
  for (auto& s : subs) {
    while (auto e = s.events->Next()) {
      if (e->finish == engine::FinishReason::kError) return Internal("bench request failed: " + e->error);
      if (!e->done) continue;
      res.generated += static_cast<uint64_t>(e->usage.completion_tokens);
      ttft.push_back(e->timings.first_token_s);
      if (e->timings.decode_s > 0) per_stream += (e->usage.completion_tokens - 1) / e->timings.decode_s;
    }
  }
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const engine::EngineStats after = eng->Stats();
  res.aggregate_tok_s = static_cast<double>(res.generated) / res.wall_s;
  res.per_stream_tok_s = per_stream / concurrency;
  res.decode_tok_s = per_stream;
  res.ttft_p50_s = Percentile(ttft, 0.5);
  res.ttft_p99_s = Percentile(ttft, 0.99);
  const uint64_t steps = after.steps - before.steps;
  res.mean_batch = steps ? static_cast<double>(after.batched_sequences - before.batched_sequences) / steps : 0;
  const double decode_seconds = after.decode_step_seconds - before.decode_step_seconds;
  res.steady_tok_s = decode_seconds > 0
                         ? static_cast<double>(after.decode_step_tokens - before.decode_step_tokens) / decode_seconds
                         : 0;
  res.preemptions = after.preemptions - before.preemptions;
  return res;
}

struct PrefixTtft {
  double cold_s = 0, warm_s = 0;
  int64_t cached_tokens = 0;  // prompt tokens the warm request found in the prefix cache
};

// Time to first token of a request with a shared prefix of o.prefix_tokens tokens plus a
// 16-token question, first with an empty prefix cache, then again with another question.
Expected<PrefixTtft> RunPrefixTtft(const Model& model, ThreadPool& pool, const BenchOptions& o,
                                   DType kv_type) {
  engine::EngineOptions eo;
  eo.scheduler.max_batch_size = o.max_batch_size;
  eo.scheduler.max_num_batched_tokens = o.max_batched_tokens;
  eo.kv_type = kv_type;
  eo.enable_prefix_caching = true;
  constexpr int kQuestion = 16;
  eo.max_model_len = o.prefix_tokens + kQuestion + 2;
  eo.kv_sizing.blocks = 3 * ((eo.max_model_len + eo.block_size - 1) / eo.block_size + 1);
  DSINFER_ASSIGN_OR_RETURN(auto eng, engine::Engine::Create(model, pool, eo));
  const int32_t n_vocab = eng->limits().n_vocab;
  const std::vector<int32_t> prefix = RandomPrompt(o.seed + 5000, o.prefix_tokens, n_vocab);
  auto ttft = [&](uint64_t question_seed, int64_t* cached) -> Expected<double> {
    engine::GenerateRequest r;
    r.prompt = prefix;
    const std::vector<int32_t> q = RandomPrompt(question_seed, kQuestion, n_vocab);
    r.prompt.insert(r.prompt.end(), q.begin(), q.end());
    r.sampling.temperature = 0;
    r.max_tokens = 1;
    r.ignore_eos = true;
    DSINFER_ASSIGN_OR_RETURN(auto sub, eng->Submit(std::move(r)));
    double first = 0;
    while (auto e = sub.events->Next()) {
      if (e->finish == engine::FinishReason::kError) return Internal("bench request failed: " + e->error);
      if (e->done) {
        first = e->timings.first_token_s;
        if (cached != nullptr) *cached = e->usage.cached_prompt_tokens;
      }
    }
    return first;
  };
  DSINFER_ASSIGN_OR_RETURN(double warmup, ttft(o.seed + 4000, nullptr));  // page in the weights
  (void)warmup;
  // A fresh engine, so the first timed request finds nothing cached.
  eng.reset();
  DSINFER_ASSIGN_OR_RETURN(eng, engine::Engine::Create(model, pool, eo));
  PrefixTtft out;
  DSINFER_ASSIGN_OR_RETURN(out.cold_s, ttft(o.seed + 6000, nullptr));
  DSINFER_ASSIGN_OR_RETURN(out.warm_s, ttft(o.seed + 7000, &out.cached_tokens));
  return out;
}

int RunBench(const BenchOptions& o) {
  auto concurrency = ParseConcurrency(o.concurrency.empty() ? "1" : o.concurrency);
  if (!concurrency.ok()) {
    PrintError(concurrency.status().message());
    return 2;
  }
  auto kv_type = ParseKvType(o.kv_type);
  if (!kv_type.ok()) {
    PrintError(kv_type.status().message());
    return 2;
  }
  const bool engine_mode = !o.concurrency.empty();
  if (o.rounds < 1) {
    PrintError("--rounds must be >= 1");
    return 2;
  }
  if (engine_mode ? (o.prompt_tokens < 1 || o.gen_tokens < 1)
                  : (o.prompt_tokens < 0 || o.gen_tokens < 0 || o.prompt_tokens + o.gen_tokens == 0)) {
    PrintError(engine_mode ? "-p and -n must be >= 1"
                           : "-p and -n must be >= 0 and not both 0 (0 skips that test)");
    return 2;
  }
  ThreadPool pool(o.threads > 0 ? o.threads : ThreadPool::HardwareThreads());
  std::string path = o.model;
  std::string temp;
  if (path.empty()) {
    temp = (std::filesystem::temp_directory_path() / ("dsinfer-bench-tiny-" + std::to_string(getpid()) + ".gguf")).string();
    auto r = SynthesizeModel(*FindSynthPreset("tiny"), *FindQuantRecipe("Q8_0"), 1, temp, pool, nullptr);
    if (!r.ok()) {
      PrintError(r.status().message());
      return 1;
    }
    path = temp;
  }
  auto model = Model::Load(path);
  if (!temp.empty()) std::filesystem::remove(temp);  // the mapping keeps the data alive
  if (!model.ok()) {
    PrintError(model.status().message());
    return 1;
  }
  PrintPackSummary(**model);
  const std::string model_name = o.model.empty() ? "tiny (synthesized, Q8_0)" : o.model;
  if (o.concurrency.empty()) {
    RooflineOptions ro;
    ro.prompt_tokens = o.prompt_tokens;
    ro.gen_tokens = o.gen_tokens;
    ro.reps = std::max(1, o.reps);
    ro.kv_type = *kv_type;
    ro.json = o.json;
    ro.model_name = model_name;
    return RunRooflineBench(**model, pool, ro);
  }
  std::vector<BenchResult> results;
  for (int round = 0; round < o.rounds; ++round) {
    for (int c : *concurrency) {
      auto r = RunOne(**model, pool, o, *kv_type, c);
      if (!r.ok()) {
        PrintError(r.status().message());
        return 1;
      }
      r->round = round;
      results.push_back(*r);
      if (!o.json) {
        if (results.size() == 1) {
          std::printf("model %s, %d threads, prompt %d tokens, %d generated per request, KV %s, max batch %d\n",
                      model_name.c_str(), pool.num_threads(), o.prompt_tokens, o.gen_tokens, o.kv_type.c_str(),
                      o.max_batch_size);
          std::printf("%11s %9s %12s %12s %12s %12s %11s %11s %10s %8s\n", "concurrency", "wall_s",
                      "output_tok/s", "decode_tok/s", "steady_tok/s", "stream_tok/s", "ttft_p50_s",
                      "ttft_p99_s", "mean_batch", "preempt");
        }
        std::printf("%11d %9.2f %12.1f %12.1f %12.1f %12.1f %11.3f %11.3f %10.1f %8llu\n", r->concurrency,
                    r->wall_s, r->aggregate_tok_s, r->decode_tok_s, r->steady_tok_s, r->per_stream_tok_s,
                    r->ttft_p50_s, r->ttft_p99_s, r->mean_batch, static_cast<unsigned long long>(r->preemptions));
        std::fflush(stdout);
      }
    }
  }
  const std::vector<BenchSummary> summary = Summarize(results);
  if (!o.json && o.rounds > 1) {
    std::printf("medians over %d rounds (decode_tok/s: median [min-max]; x1: ratio to concurrency 1)\n",
                o.rounds);
    std::printf("%11s %12s %21s %8s %12s %8s %12s %11s\n", "concurrency", "output_tok/s", "decode_tok/s",
                "x1", "steady_tok/s", "x1", "ttft_p50_s", "");
    for (const BenchSummary& s : summary) {
      char decode[64];
      std::snprintf(decode, sizeof(decode), "%.1f [%.1f-%.1f]", s.decode_tok_s, s.decode_min, s.decode_max);
      std::printf("%11d %12.1f %21s %8.2f %12.1f %8.2f %12.3f\n", s.concurrency, s.output_tok_s, decode,
                  s.decode_vs_single, s.steady_tok_s, s.steady_vs_single, s.ttft_p50_s);
    }
  }
  PrefixTtft prefix;
  if (o.prefix_tokens > 0) {
    auto r = RunPrefixTtft(**model, pool, o, *kv_type);
    if (!r.ok()) {
      PrintError(r.status().message());
      return 1;
    }
    prefix = *r;
    if (!o.json) {
      std::printf("shared prefix of %d tokens + 16-token question: time to first token cold %.3f s, "
                  "warm %.3f s (%.1fx; %lld prompt tokens from the prefix cache)\n",
                  o.prefix_tokens, prefix.cold_s, prefix.warm_s,
                  prefix.warm_s > 0 ? prefix.cold_s / prefix.warm_s : 0.0,
                  static_cast<long long>(prefix.cached_tokens));
    }
  }
  if (o.json) {
    nlohmann::json j;
    j["model"] = model_name;
    j["threads"] = pool.num_threads();
    j["prompt_tokens"] = o.prompt_tokens;
    j["gen_tokens"] = o.gen_tokens;
    j["kv_type"] = o.kv_type;
    j["max_batch_size"] = o.max_batch_size;
    j["rounds"] = o.rounds;
    j["results"] = nlohmann::json::array();
    for (const auto& r : results) {
      j["results"].push_back({{"concurrency", r.concurrency},
                              {"round", r.round},
                              {"wall_seconds", r.wall_s},
                              {"generated_tokens", r.generated},
                              {"aggregate_output_tokens_per_second", r.aggregate_tok_s},
                              {"per_stream_decode_tokens_per_second", r.per_stream_tok_s},
                              {"aggregate_decode_tokens_per_second", r.decode_tok_s},
                              {"steady_decode_tokens_per_second", r.steady_tok_s},
                              {"ttft_p50_seconds", r.ttft_p50_s},
                              {"ttft_p99_seconds", r.ttft_p99_s},
                              {"mean_batch_sequences", r.mean_batch},
                              {"preemptions", r.preemptions}});
    }
    j["medians"] = nlohmann::json::array();
    for (const auto& m : summary) {
      nlohmann::json row = {{"concurrency", m.concurrency},
                            {"runs", m.runs},
                            {"aggregate_output_tokens_per_second", m.output_tok_s},
                            {"aggregate_decode_tokens_per_second", m.decode_tok_s},
                            {"aggregate_decode_tokens_per_second_min", m.decode_min},
                            {"aggregate_decode_tokens_per_second_max", m.decode_max},
                            {"steady_decode_tokens_per_second", m.steady_tok_s},
                            {"ttft_p50_seconds", m.ttft_p50_s}};
      if (m.decode_vs_single > 0) {
        row["decode_vs_concurrency_1"] = m.decode_vs_single;
        row["steady_vs_concurrency_1"] = m.steady_vs_single;
      }
      j["medians"].push_back(row);
    }
    if (o.prefix_tokens > 0) {
      j["prefix_ttft"] = {{"prefix_tokens", o.prefix_tokens},
                          {"cold_seconds", prefix.cold_s},
                          {"warm_seconds", prefix.warm_s},
                          {"cached_tokens", prefix.cached_tokens}};
    }
    std::printf("%s\n", j.dump(2).c_str());
  }
  return 0;
}

}  // namespace

void RegisterBench(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure speed: single-stream prefill/decode vs. the memory roofline, or (with -c) the engine's aggregate tokens/s at several concurrencies");
  cmd->add_option("-m,--model", opts->model, "GGUF model (default: synthesize the tiny demo model)");
  cmd->add_option("--concurrency,-c", opts->concurrency,
                  "Engine mode: concurrent requests, comma separated (e.g. 1,8,32). Without it, "
                  "single-stream prefill/decode speed against the memory roofline");
  cmd->add_option("-p,--prompt-tokens", opts->prompt_tokens, "Prompt tokens per request (default 128)");
  cmd->add_option("-n,--gen-tokens", opts->gen_tokens, "Generated tokens per request (default 64)");
  cmd->add_option("-r,--reps", opts->reps, "Single-stream mode: repetitions (default 3)");
  cmd->add_option("--rounds", opts->rounds,
                  "Engine mode: run the concurrency list this many times in turn and report each "
                  "concurrency's medians and its ratio to concurrency 1 (default 1)");
  cmd->add_option("--threads,-t", opts->threads, "Threads (default: all cores)");
  cmd->add_option("--max-batch-size", opts->max_batch_size, "Sequences per step (default 32)");
  cmd->add_option("--max-batched-tokens", opts->max_batched_tokens, "Tokens per step (default 512)");
  cmd->add_option("--kv-type", opts->kv_type, "KV cache element type: f16 (default), bf16, f32");
  cmd->add_option("--seed", opts->seed, "Seed of the random prompts");
  cmd->add_option("--prefix-tokens", opts->prefix_tokens,
                  "Engine mode: also measure time to first token behind a shared prefix of this "
                  "many tokens, with a cold and then a warm prefix cache");
  cmd->add_flag("--json", opts->json, "Print the results as JSON");
  cmd->callback([opts, exit_code] { *exit_code = RunBench(*opts); });
}

}  // namespace dsinfer::cli
