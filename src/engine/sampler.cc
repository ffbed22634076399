#include "engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "kernels/ops.h"

namespace dsinfer::engine {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Lowest index of the maximum (NaNs never win; 0 when v[0] is NaN, as a running argmax started
// at 0 gives, or when v is empty). Runs for every sequence at every step over the whole
// vocabulary, so the maximum is found first with MaxOf (a single running best makes each step
// wait on the previous one's load), then its first index: about 5x faster over V2's 102k logits.
int32_t Argmax(std::span<const float> v) {
  const size_t n = v.size();
  if (n == 0 || std::isnan(v[0])) return 0;
  const float max = MaxOf(v.data(), static_cast<int64_t>(n));
  for (size_t k = 0; k < n; ++k) {
    if (v[k] == max) return static_cast<int32_t>(k);
  }
  return 0;
}

// log(sum(exp(v))) over the finite entries.
double LogSumExp(std::span<const float> v) {
  float max = kNegInf;
  for (float x : v) max = std::max(max, x);
  if (max == kNegInf) return kNegInf;
  double sum = 0;
  for (float x : v) {
    if (x != kNegInf) sum += std::exp(static_cast<double>(x) - max);
  }
  return max + std::log(sum);
}

}  // namespace

Status ValidateSamplingParams(const SamplingParams& p, int32_t n_vocab) {
  if (!(p.temperature >= 0.0f) || !std::isfinite(p.temperature)) {
    return InvalidArgument("temperature must be a finite number >= 0, got " + std::to_string(p.temperature));
  }
  if (!(p.top_p > 0.0f && p.top_p <= 1.0f)) {
    return InvalidArgument("top_p must be in (0, 1], got " + std::to_string(p.top_p));
  }
  if (!(p.min_p >= 0.0f && p.min_p <= 1.0f)) {
    return InvalidArgument("min_p must be in [0, 1], got " + std::to_string(p.min_p));
  }
  if (p.top_k < -1) return InvalidArgument("top_k must be -1, 0 (disabled) or positive, got " + std::to_string(p.top_k));
  if (!(p.repetition_penalty > 0.0f) || !std::isfinite(p.repetition_penalty)) {
    return InvalidArgument("repetition_penalty must be > 0, got " + std::to_string(p.repetition_penalty));
  }
  if (!(p.presence_penalty >= -2.0f && p.presence_penalty <= 2.0f)) {
    return InvalidArgument("presence_penalty must be in [-2, 2], got " + std::to_string(p.presence_penalty));
  }
  if (!(p.frequency_penalty >= -2.0f && p.frequency_penalty <= 2.0f)) {
    return InvalidArgument("frequency_penalty must be in [-2, 2], got " + std::to_string(p.frequency_penalty));
  }
  if (p.top_logprobs < 0 || p.top_logprobs > 20) {
    return InvalidArgument("top_logprobs must be in [0, 20], got " + std::to_string(p.top_logprobs));
  }
  for (const auto& [token, bias] : p.logit_bias) {
    if (token < 0 || token >= n_vocab) {
      return InvalidArgument("logit_bias token " + std::to_string(token) + " is outside the vocabulary [0, " +
                             std::to_string(n_vocab) + ")");
    }
    if (!std::isfinite(bias)) return InvalidArgument("logit_bias of token " + std::to_string(token) + " is not finite");
  }
  return Status::Ok();
}

uint64_t DeriveSampleSeed(uint64_t seed, int index) {
  uint64_t state = seed ^ (0xd1b54a32d192ed03ull * (static_cast<uint64_t>(index) + 1));
  return SplitMix64(&state);
}

SamplerRng::SamplerRng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& s : s_) s = SplitMix64(&state);
}

uint64_t SamplerRng::NextU64() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double SamplerRng::NextDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

Sampler::Sampler(SamplingParams params, uint64_t seed, std::span<const int32_t> prompt)
    : params_(std::move(params)), rng_(seed) {
  if (params_.repetition_penalty != 1.0f) {
    prompt_tokens_.assign(prompt.begin(), prompt.end());
    std::sort(prompt_tokens_.begin(), prompt_tokens_.end());
    prompt_tokens_.erase(std::unique(prompt_tokens_.begin(), prompt_tokens_.end()), prompt_tokens_.end());
  }
}

std::unique_ptr<Sampler> Sampler::Clone(uint64_t seed) const {
  auto copy = std::make_unique<Sampler>(params_, seed, std::span<const int32_t>());
  copy->prompt_tokens_ = prompt_tokens_;
  copy->output_counts_ = output_counts_;
  return copy;
}

bool Sampler::NeedsProcessing() const {
  const auto& p = params_;
  return !greedy() || !p.logit_bias.empty() || p.repetition_penalty != 1.0f || p.presence_penalty != 0.0f ||
         p.frequency_penalty != 0.0f || p.logprobs || p.top_logprobs > 0;
}

void Sampler::ProcessLogits(std::span<const float> logits, std::vector<float>* out) const {
  const auto& p = params_;
  std::vector<float>& l = *out;
  l.assign(logits.begin(), logits.end());
  const int32_t n = static_cast<int32_t>(l.size());

  for (const auto& [token, bias] : p.logit_bias) l[token] += bias;

  if (p.repetition_penalty != 1.0f) {
    auto penalize = [&](int32_t t) { l[t] = l[t] > 0 ? l[t] / p.repetition_penalty : l[t] * p.repetition_penalty; };
    for (int32_t t : prompt_tokens_) penalize(t);
    for (const auto& [t, count] : output_counts_) {
      if (!std::binary_search(prompt_tokens_.begin(), prompt_tokens_.end(), t)) penalize(t);
    }
  }
  if (p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f) {
    for (const auto& [t, count] : output_counts_) {
      l[t] -= p.frequency_penalty * static_cast<float>(count) + p.presence_penalty;
    }
  }
  if (greedy()) return;

  for (float& x : l) x /= p.temperature;

  if (p.min_p > 0.0f) {
    const float max = *std::max_element(l.begin(), l.end());
    const float threshold = max + std::log(p.min_p);
    for (float& x : l) {
      if (x < threshold) x = kNegInf;
    }
  }
  if (p.top_k > 0 && p.top_k < n) {
    std::vector<float> sorted(l);
    std::nth_element(sorted.begin(), sorted.begin() + (p.top_k - 1), sorted.end(), std::greater<float>());
    const float kth = sorted[p.top_k - 1];
    for (float& x : l) {
      if (x < kth) x = kNegInf;
    }
  }
  if (p.top_p < 1.0f) {
    std::vector<int32_t> order;
    for (int32_t i = 0; i < n; ++i) {
      if (l[i] != kNegInf) order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
    const double lse = LogSumExp(l);
    double cumulative = 0;
    size_t keep = 0;
    while (keep < order.size() && (keep == 0 || cumulative < p.top_p)) {
      cumulative += std::exp(static_cast<double>(l[order[keep]]) - lse);
      ++keep;
    }
    for (size_t i = keep; i < order.size(); ++i) l[order[i]] = kNegInf;
  }
}

SampleResult Sampler::Sample(std::span<const float> logits) {
  SampleResult r;
  if (!NeedsProcessing()) {
    r.token = Argmax(logits);
    Record(r.token);
    return r;
  }
  ProcessLogits(logits, &scratch_);
  const std::span<const float> l(scratch_);
  const double lse = LogSumExp(l);
  if (greedy()) {
    r.token = Argmax(l);
  } else {
    // Walk the cumulative distribution in id order; the last finite token absorbs rounding.
    const double target = rng_.NextDouble();
    double cumulative = 0;
    int32_t last_finite = Argmax(l);
    r.token = -1;
    for (size_t i = 0; i < l.size(); ++i) {
      if (l[i] == kNegInf) continue;
      last_finite = static_cast<int32_t>(i);
      cumulative += std::exp(static_cast<double>(l[i]) - lse);
      if (target < cumulative) {
        r.token = static_cast<int32_t>(i);
        break;
      }
    }
    if (r.token < 0) r.token = last_finite;
  }
  if (params_.logprobs || params_.top_logprobs > 0) {
    r.logprob = static_cast<float>(l[r.token] - lse);
    if (params_.top_logprobs > 0) {
      const size_t k = std::min<size_t>(static_cast<size_t>(params_.top_logprobs), l.size());
      std::vector<int32_t> ids(l.size());
      std::iota(ids.begin(), ids.end(), 0);
      std::partial_sort(ids.begin(), ids.begin() + static_cast<long>(k), ids.end(),
                        [&](int32_t a, int32_t b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
      for (size_t i = 0; i < k; ++i) r.top_logprobs.push_back({ids[i], static_cast<float>(l[ids[i]] - lse)});
    }
  }
  Record(r.token);
  return r;
}

}  // namespace dsinfer::engine
