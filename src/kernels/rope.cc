// RoPE with NORM/NEOX pairing, YaRN and frequency factors, following ggml's CPU rope
// (ggml_rope_yarn_corr_dims, ggml_rope_cache_init, rope_yarn, rotate_pairs; spec §5.4). The
// angle of pair i is built by repeated multiplication, theta_i = pos * theta_scale^i in f32, as
// ggml does.

#include <cmath>
#include <numbers>

#include "base/check.h"
#include "kernels/ops.h"

namespace dsinfer {

namespace {

// ggml_rope_yarn_corr_dim: the pair index whose wavelength spans n_ctx_orig / n_rot turns.
float CorrDim(int n_dims, int n_ctx_orig, float n_rot, float base) {
  return static_cast<float>(n_dims) *
         std::log(static_cast<float>(n_ctx_orig) / (n_rot * 2 * std::numbers::pi_v<float>)) /
         (2 * std::log(base));
}

// rope_yarn_ramp: 1 below lo, 0 above hi, linear in between (pair index i).
float YarnRamp(float lo, float hi, int64_t i) {
  const float y = (static_cast<float>(i) - lo) / std::fmax(0.001f, hi - lo);
  return 1.0f - std::fmin(1.0f, std::fmax(0.0f, y));
}

// Calls fn(i, cos_i, sin_i) for every pair i < n_dims / 2 at position `pos`.
template <typename Fn>
void ForEachPairAngle(int64_t pos, const RopeParams& p, Fn&& fn) {
  CHECK(p.n_dims > 0 && p.n_dims % 2 == 0) << "Rope: n_dims " << p.n_dims << " must be even";
  const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_dims));
  RopeCorrDims corr;
  float mscale = p.attn_factor;
  if (p.ext_factor != 0.0f) {
    corr = RopeYarnCorrDims(p);
    mscale *= 1.0f + 0.1f * std::log(1.0f / p.freq_scale);
  }
  float theta = static_cast<float>(pos);
  for (int i = 0; i < p.n_dims / 2; ++i) {
    const float ff = p.freq_factors != nullptr ? p.freq_factors[i] : 1.0f;
    const float theta_extrap = theta / ff;
    const float theta_interp = p.freq_scale * theta_extrap;
    float angle = theta_interp;
    if (p.ext_factor != 0.0f) {
      const float mix = YarnRamp(corr.lo, corr.hi, i) * p.ext_factor;
      angle = theta_interp * (1 - mix) + theta_extrap * mix;
    }
    fn(i, std::cos(angle) * mscale, std::sin(angle) * mscale);
    theta *= theta_scale;
  }
}

}  // namespace

RopeCorrDims RopeYarnCorrDims(const RopeParams& p) {
  const float start = std::floor(CorrDim(p.n_dims, p.n_ctx_orig, p.beta_fast, p.freq_base));
  const float end = std::ceil(CorrDim(p.n_dims, p.n_ctx_orig, p.beta_slow, p.freq_base));
  return {std::fmax(0.0f, start), std::fmin(static_cast<float>(p.n_dims - 1), end)};
}

void RopeCosSin(int64_t pos, const RopeParams& params, float* cos_sin) {
  ForEachPairAngle(pos, params, [&](int i, float c, float s) {
    cos_sin[2 * i] = c;
    cos_sin[2 * i + 1] = s;
  });
}

void Rope(float* x, int n_heads, int head_stride, int64_t pos, const RopeParams& params) {
  CHECK_LE(params.n_dims, head_stride);
  // NORM rotates (x[2i], x[2i+1]); NEOX rotates (x[i], x[i + n_dims/2]).
  const int first_step = params.neox ? 1 : 2;
  const int partner = params.neox ? params.n_dims / 2 : 1;
  ForEachPairAngle(pos, params, [&](int i, float c, float s) {
    for (int h = 0; h < n_heads; ++h) {
      float* v = x + static_cast<int64_t>(h) * head_stride + i * first_step;
      const float x0 = v[0];
      const float x1 = v[partner];
      v[0] = x0 * c - x1 * s;
      v[partner] = x0 * s + x1 * c;
    }
  });
}

}  // namespace dsinfer
