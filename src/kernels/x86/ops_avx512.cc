// AVX-512F element-wise ops. Compiled with the AVX-512 flags; see kernels/x86/ops_x86.h.

#include "kernels/x86/ops_x86.h"

#if defined(__x86_64__)

#include <immintrin.h>

namespace dsinfer::x86 {

namespace {

// e^x for 16 floats: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two so n ln2 is exact enough),
// e^r by its Taylor series to r^7 (truncation < 5e-9 relative), then scaled by 2^n with scalef,
// which saturates to inf and flushes to 0 as expf does. x is clamped to +-100 first, beyond which
// the result is already inf or 0, so r stays small for every input.
inline __m512 Exp16(__m512 x) {
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(100.0f)), _mm512_set1_ps(-100.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

inline __m512 SwiGlu16(__m512 g, __m512 u) {
  const __m512 e = Exp16(_mm512_sub_ps(_mm512_setzero_ps(), g));
  return _mm512_mul_ps(_mm512_div_ps(g, _mm512_add_ps(_mm512_set1_ps(1.0f), e)), u);
}

void SwiGluRows(const float* gate, const float* up, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(out + i, SwiGlu16(_mm512_loadu_ps(gate + i), _mm512_loadu_ps(up + i)));
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 g = _mm512_maskz_loadu_ps(m, gate + i), u = _mm512_maskz_loadu_ps(m, up + i);
    _mm512_mask_storeu_ps(out + i, m, SwiGlu16(g, u));
  }
}

}  // namespace

SwiGluFn Avx512SwiGlu() { return SwiGluRows; }

}  // namespace dsinfer::x86

#else

namespace dsinfer::x86 {
SwiGluFn Avx512SwiGlu() { return nullptr; }
}  // namespace dsinfer::x86

#endif
