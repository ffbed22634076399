// Row-wise operations with the numerics of llama.cpp's CPU ops (ggml-cpu/ops.cpp, vec.h): sums
// accumulate in double where ggml uses ggml_float, everything else is f32.

#include "kernels/ops.h"

#include <cmath>

#include "base/cpu_features.h"
#include "kernels/x86/ops_x86.h"

namespace dsinfer {

void RmsNorm(const float* x, const float* weight, int64_t n, float eps, float* out) {
  double sum = 0.0;  // ggml_compute_forward_rms_norm_f32: f32 squares, double sum
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  if (weight != nullptr) {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale;
  }
}

void reference::SwiGlu(const float* gate, const float* up, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];  // ggml_silu_f32(g) * up
  }
}

void SwiGlu(const float* gate, const float* up, int64_t n, float* out) {
  // A MoE step applies this to every active expert's hidden rows (~11k values per token and
  // layer for V2-Lite) on the calling thread while the other threads wait: with libm's expf it
  // took ~35 us per layer, 2.5% of a decoded token.
  static const x86::SwiGluFn simd = GetCpuFeatures().avx512 ? x86::Avx512SwiGlu() : nullptr;
  if (simd != nullptr) {
    simd(gate, up, n, out);
  } else {
    reference::SwiGlu(gate, up, n, out);
  }
}

float MaxOf(const float* x, int64_t n) {
  constexpr int64_t kLanes = 16;
  float lanes[kLanes];
  for (float& m : lanes) m = -INFINITY;
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    for (int64_t j = 0; j < kLanes; ++j) lanes[j] = x[k + j] > lanes[j] ? x[k + j] : lanes[j];
  }
  float max = -INFINITY;
  for (float m : lanes) max = m > max ? m : max;
  for (; k < n; ++k) max = x[k] > max ? x[k] : max;
  return max;
}

void SoftmaxInPlace(float* x, int64_t n) {
  if (n <= 0) return;
  // The same maximum std::fmax gives; a chain of fmax calls was ~1% of a 512-token prefill.
  const float max = MaxOf(x, n);
  double sum = 0.0;  // ggml_vec_soft_max_f32 returns a ggml_float (double) sum
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i] - max);
    sum += static_cast<double>(e);
    x[i] = e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace dsinfer
