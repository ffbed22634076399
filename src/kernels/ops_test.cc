// Tests of the row-wise ops against double-precision versions, and of RoPE's pairing, YaRN
// correction range (spec §8.3), magnitude and frequency factors.

#include "kernels/ops.h"

#include "base/cpu_features.h"
#include "kernels/x86/ops_x86.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace dsinfer {
namespace {

std::vector<float> Gaussian(int64_t n, float sigma, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

TEST(RmsNormTest, MatchesDoublePrecision) {
  std::mt19937 rng(1);
  for (int64_t n : {1, 7, 64, 1000, 7168}) {
    const std::vector<float> x = Gaussian(n, 3.0f, rng);
    const std::vector<float> w = Gaussian(n, 1.0f, rng);
    std::vector<float> out(n), unweighted(n);
    RmsNorm(x.data(), w.data(), n, 1e-6f, out.data());
    RmsNorm(x.data(), nullptr, n, 1e-6f, unweighted.data());
    double sum = 0;
    for (float v : x) sum += static_cast<double>(v) * v;
    const double scale = 1.0 / std::sqrt(sum / n + 1e-6);
    for (int64_t i = 0; i < n; ++i) {
      const double want = x[i] * scale * w[i];
      EXPECT_NEAR(out[i], want, 1e-6 * std::fabs(want) + 1e-30) << "n " << n << ", i " << i;
      EXPECT_NEAR(unweighted[i], x[i] * scale, 1e-6 * std::fabs(x[i] * scale) + 1e-30);
    }
  }
}

TEST(RmsNormTest, OutputMayAliasInput) {
  std::vector<float> x = {1.0f, -2.0f, 3.0f, 0.5f};
  const std::vector<float> w = {1.0f, 2.0f, 0.5f, -1.0f};
  std::vector<float> separate(4);
  RmsNorm(x.data(), w.data(), 4, 1e-5f, separate.data());
  RmsNorm(x.data(), w.data(), 4, 1e-5f, x.data());
  EXPECT_EQ(x, separate);
}

TEST(SwiGluTest, MatchesDoublePrecision) {
  std::mt19937 rng(2);
  const int64_t n = 4096;
  std::vector<float> gate = Gaussian(n, 4.0f, rng);
  gate[0] = -100.0f;  // silu underflows to -0
  gate[1] = 100.0f;
  const std::vector<float> up = Gaussian(n, 1.0f, rng);
  std::vector<float> out(n);
  SwiGlu(gate.data(), up.data(), n, out.data());
  for (int64_t i = 0; i < n; ++i) {
    const double g = gate[i];
    const double want = g / (1.0 + std::exp(-g)) * up[i];
    EXPECT_NEAR(out[i], want, 2e-6 * std::fabs(want) + 1e-30) << i;
  }
  SwiGlu(gate.data(), up.data(), n, gate.data());  // aliasing the gate
  EXPECT_EQ(gate, out);
}

// Every vectorized SwiGlu this CPU can run, and the dispatched one, against the scalar reference:
// random rows of every tail length, and a sweep over the whole range where silu is neither 0
// nor the identity, plus the saturating and special values.
TEST(SwiGluTest, VectorizedMatchesReference) {
  std::vector<std::pair<const char*, x86::SwiGluFn>> impls = {{"dispatched", SwiGlu}};
  if (GetCpuFeatures().avx512) impls.push_back({"avx512", x86::Avx512SwiGlu()});
  std::mt19937 rng(7);
  std::vector<float> gate;
  for (float g = -110.0f; g <= 110.0f; g += 0.0137f) gate.push_back(g);
  for (float g : {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-40f, 88.7f, -88.7f, 89.0f, -104.0f, 1e30f, -1e30f,
                  INFINITY, -INFINITY}) {
    gate.push_back(g);
  }
  const std::vector<float> wide = Gaussian(4096, 8.0f, rng);
  gate.insert(gate.end(), wide.begin(), wide.end());
  const std::vector<float> up = Gaussian(static_cast<int64_t>(gate.size()), 1.0f, rng);
  for (const auto& [name, fn] : impls) {
    for (int64_t n : {int64_t{1}, int64_t{15}, int64_t{16}, int64_t{17}, int64_t{33},
                      static_cast<int64_t>(gate.size())}) {
      std::vector<float> want(n), got(n);
      reference::SwiGlu(gate.data(), up.data(), n, want.data());
      fn(gate.data(), up.data(), n, got.data());
      for (int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(want[i])) {
          EXPECT_TRUE(std::isnan(want[i]) ? std::isnan(got[i]) : got[i] == want[i]) << name << " gate " << gate[i];
          continue;
        }
        EXPECT_NEAR(got[i], want[i], 1e-6 * std::fabs(want[i]) + 1e-37) << name << " gate " << gate[i];
      }
    }
  }
}

TEST(MaxOfTest, LargestNonNanValueOfEveryLength) {
  std::mt19937 rng(4);
  for (int64_t n : {1, 15, 16, 17, 100}) {
    std::vector<float> x = Gaussian(n, 5.0f, rng);
    x[static_cast<size_t>(n / 2)] = NAN;
    float want = -INFINITY;
    for (float v : x) want = v > want ? v : want;
    EXPECT_EQ(MaxOf(x.data(), n), want) << n;
  }
  const std::vector<float> nans(20, NAN);
  EXPECT_EQ(MaxOf(nans.data(), 20), -INFINITY);
  EXPECT_EQ(MaxOf(nans.data(), 0), -INFINITY);
}

TEST(SoftmaxTest, MatchesDoublePrecisionAndSumsToOne) {
  std::mt19937 rng(3);
  for (int64_t n : {1, 2, 33, 4096}) {
    std::vector<float> x = Gaussian(n, 5.0f, rng);
    if (n > 2) x[1] = -INFINITY;  // a masked position
    const std::vector<float> in = x;
    SoftmaxInPlace(x.data(), n);
    double max = -INFINITY, sum = 0;
    for (float v : in) max = std::fmax(max, v);
    for (float v : in) sum += std::exp(v - max);
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
      // x - max is rounded to f32, so the relative error grows with |x - max|.
      const double want = std::exp(in[i] - max) / sum;
      const double tol = want > 0 ? 1e-7 * (8 + std::fabs(in[i] - max)) * want : 1e-30;
      EXPECT_NEAR(x[i], want, tol) << "n " << n << ", i " << i;
      total += x[i];
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
    if (n > 2) {
      EXPECT_EQ(x[1], 0.0f);
    }
  }
}

// Expected (a, b) -> (a cos t - b sin t, a sin t + b cos t) in double.
void ExpectRotated(float a, float b, double angle, float got_a, float got_b) {
  EXPECT_NEAR(got_a, a * std::cos(angle) - b * std::sin(angle), 1e-6);
  EXPECT_NEAR(got_b, a * std::sin(angle) + b * std::cos(angle), 1e-6);
}

TEST(RopeTest, NormRotatesAdjacentPairsAndNeoxRotatesHalves) {
  // n_dims 4, base 10000, position 1: pair 0 turns by 1 rad, pair 1 by 10000^(-1/2) = 0.01 rad.
  RopeParams p;
  p.n_dims = 4;
  p.freq_base = 10000.0f;
  std::vector<float> norm = {1, 2, 3, 4, 5};  // the fifth value is beyond n_dims
  Rope(norm.data(), 1, 5, 1, p);
  ExpectRotated(1, 2, 1.0, norm[0], norm[1]);
  ExpectRotated(3, 4, 0.01, norm[2], norm[3]);
  EXPECT_EQ(norm[4], 5.0f);

  p.neox = true;
  std::vector<float> neox = {1, 2, 3, 4, 5};
  Rope(neox.data(), 1, 5, 1, p);
  ExpectRotated(1, 3, 1.0, neox[0], neox[2]);
  ExpectRotated(2, 4, 0.01, neox[1], neox[3]);
  EXPECT_EQ(neox[4], 5.0f);
}

TEST(RopeTest, RotatesEveryHeadAndPreservesNormsWhenMscaleIsOne) {
  std::mt19937 rng(4);
  RopeParams p;
  p.n_dims = 64;
  p.freq_base = 10000.0f;
  p.freq_scale = 1.0f / 40;
  p.ext_factor = 1.0f;
  p.attn_factor = 1.0f / (1.0f + 0.1f * std::log(40.0f));  // cancels YaRN's magnitude factor
  p.n_ctx_orig = 4096;
  for (bool neox : {false, true}) {
    p.neox = neox;
    const int heads = 3, stride = 96;
    std::vector<float> x = Gaussian(heads * stride, 1.0f, rng);
    const std::vector<float> in = x;
    Rope(x.data(), heads, stride, 12345, p);
    for (int h = 0; h < heads; ++h) {
      double before = 0, after = 0;
      for (int i = 0; i < p.n_dims; ++i) {
        before += static_cast<double>(in[h * stride + i]) * in[h * stride + i];
        after += static_cast<double>(x[h * stride + i]) * x[h * stride + i];
      }
      EXPECT_NEAR(after, before, 1e-5 * before) << "head " << h;
      EXPECT_NE(x[h * stride], in[h * stride]);
      for (int i = p.n_dims; i < stride; ++i) EXPECT_EQ(x[h * stride + i], in[h * stride + i]);
    }
  }
}

TEST(RopeTest, YarnCorrectionRangeForDeepSeek) {
  RopeParams p;
  p.n_dims = 64;
  p.freq_base = 10000.0f;
  p.n_ctx_orig = 4096;
  p.beta_fast = 32.0f;
  p.beta_slow = 1.0f;
  const RopeCorrDims corr = RopeYarnCorrDims(p);
  EXPECT_EQ(corr.lo, 10.0f);  // floor(10.47)
  EXPECT_EQ(corr.hi, 23.0f);  // ceil(22.51)
}

TEST(RopeTest, YarnKeepsFastPairsAndInterpolatesSlowPairs) {
  // DeepSeek: pairs i <= 10 keep the original angle, i >= 23 turn 40 times slower, and pairs in
  // between blend linearly with weight (i - 10) / 13 (spec §8.3).
  RopeParams p;
  p.n_dims = 64;
  p.freq_base = 10000.0f;
  p.freq_scale = 1.0f / 40;
  p.ext_factor = 1.0f;
  p.attn_factor = 1.0f / (1.0f + 0.1f * std::log(40.0f));
  p.n_ctx_orig = 4096;
  std::vector<float> cs(p.n_dims);
  const int64_t pos = 3;
  RopeCosSin(pos, p, cs.data());
  for (int i = 0; i < p.n_dims / 2; ++i) {
    const double extrap = pos * std::pow(10000.0, -2.0 * i / p.n_dims);
    const double ramp = 1.0 - std::clamp((i - 10.0) / 13.0, 0.0, 1.0);
    const double want = extrap / 40 * (1 - ramp) + extrap * ramp;
    const double c = cs[2 * i], s = cs[2 * i + 1];
    EXPECT_NEAR(c * c + s * s, 1.0, 1e-6) << i;
    EXPECT_NEAR(std::atan2(s, c), want, 1e-5 * want + 1e-7) << "pair " << i;
  }
}

TEST(RopeTest, MagnitudeIsAttnFactorTimesYarnCorrection) {
  RopeParams p;
  p.n_dims = 8;
  p.freq_scale = 0.25f;
  p.ext_factor = 1.0f;
  p.attn_factor = 0.5f;
  p.n_ctx_orig = 1024;
  std::vector<float> cs(p.n_dims);
  RopeCosSin(7, p, cs.data());
  const double m = 0.5 * (1 + 0.1 * std::log(4.0));
  for (int i = 0; i < p.n_dims / 2; ++i) {
    EXPECT_NEAR(std::hypot(cs[2 * i], cs[2 * i + 1]), m, 1e-6) << i;
  }
  p.ext_factor = 0.0f;  // without YaRN only attn_factor scales
  RopeCosSin(7, p, cs.data());
  EXPECT_NEAR(std::hypot(cs[0], cs[1]), 0.5, 1e-6);
}

TEST(RopeTest, FrequencyFactorsDivideAngles) {
  RopeParams p;
  p.n_dims = 16;
  p.freq_base = 500000.0f;
  std::vector<float> ff(p.n_dims / 2);
  for (size_t i = 0; i < ff.size(); ++i) ff[i] = 1.0f + static_cast<float>(i);
  std::vector<float> plain(p.n_dims), divided(p.n_dims);
  RopeCosSin(2, p, plain.data());
  p.freq_factors = ff.data();
  RopeCosSin(2, p, divided.data());
  for (int i = 0; i < p.n_dims / 2; ++i) {
    const double angle = std::atan2(plain[2 * i + 1], plain[2 * i]);
    EXPECT_NEAR(std::atan2(divided[2 * i + 1], divided[2 * i]), angle / ff[i], 1e-6) << i;
  }
  // Dividing by 2 exactly equals half the position, bit for bit.
  std::fill(ff.begin(), ff.end(), 2.0f);
  RopeCosSin(2, p, divided.data());
  p.freq_factors = nullptr;
  RopeCosSin(1, p, plain.data());
  EXPECT_EQ(divided, plain);
}

}  // namespace
}  // namespace dsinfer
