// `dsinfer run -m FILE (-p TEXT | --tokens IDS) [-n N] [--temp T] [--seed S]`: generate a
// continuation, streaming it as it is produced, then report prefill and decode speed.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "cli/commands.h"
#include "cli/model_session.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/incremental_decoder.h"

namespace dsinfer::cli {

namespace {

struct RunOptions {
  std::string model;
  std::string prompt;
  std::string tokens;
  int n_predict = 32;
  float temperature = 0.0f;
  uint64_t seed = 0;
  std::string kv_type = "f16";
  int threads = 0;
};

// Greedy at temperature 0, else a draw from softmax(logits / temperature).
int32_t SampleToken(const float* logits, size_t n, float temperature, std::mt19937_64& rng) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  if (temperature <= 0.0f) return static_cast<int32_t>(best);
  std::vector<double> p(n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    p[i] = std::exp((static_cast<double>(logits[i]) - logits[best]) / temperature);
    sum += p[i];
  }
  double r = std::uniform_real_distribution<double>(0.0, sum)(rng);
  for (size_t i = 0; i < n; ++i) {
    r -= p[i];
    if (r <= 0) return static_cast<int32_t>(i);
  }
  return static_cast<int32_t>(best);
}

int RunGenerate(const RunOptions& o) {
  std::unique_ptr<tokenizer::Tokenizer> tok;
  if (!o.prompt.empty()) {
    auto loaded = tokenizer::Tokenizer::FromGgufPath(o.model);
    if (!loaded.ok()) {
      PrintError(loaded.status().message());
      return 1;
    }
    tok = std::move(*loaded);
  }
  auto prompt = tok ? Expected<std::vector<int32_t>>(tok->Encode(o.prompt, true, false))
                    : ParseTokenList(o.tokens);
  if (!prompt.ok()) {
    PrintError(prompt.status().message());
    return 2;
  }
  if (prompt->empty()) {
    PrintError("the prompt encodes to no tokens");
    return 2;
  }
  auto kv_type = ParseKvType(o.kv_type);
  if (!kv_type.ok()) {
    PrintError(kv_type.status().message());
    return 2;
  }
  if (o.n_predict < 0) {
    PrintError("-n must be >= 0");
    return 2;
  }
  auto model = Model::Load(o.model);
  if (!model.ok()) {
    PrintError(model.status().message());
    return 1;
  }
  PrintPackSummary(**model);
  ThreadPool pool(o.threads > 0 ? o.threads : ThreadPool::HardwareThreads());
  auto seq = SingleSequence::Create(**model, static_cast<int>(prompt->size()) + o.n_predict, *kv_type);
  if (!seq.ok()) {
    PrintError(seq.status().message());
    return 1;
  }
  const size_t n_vocab = (*model)->config().n_vocab;
  std::mt19937_64 rng(o.seed);
  std::vector<float> logits;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  Status st = (*seq)->Append(*prompt, false, pool, &logits);
  if (!st.ok()) {
    PrintError(st.message());
    return 1;
  }
  const auto t1 = Clock::now();
  int decode_steps = 0;
  std::unique_ptr<tokenizer::IncrementalDecoder> decoder;
  if (tok) {
    decoder = std::make_unique<tokenizer::IncrementalDecoder>(*tok, false);
    std::printf("%s", o.prompt.c_str());
  }
  for (int i = 0; i < o.n_predict; ++i) {
    const int32_t next = SampleToken(logits.data(), n_vocab, o.temperature, rng);
    if (decoder) {
      std::printf("%s", decoder->Push(next).c_str());
    } else {
      std::printf("%s%d", i == 0 ? "" : " ", next);
    }
    std::fflush(stdout);
    if (tok && tok->IsEndOfGeneration(next)) break;
    if (i + 1 == o.n_predict) break;
    st = (*seq)->Append({next}, false, pool, &logits);
    ++decode_steps;
    if (!st.ok()) {
      std::printf("\n");
      PrintError(st.message());
      return 1;
    }
  }
  if (decoder) std::printf("%s", decoder->Finish().c_str());
  const auto t2 = Clock::now();
  const double prefill_s = std::chrono::duration<double>(t1 - t0).count();
  const double decode_s = std::chrono::duration<double>(t2 - t1).count();
  std::printf("\n");
  std::fprintf(stderr, "prefill: %zu tokens in %.3f s (%.2f tok/s); decode: %d tokens in %.3f s (%.2f tok/s); %d threads\n",
               prompt->size(), prefill_s, prompt->size() / prefill_s, decode_steps, decode_s,
               decode_steps > 0 ? decode_steps / decode_s : 0.0, pool.num_threads());
  return 0;
}

}  // namespace

void RegisterRun(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Generate a continuation of a prompt and report tokens/s");
  cmd->add_option("-m,--model", opts->model, "GGUF model")->required();
  cmd->add_option("-p,--prompt", opts->prompt, "Prompt text");
  cmd->add_option("--tokens", opts->tokens, "Prompt as token ids, comma separated");
  cmd->add_option("-n,--n-predict", opts->n_predict, "Tokens to generate (default 32)");
  cmd->add_option("--temp", opts->temperature, "Sampling temperature (0 = greedy, the default)");
  cmd->add_option("--seed", opts->seed, "Sampling seed");
  cmd->add_option("--kv-type", opts->kv_type, "KV cache element type: f16 (default), bf16, f32");
  cmd->add_option("--threads,-t", opts->threads, "Threads (default: all cores)");
  cmd->callback([opts, exit_code] {
    if (opts->prompt.empty() == opts->tokens.empty()) {
      PrintError("give exactly one of -p TEXT or --tokens IDS");
      *exit_code = 2;
      return;
    }
    *exit_code = RunGenerate(*opts);
  });
}

}  // namespace dsinfer::cli
