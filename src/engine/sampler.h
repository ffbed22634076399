// Sampler: turns one row of logits into the next token of one sequence, with vLLM's semantics.
//
// Processing order (each step is skipped when its parameter is neutral):
//   1. logit_bias is added to the raw logits;
//   2. repetition penalty on every token seen in the prompt or the output (logit / r when
//      positive, logit * r otherwise), then frequency (- f * count) and presence (- p) penalties
//      on output tokens;
//   3. temperature 0 (below 1e-5): greedy, the argmax with the lowest id on exact ties, and no
//      further steps;
//   4. division by the temperature, then min_p, top_k (ties at the k-th value are kept) and
//      top_p masks (removed tokens get -inf);
//   5. a draw from softmax of what is left, using this sampler's own RNG.
// Log-probabilities are the log-softmax of these processed logits (vLLM's "processed" mode): the
// chosen token's logprob is the log of the probability it was drawn with, masked tokens have
// -inf, and the probabilities of all tokens sum to 1.
//
// Each sequence owns one Sampler, so a seeded request draws the same tokens whatever else is in
// the batch and however often it is preempted (a token is drawn exactly once). Not thread-safe;
// non-copyable (Clone is the explicit deep copy used when a request forks into n samples).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/request.h"

namespace dsinfer::engine {

// Checks ranges (temperature >= 0, 0 < top_p <= 1, 0 <= min_p <= 1, top_k >= -1,
// repetition_penalty > 0, penalties in [-2, 2], top_logprobs in [0, 20], logit_bias ids in
// [0, n_vocab)). Errors name the field.
Status ValidateSamplingParams(const SamplingParams& params, int32_t n_vocab);

// The seed of sample `index` of a request seeded with `seed` (a splitmix64 mix of both).
uint64_t DeriveSampleSeed(uint64_t seed, int index);

// xoshiro256**: small, fast and identical on every platform (std distributions are not).
class SamplerRng {
 public:
  explicit SamplerRng(uint64_t seed);
  uint64_t NextU64();
  double NextDouble();  // uniform in [0, 1), 53 bits

 private:
  uint64_t s_[4];
};

struct SampleResult {
  int32_t token = 0;
  float logprob = 0.0f;                   // when params.logprobs or top_logprobs > 0
  std::vector<TokenLogprob> top_logprobs; // params.top_logprobs entries, best first
};

class Sampler {
 public:
  // `prompt` seeds the set of tokens the repetition penalty applies to.
  Sampler(SamplingParams params, uint64_t seed, std::span<const int32_t> prompt);
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // A copy of the penalty state with a fresh RNG seeded with `seed` (for forked samples).
  std::unique_ptr<Sampler> Clone(uint64_t seed) const;

  // Draws the next token from `logits` (n_vocab values) and records it as output.
  SampleResult Sample(std::span<const float> logits);

  // Steps 1-4 above: writes the processed logits to *out (for greedy, only steps 1-2).
  void ProcessLogits(std::span<const float> logits, std::vector<float>* out) const;

  bool greedy() const { return params_.temperature < kGreedyBelow; }
  const SamplingParams& params() const { return params_; }

  static constexpr float kGreedyBelow = 1e-5f;

 private:
  bool NeedsProcessing() const;
  void Record(int32_t token) { output_counts_[token]++; }

  SamplingParams params_;
  SamplerRng rng_;
  std::vector<int32_t> prompt_tokens_;                 // sorted, unique
  std::unordered_map<int32_t, int32_t> output_counts_;
  std::vector<float> scratch_;
};

}  // namespace dsinfer::engine
