// Tokenizer throughput on one thread, in bytes of UTF-8 input per second.
//
// Vocabulary: the GGUF named by $DSINFER_BENCH_VOCAB, else the full DeepSeek-V3 vocab from
// ../shared/golden/tokenizer/deepseek-v3/ggml-vocab-deepseek-v3.gguf, else (fresh clone without
// shared data) the small unit-test vocabulary, so the benchmark always runs; the label says which.
// Inputs, identical to the ones bench/tokenizer_hf.mjs gives Hugging Face tokenizers:
//   corpus     the texts of ../shared/golden/tokenizer/corpus.jsonl joined by "\n", repeated 64
//              times (0.34 MB; skipped when the golden data is absent);
//   generated  1 MiB of English prose and code from a fixed word list and a seeded LCG.
// Encode runs with add_special = false and parse_special = true (HF's default treatment of
// added tokens). The word cache is warm after the first iteration, as it is in HF's BPE cache.
// bytes_per_second is computed from CPU time (Google Benchmark's default), as the Node script's
// first figure is; on a shared machine the wall-clock figures are noisier.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/incremental_decoder.h"
#include "tokenizer/test_vocab.h"

namespace dsinfer::tokenizer {
namespace {

constexpr int kCorpusRepeats = 64;
constexpr size_t kGeneratedBytes = 1 << 20;

std::string GoldenDir() {
  const char* env = std::getenv("DSINFER_GOLDEN_DIR");
  return env != nullptr ? env : DSINFER_GOLDEN_DIR;
}

struct Loaded {
  std::unique_ptr<Tokenizer> tokenizer;
  std::string label;
};

const Loaded& GetTokenizer() {
  static const Loaded loaded = [] {
    std::string path;
    if (const char* env = std::getenv("DSINFER_BENCH_VOCAB")) path = env;
    if (path.empty()) {
      path = GoldenDir() + "/tokenizer/deepseek-v3/ggml-vocab-deepseek-v3.gguf";
      if (!std::ifstream(path).good()) path.clear();
    }
    if (!path.empty()) {
      auto t = Tokenizer::FromGgufPath(path);
      if (t.ok()) return Loaded{std::move(t).value(), path.substr(path.rfind('/') + 1)};
      std::fprintf(stderr, "tokenizer_bench: %s\n", t.status().message().c_str());
    }
    return Loaded{std::move(Tokenizer::Create(testing::MakeTestVocab())).value(),
                  "test-vocab (no golden data)"};
  }();
  return loaded;
}

// Empty when the golden corpus is absent.
const std::string& CorpusText() {
  static const std::string text = [] {
    std::ifstream in(GoldenDir() + "/tokenizer/corpus.jsonl");
    std::string joined;
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      if (!first) joined += "\n";
      joined += nlohmann::json::parse(line).at("text").get<std::string>();
      first = false;
    }
    std::string repeated;
    for (int i = 0; i < kCorpusRepeats && !joined.empty(); ++i) {
      if (i > 0) repeated += "\n";
      repeated += joined;
    }
    return repeated;
  }();
  return text;
}

// Mirrors generatedText() in bench/tokenizer_hf.mjs exactly.
const std::string& GeneratedText() {
  static const std::string text = [] {
    static const char* const kPieces[] = {
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "as",
        "was",
        "with",
        "be",
        "by",
        "on",
        "not",
        "he",
        "this",
        "are",
        "or",
        "his",
        "from",
        "at",
        "which",
        "but",
        "have",
        "an",
        "had",
        "they",
        "you",
        "were",
        "their",
        "one",
        "all",
        "we",
        "can",
        "her",
        "has",
        "there",
        "been",
        "if",
        "more",
        "when",
        "will",
        "would",
        "who",
        "so",
        "no",
        "model",
        "inference",
        "tokenizer",
        "throughput",
        "latency",
        "memory",
        "attention",
        "Transformer",
        "DeepSeek",
        "benchmark",
        "sequence",
        "parallel",
        "expert",
        "routing",
        "int",
        "return",
        "const",
        "std::vector<int32_t>",
        "for (int i = 0; i < n; ++i) {",
        "}",
        "if (x == nullptr)",
        "auto",
        "def",
        "self",
        "import numpy as np",
        "np.zeros((4, 4))",
        "x += 1;",
        "// comment",
        "# note",
        "printf(\"%d\\n\", x);",
        "0x7fff",
        "3.14159",
        "2024",
        "42",
        "1,000,000",
        "e.g.",
        "i.e.",
        "(see above)",
        "[1]",
        "{\"key\": \"value\"}",
    };
    constexpr uint32_t kCount = sizeof(kPieces) / sizeof(kPieces[0]);
    uint32_t state = 12345;
    auto next = [&state] {
      state = state * 1103515245u + 12345u;
      return state >> 16;
    };
    std::string out;
    while (out.size() < kGeneratedBytes) {
      out += kPieces[next() % kCount];
      const uint32_t sep = next() % 16;
      out += sep == 0 ? ".\n" : sep == 1 ? ", " : sep == 2 ? "\n    " : " ";
    }
    return out;
  }();
  return text;
}

void RunEncode(benchmark::State& state, const std::string& text) {
  const Loaded& t = GetTokenizer();
  if (text.empty()) {
    state.SkipWithError("../shared/golden/tokenizer/corpus.jsonl is absent");
    return;
  }
  size_t n_tokens = 0;
  for (auto _ : state) {
    const std::vector<int32_t> ids = t.tokenizer->Encode(text, false, true);
    n_tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.counters["tokens"] = static_cast<double>(n_tokens);
  state.counters["bytes_per_token"] = static_cast<double>(text.size()) / n_tokens;
  state.SetLabel(t.label);
}

void RunDecode(benchmark::State& state, const std::string& text, bool incremental) {
  const Loaded& t = GetTokenizer();
  if (text.empty()) {
    state.SkipWithError("../shared/golden/tokenizer/corpus.jsonl is absent");
    return;
  }
  const std::vector<int32_t> ids = t.tokenizer->Encode(text, false, true);
  for (auto _ : state) {
    if (incremental) {
      IncrementalDecoder decoder(*t.tokenizer, true);
      size_t bytes = 0;
      for (int32_t id : ids) bytes += decoder.Push(id).size();
      benchmark::DoNotOptimize(bytes);
    } else {
      const std::string decoded = t.tokenizer->Decode(ids, true);
      benchmark::DoNotOptimize(decoded.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.SetLabel(t.label);
}

BENCHMARK_CAPTURE(RunEncode, corpus, CorpusText())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RunEncode, generated, GeneratedText())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RunDecode, corpus, CorpusText(), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RunDecode, corpus_incremental, CorpusText(), true)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dsinfer::tokenizer

BENCHMARK_MAIN();
