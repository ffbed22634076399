// AVX-512 BF16 dot kernel for BF16 weights and BF16 activations: vdpbf16ps multiplies pairs of
// bf16 values (exact in f32) and accumulates in f32, 32 elements per instruction. Compiled with
// the AVX-512 flags plus -mavx512bf16; MatMul uses it only when CpuFeatures::avx512_bf16 is set.
// Like ggml's AVX512_BF16 path, denormal bf16 inputs count as zero; the difference from the
// reference is far below MatMul's tolerance.

#include "kernels/x86/matmul_x86.h"

#if defined(__x86_64__)

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's _mm512_undefined_* operands
#endif

#include <immintrin.h>

namespace dsinfer::x86 {

namespace {

inline __m512bh LoadBf16(const uint8_t* p) {
  return reinterpret_cast<__m512bh>(_mm512_loadu_si512(p));
}

inline __m512bh LoadBf16Masked(const uint8_t* p, __mmask32 k) {
  return reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(k, p));
}

struct Bf16Dot {
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m512 acc0[NT], acc1[NT];
    for (int t = 0; t < NT; ++t) acc0[t] = acc1[t] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
      const __m512bh w0 = LoadBf16(w + 2 * i);
      const __m512bh w1 = LoadBf16(w + 2 * i + 64);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = x + t * xs + 2 * i;
        acc0[t] = _mm512_dpbf16_ps(acc0[t], w0, LoadBf16(xt));
        acc1[t] = _mm512_dpbf16_ps(acc1[t], w1, LoadBf16(xt + 64));
      }
    }
    for (; i < n; i += 32) {  // masked tail: missing elements read as +0
      const int64_t left = n - i;
      const __mmask32 k =
          left >= 32 ? ~static_cast<__mmask32>(0) : static_cast<__mmask32>((1u << left) - 1);
      const __m512bh w0 = LoadBf16Masked(w + 2 * i, k);
      for (int t = 0; t < NT; ++t) {
        acc0[t] = _mm512_dpbf16_ps(acc0[t], w0, LoadBf16Masked(x + t * xs + 2 * i, k));
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[t], acc1[t]));
  }
};

// Runs Kernel::Run<n_x> for 1 <= n_x <= kMaxTokens (the token count is a template parameter so
// that the per-token accumulators live in registers).
template <typename Kernel, int kMaxTokens>
void RunForTokenCount(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, int n_x, float* y,
                      size_t ys) {
  if constexpr (kMaxTokens > 1) {
    if (n_x < kMaxTokens) {
      RunForTokenCount<Kernel, kMaxTokens - 1>(n, w, x, xs, n_x, y, ys);
      return;
    }
  }
  Kernel::template Run<kMaxTokens>(n, w, x, xs, y, ys);
}

void DotRowsBf16(int64_t n, const void* w_row, const uint8_t* x, size_t xs, int n_x, float* y,
                 size_t ys) {
  const auto* w = static_cast<const uint8_t*>(w_row);
  for (int t0 = 0; t0 < n_x; t0 += 4) {
    const int count = n_x - t0 < 4 ? n_x - t0 : 4;
    RunForTokenCount<Bf16Dot, 4>(n, w, x + t0 * xs, xs, count, y + t0 * ys, ys);
  }
}

}  // namespace

DotRowsFn Avx512Bf16DotRows() { return DotRowsBf16; }

}  // namespace dsinfer::x86

#else  // not x86-64

namespace dsinfer::x86 {
DotRowsFn Avx512Bf16DotRows() { return nullptr; }
}  // namespace dsinfer::x86

#endif
