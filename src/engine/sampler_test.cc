#include "engine/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace dsinfer::engine {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

SamplingParams Params(float temperature) {
  SamplingParams p;
  p.temperature = temperature;
  return p;
}

// Frequencies of each token over `draws` draws from the same logits.
std::vector<double> Frequencies(const SamplingParams& p, const std::vector<float>& logits, int draws,
                                uint64_t seed = 42) {
  Sampler s(p, seed, {});
  std::vector<double> f(logits.size(), 0.0);
  for (int i = 0; i < draws; ++i) f[static_cast<size_t>(s.Sample(logits).token)] += 1.0;
  for (double& x : f) x /= draws;
  return f;
}

std::vector<float> LogitsOf(const std::vector<double>& probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(static_cast<float>(std::log(p)));
  return l;
}

TEST(SamplerTest, GreedyTakesTheArgmaxAndTheLowestIdOnTies) {
  Sampler s(Params(0.0f), 1, {});
  EXPECT_EQ(s.Sample(std::vector<float>{0.1f, 3.0f, -2.0f, 3.0f}).token, 1);
  EXPECT_EQ(s.Sample(std::vector<float>{5.0f, 5.0f}).token, 0);
  EXPECT_TRUE(s.greedy());
}

// Greedy over vocabulary-sized rows with ties, -inf and NaN entries equals a plain running
// argmax (lowest id of the maximum; NaN never chosen).
TEST(SamplerTest, GreedyMatchesAPlainArgmaxOnLargeRows) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-30.0f, 30.0f);
  Sampler s(Params(0.0f), 1, {});
  for (size_t n : {size_t{1}, size_t{15}, size_t{17}, size_t{102400}, size_t{102401}}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> l(n);
      for (float& x : l) x = std::round(uniform(rng));  // many ties
      for (size_t k = 0; k < n / 50; ++k) {
        l[rng() % n] = k % 2 ? kNegInf : std::numeric_limits<float>::quiet_NaN();
      }
      size_t want = 0;
      for (size_t i = 1; i < n; ++i) {
        if (l[i] > l[want]) want = i;
      }
      EXPECT_EQ(s.Sample(l).token, static_cast<int32_t>(want)) << "n " << n << ", trial " << trial;
    }
  }
}

TEST(SamplerTest, TemperatureOneDrawsFromTheSoftmax) {
  const std::vector<double> probs = {1.0 / 7, 2.0 / 7, 4.0 / 7};
  const auto f = Frequencies(Params(1.0f), LogitsOf(probs), 60000);
  for (size_t i = 0; i < probs.size(); ++i) EXPECT_NEAR(f[i], probs[i], 0.01) << i;
}

TEST(SamplerTest, LowTemperatureSharpensTheDistribution) {
  // Temperature 0.5 squares the probabilities (then renormalises): 1:4:16.
  const auto f = Frequencies(Params(0.5f), LogitsOf({1.0 / 7, 2.0 / 7, 4.0 / 7}), 60000);
  EXPECT_NEAR(f[2], 16.0 / 21, 0.01);
  EXPECT_NEAR(f[0], 1.0 / 21, 0.01);
}

TEST(SamplerTest, TopKKeepsTheKMostLikelyTokens) {
  SamplingParams p = Params(1.0f);
  p.top_k = 2;
  const auto f = Frequencies(p, LogitsOf({0.1, 0.2, 0.3, 0.4}), 60000);
  EXPECT_EQ(f[0], 0.0);
  EXPECT_EQ(f[1], 0.0);
  EXPECT_NEAR(f[2], 3.0 / 7, 0.01);
  EXPECT_NEAR(f[3], 4.0 / 7, 0.01);
  // Ties at the k-th value are kept.
  std::vector<float> processed;
  Sampler(p, 1, {}).ProcessLogits(std::vector<float>{1.0f, 2.0f, 2.0f, 0.0f}, &processed);
  EXPECT_EQ(processed[0], kNegInf);
  EXPECT_EQ(processed[1], 2.0f);
  EXPECT_EQ(processed[2], 2.0f);
}

TEST(SamplerTest, TopPKeepsTheSmallestSetReachingTheMass) {
  SamplingParams p = Params(1.0f);
  p.top_p = 0.75f;
  const auto f = Frequencies(p, LogitsOf({0.05, 0.5, 0.15, 0.3}), 60000);
  EXPECT_EQ(f[0], 0.0);
  EXPECT_EQ(f[2], 0.0);
  EXPECT_NEAR(f[1], 0.5 / 0.8, 0.01);
  EXPECT_NEAR(f[3], 0.3 / 0.8, 0.01);
  // The most likely token always survives.
  p.top_p = 0.01f;
  const auto g = Frequencies(p, LogitsOf({0.05, 0.5, 0.15, 0.3}), 1000);
  EXPECT_EQ(g[1], 1.0);
}

TEST(SamplerTest, MinPDropsTokensBelowAFractionOfTheBest) {
  SamplingParams p = Params(1.0f);
  p.min_p = 0.2f;  // threshold 0.1 of p_max 0.5
  const auto f = Frequencies(p, LogitsOf({0.5, 0.3, 0.15, 0.05}), 60000);
  EXPECT_EQ(f[3], 0.0);
  EXPECT_NEAR(f[0], 0.5 / 0.95, 0.01);
  EXPECT_NEAR(f[2], 0.15 / 0.95, 0.01);
}

TEST(SamplerTest, RepetitionPenaltyScalesPromptAndOutputTokensLikeVllm) {
  SamplingParams p = Params(0.0f);
  p.repetition_penalty = 2.0f;
  const std::vector<int32_t> prompt = {1, 2, 2};
  Sampler s(p, 1, prompt);
  std::vector<float> out;
  s.ProcessLogits(std::vector<float>{1.0f, 4.0f, -1.0f, 3.0f}, &out);
  EXPECT_EQ(out, (std::vector<float>{1.0f, 2.0f, -2.0f, 3.0f}));
  // The sampled token (3) is penalised from then on, once.
  EXPECT_EQ(s.Sample(std::vector<float>{1.0f, 4.0f, -1.0f, 3.0f}).token, 3);
  s.ProcessLogits(std::vector<float>{1.0f, 4.0f, -1.0f, 3.0f}, &out);
  EXPECT_EQ(out[3], 1.5f);
}

TEST(SamplerTest, FrequencyAndPresencePenaltiesCountOutputTokensOnly) {
  SamplingParams p = Params(0.0f);
  p.frequency_penalty = 0.5f;
  p.presence_penalty = 0.25f;
  const std::vector<int32_t> prompt = {0};
  Sampler s(p, 1, prompt);
  const std::vector<float> logits = {2.0f, 1.9f, 0.0f};
  EXPECT_EQ(s.Sample(logits).token, 0);  // the prompt is not penalised
  std::vector<float> out;
  s.ProcessLogits(logits, &out);
  EXPECT_FLOAT_EQ(out[0], 2.0f - 0.5f - 0.25f);
  EXPECT_EQ(s.Sample(logits).token, 1);
  EXPECT_EQ(s.Sample(logits).token, 0);  // 1.25 vs 1.15
  s.ProcessLogits(logits, &out);
  EXPECT_FLOAT_EQ(out[0], 2.0f - 2 * 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(out[1], 1.9f - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(out[2], 0.0f);
}

TEST(SamplerTest, LogitBiasIsAddedToTheRawLogits) {
  SamplingParams p = Params(0.0f);
  p.logit_bias = {{2, 10.0f}, {0, -100.0f}};
  Sampler s(p, 1, {});
  EXPECT_EQ(s.Sample(std::vector<float>{5.0f, 1.0f, 0.0f}).token, 2);
  p.temperature = 1.0f;
  p.logit_bias = {{1, -1000.0f}};
  const auto f = Frequencies(p, {0.0f, 0.0f}, 2000);
  EXPECT_EQ(f[0], 1.0);
}

TEST(SamplerTest, ASeedReproducesTheDrawsAndDifferentSeedsDiffer) {
  const std::vector<float> logits = LogitsOf({0.1, 0.2, 0.3, 0.15, 0.25});
  auto draws = [&](uint64_t seed) {
    Sampler s(Params(1.0f), seed, {});
    std::vector<int32_t> t;
    for (int i = 0; i < 200; ++i) t.push_back(s.Sample(logits).token);
    return t;
  };
  EXPECT_EQ(draws(7), draws(7));
  EXPECT_NE(draws(7), draws(8));
  EXPECT_NE(DeriveSampleSeed(7, 0), DeriveSampleSeed(7, 1));
  // A clone with a given seed draws like a fresh sampler with that seed.
  Sampler original(Params(1.0f), 99, {});
  original.Sample(logits);
  auto clone = original.Clone(7);
  std::vector<int32_t> t;
  for (int i = 0; i < 200; ++i) t.push_back(clone->Sample(logits).token);
  EXPECT_EQ(t, draws(7));
}

TEST(SamplerTest, LogprobsAreTheLogSoftmaxOfTheProcessedLogitsAndSumToOne) {
  SamplingParams p = Params(0.7f);
  p.top_k = 5;
  p.logprobs = true;
  p.top_logprobs = 20;
  std::vector<float> logits;
  for (int i = 0; i < 12; ++i) logits.push_back(std::sin(static_cast<float>(i)) * 3.0f);
  Sampler s(p, 3, {});
  const SampleResult r = s.Sample(logits);
  ASSERT_EQ(r.top_logprobs.size(), 12u);
  double total = 0;
  for (const auto& t : r.top_logprobs) total += std::exp(static_cast<double>(t.logprob));
  EXPECT_NEAR(total, 1.0, 1e-5);
  EXPECT_EQ(r.top_logprobs[5].logprob, kNegInf);  // masked by top_k
  for (size_t i = 1; i < r.top_logprobs.size(); ++i) {
    EXPECT_GE(r.top_logprobs[i - 1].logprob, r.top_logprobs[i].logprob);
  }
  bool found = false;
  for (const auto& t : r.top_logprobs) {
    if (t.token == r.token) {
      EXPECT_EQ(t.logprob, r.logprob);
      found = true;
    }
  }
  EXPECT_TRUE(found);

  // Greedy: the log-softmax of the (penalised) logits.
  SamplingParams g = Params(0.0f);
  g.top_logprobs = 2;
  Sampler gs(g, 1, {});
  const SampleResult gr = gs.Sample(std::vector<float>{0.0f, std::log(3.0f)});
  EXPECT_EQ(gr.token, 1);
  EXPECT_NEAR(gr.logprob, std::log(0.75), 1e-6);
  EXPECT_NEAR(gr.top_logprobs[1].logprob, std::log(0.25), 1e-6);
}

TEST(SamplerTest, ValidationNamesTheField) {
  SamplingParams p;
  p.top_p = 0.0f;
  EXPECT_NE(ValidateSamplingParams(p, 10).message().find("top_p"), std::string::npos);
  p = SamplingParams();
  p.temperature = -1.0f;
  EXPECT_NE(ValidateSamplingParams(p, 10).message().find("temperature"), std::string::npos);
  p = SamplingParams();
  p.logit_bias = {{10, 1.0f}};
  EXPECT_NE(ValidateSamplingParams(p, 10).message().find("logit_bias"), std::string::npos);
  p = SamplingParams();
  p.top_logprobs = 21;
  EXPECT_EQ(ValidateSamplingParams(p, 10).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateSamplingParams(SamplingParams(), 10).ok());
}

}  // namespace
}  // namespace dsinfer::engine
