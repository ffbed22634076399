// Element-wise and row-wise operations of the transformer layers, with llama.cpp's numerics
// (f32 throughout). Each function is pure with respect to its arguments and thread-safe for
// distinct outputs. Vectorized versions may replace the loops; these are the ground truth.
#pragma once

#include <cstdint>

namespace dsinfer {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i]; `weight` may be null (no scale).
// out may alias x.
void RmsNorm(const float* x, const float* weight, int64_t n, float eps, float* out);

// out[i] = silu(gate[i]) * up[i]; out may alias gate or up. Vectorized where the CPU allows
// (expf by a polynomial, as llama.cpp's vectorized silu): within 1e-6 relative of
// reference::SwiGlu.
void SwiGlu(const float* gate, const float* up, int64_t n, float* out);

// The largest non-NaN value of x[0, n) (-inf when there is none), found in independent lanes
// so that a long row does not wait on one running maximum.
float MaxOf(const float* x, int64_t n);

// In-place softmax over n values (max-subtracted, f32).
void SoftmaxInPlace(float* x, int64_t n);

// Precomputed RoPE parameters for one model (spec §5.4); see MakeRopeParams in model code.
struct RopeParams {
  int n_dims = 0;     // rotated dimensions (pairs = n_dims / 2)
  bool neox = false;  // NEOX half-split pairing; NORM adjacent pairs otherwise
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;   // 1 / scaling factor
  float ext_factor = 0.0f;   // 1 for YaRN
  float attn_factor = 1.0f;  // magnitude factor applied to cos/sin
  float beta_fast = 32.0f;
  float beta_slow = 1.0f;
  int n_ctx_orig = 0;
  const float* freq_factors = nullptr;  // optional [n_dims/2] divisors (rope_freqs.weight)
};

// YaRN correction range in pair indices (ggml_rope_yarn_corr_dims):
//   lo = max(0, floor(c(beta_fast))), hi = min(n_dims - 1, ceil(c(beta_slow))),
//   c(b) = n_dims * ln(n_ctx_orig / (2 pi b)) / (2 ln(freq_base)).
// Pairs i <= lo keep their extrapolated angle, pairs i >= hi the interpolated one.
struct RopeCorrDims {
  float lo = 0.0f;
  float hi = 0.0f;
};
RopeCorrDims RopeYarnCorrDims(const RopeParams& params);

// cos_sin[2i] and cos_sin[2i + 1] = the magnitude-scaled cos and sin of pair i's angle at `pos`
// for i < n_dims / 2 (ggml_rope_cache_init; spec §5.4). Rope applies exactly these values.
void RopeCosSin(int64_t pos, const RopeParams& params, float* cos_sin);

// Rotates `n_heads` consecutive vectors of `head_stride` floats in place; within each, the first
// params.n_dims values are rotated for position `pos`, the rest are left unchanged.
void Rope(float* x, int n_heads, int head_stride, int64_t pos, const RopeParams& params);

namespace reference {
// The scalar ground truth of SwiGlu: x / (1 + expf(-x)) * up with the C library's expf.
void SwiGlu(const float* gate, const float* up, int64_t n, float* out);
}  // namespace reference

}  // namespace dsinfer
