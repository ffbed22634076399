// Helpers shared by the engine's tests (test code only): draining an EventStream into a
// per-sample summary, and deterministic prompts.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/event_stream.h"

namespace dsinfer::engine::testing {

struct Outcome {
  std::vector<std::vector<int32_t>> tokens;   // per sample
  std::vector<std::vector<float>> logprobs;   // per sample
  std::vector<std::string> text;              // per sample
  std::vector<FinishReason> finish;           // per sample
  std::vector<std::string> stop_string;       // per sample
  std::vector<std::string> error;             // per sample
  bool done = false;
  Usage usage;
  RequestTimings timings;
  int events = 0;

  void Add(const StreamEvent& e) {
    const size_t i = static_cast<size_t>(e.index);
    if (tokens.size() <= i) {
      tokens.resize(i + 1);
      logprobs.resize(i + 1);
      text.resize(i + 1);
      finish.resize(i + 1, FinishReason::kNone);
      stop_string.resize(i + 1);
      error.resize(i + 1);
    }
    for (const auto& g : e.tokens) {
      tokens[i].push_back(g.token);
      logprobs[i].push_back(g.logprob);
    }
    text[i] += e.text;
    if (e.finish != FinishReason::kNone) {
      finish[i] = e.finish;
      stop_string[i] = e.stop_string;
      error[i] = e.error;
    }
    if (e.done) {
      done = true;
      usage = e.usage;
      timings = e.timings;
    }
    ++events;
  }
};

// Takes every event queued on `stream` without blocking.
inline void Drain(EventStream& stream, Outcome* out) {
  while (auto e = stream.TryNext()) out->Add(*e);
}

// Blocks until the stream's done event.
inline Outcome WaitDone(EventStream& stream) {
  Outcome out;
  while (auto e = stream.Next()) out.Add(*e);
  return out;
}

inline std::vector<int32_t> RandomTokens(uint64_t seed, int n, int32_t n_vocab) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (auto& x : t) x = static_cast<int32_t>(rng() % static_cast<uint64_t>(n_vocab));
  return t;
}

}  // namespace dsinfer::engine::testing
