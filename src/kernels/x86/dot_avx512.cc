// AVX-512 dot kernels for the 32-element block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) and the float
// types (F32, F16, and BF16 without the BF16 extension), plus the Q8_0/Q8_K activation
// quantizers. Compiled with -mavx512f/bw/vl/dq/vnni (and the AVX2 flags).
//
// Block products: each weight block is decoded once into 32 int8 quants, then for every token
// the integer dot product runs on VNNI (_mm256_dpbusd_epi32 of |w| and x carrying w's sign),
// which is exact; the int32 lanes are converted to float and accumulated with the block's
// d_w * d_x. Only the float summation order differs from the reference. Like the tensor layer's
// x86 files, this file calls no inline functions from shared headers.

#include "kernels/x86/matmul_x86.h"

#if defined(__x86_64__)

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's _mm512_undefined_* operands
#endif

#include <immintrin.h>

#include <cstring>

#include "tensor/half.h"

namespace dsinfer::x86 {

namespace {

inline float HalfToFloat(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return _cvtsh_ss(v);
}

inline float ReduceAdd256(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

inline __m256i Load32(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The 32 4-bit quants of a block, element order (low nibbles are elements 0..15).
inline __m256i Nibbles32(const uint8_t* qs) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Nibbles32 plus 16 where bit j of the block's qh word is set (Q5_0 / Q5_1).
inline __m256i FiveBit32(const uint8_t* qs, const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  const __m256i v = Nibbles32(qs);
  return _mm256_mask_add_epi8(v, static_cast<__mmask32>(bits), v, _mm256_set1_epi8(16));
}

// Signed-weight blocks whose activations are Q8_0 (34-byte blocks: fp16 d, int8 qs[32]).
struct Q8_0Block {
  static constexpr size_t kBytes = 34;
  static __m256i Quants(const uint8_t* b) { return Load32(b + 2); }
};
struct Q4_0Block {
  static constexpr size_t kBytes = 18;
  static __m256i Quants(const uint8_t* b) {
    return _mm256_sub_epi8(Nibbles32(b + 2), _mm256_set1_epi8(8));
  }
};
struct Q5_0Block {
  static constexpr size_t kBytes = 22;
  static __m256i Quants(const uint8_t* b) {
    return _mm256_sub_epi8(FiveBit32(b + 6, b + 2), _mm256_set1_epi8(16));
  }
};

constexpr size_t kQ8_0Bytes = 34;
constexpr size_t kQ8_1Bytes = 36;

// acc[t] += float(sum of w * x over the block, in 8 lanes) * d_w * d_x for every token.
template <int NT>
inline void AccumulateSignedBlock(__m256i q, float dw, const uint8_t* x, size_t xs,
                                  __m256 (&acc)[NT]) {
  const __m256i magnitude = _mm256_abs_epi8(q);
  const __mmask32 negative = _mm256_movepi8_mask(q);
  const __m256i zero = _mm256_setzero_si256();
  for (int t = 0; t < NT; ++t) {
    const uint8_t* xb = x + t * xs;
    __m256i xv = Load32(xb + 2);
    xv = _mm256_mask_sub_epi8(xv, negative, zero, xv);  // x * sign(w)
    const __m256i dot = _mm256_dpbusd_epi32(zero, magnitude, xv);
    const __m256 scale = _mm256_set1_ps(dw * HalfToFloat(xb));
    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc[t]);
  }
}

template <typename Block>
struct SignedBlockDot {
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    const int64_t nb = n / 32;
    __m256 even[NT], odd[NT];  // two chains hide the FMA latency
    for (int t = 0; t < NT; ++t) even[t] = odd[t] = _mm256_setzero_ps();
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
      const uint8_t* w0 = w + b * Block::kBytes;
      const uint8_t* w1 = w0 + Block::kBytes;
      AccumulateSignedBlock<NT>(Block::Quants(w0), HalfToFloat(w0), x + b * kQ8_0Bytes, xs, even);
      AccumulateSignedBlock<NT>(Block::Quants(w1), HalfToFloat(w1), x + (b + 1) * kQ8_0Bytes, xs,
                                odd);
    }
    if (b < nb) {
      const uint8_t* w0 = w + b * Block::kBytes;
      AccumulateSignedBlock<NT>(Block::Quants(w0), HalfToFloat(w0), x + b * kQ8_0Bytes, xs, even);
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = ReduceAdd256(_mm256_add_ps(even[t], odd[t]));
  }
};

// Q4_1 / Q5_1 with Q8_1 activations: sum (q d_w + m) x = d_w d_x sum(q qx) + m s_x per block.
template <bool kFifthBit>
struct OffsetBlockDot {
  static constexpr size_t kBytes = kFifthBit ? 24 : 20;
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    const int64_t nb = n / 32;
    __m256 acc[NT];
    float offsets[NT];
    for (int t = 0; t < NT; ++t) {
      acc[t] = _mm256_setzero_ps();
      offsets[t] = 0.0f;
    }
    const __m256i zero = _mm256_setzero_si256();
    for (int64_t b = 0; b < nb; ++b) {
      const uint8_t* wb = w + b * kBytes;
      const __m256i q = kFifthBit ? FiveBit32(wb + 8, wb + 4) : Nibbles32(wb + 4);
      const float dw = HalfToFloat(wb);
      const float m = HalfToFloat(wb + 2);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xb = x + t * xs + b * kQ8_1Bytes;
        const __m256i dot = _mm256_dpbusd_epi32(zero, q, Load32(xb + 4));
        const __m256 scale = _mm256_set1_ps(dw * HalfToFloat(xb));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc[t]);
        offsets[t] += m * HalfToFloat(xb + 2);
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = ReduceAdd256(acc[t]) + offsets[t];
  }
};

// Float rows: F32 as is, F16 through vcvtph2ps, BF16 by shifting into the high half of an f32.
struct F32Elements {
  static constexpr size_t kBytes = 4;
  static __m512 Load(const uint8_t* p) { return _mm512_loadu_ps(p); }
  static __m512 LoadMasked(const uint8_t* p, __mmask16 k) { return _mm512_maskz_loadu_ps(k, p); }
};
struct F16Elements {
  static constexpr size_t kBytes = 2;
  static __m512 Load(const uint8_t* p) { return _mm512_cvtph_ps(Load32(p)); }
  static __m512 LoadMasked(const uint8_t* p, __mmask16 k) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(k, p));
  }
};
struct BF16Elements {
  static constexpr size_t kBytes = 2;
  static __m512 Widen(__m256i b) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(b), 16));
  }
  static __m512 Load(const uint8_t* p) { return Widen(Load32(p)); }
  static __m512 LoadMasked(const uint8_t* p, __mmask16 k) {
    return Widen(_mm256_maskz_loadu_epi16(k, p));
  }
};

template <typename Element>
struct FloatDot {
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    constexpr size_t kB = Element::kBytes;
    __m512 acc0[NT], acc1[NT];
    for (int t = 0; t < NT; ++t) acc0[t] = acc1[t] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
      const __m512 w0 = Element::Load(w + i * kB);
      const __m512 w1 = Element::Load(w + (i + 16) * kB);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = x + t * xs;
        acc0[t] = _mm512_fmadd_ps(w0, Element::Load(xt + i * kB), acc0[t]);
        acc1[t] = _mm512_fmadd_ps(w1, Element::Load(xt + (i + 16) * kB), acc1[t]);
      }
    }
    for (; i < n; i += 16) {  // masked tail: lanes beyond n read nothing and add zero
      const int64_t left = n - i;
      const __mmask16 k =
          left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
      const __m512 w0 = Element::LoadMasked(w + i * kB, k);
      for (int t = 0; t < NT; ++t) {
        acc0[t] = _mm512_fmadd_ps(w0, Element::LoadMasked(x + t * xs + i * kB, k), acc0[t]);
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

// Runs the kernel for up to kMaxDotTokens tokens, four at a time.
template <typename Kernel>
void DotRowsOf(int64_t n, const void* w_row, const uint8_t* x, size_t xs, int n_x, float* y,
               size_t ys) {
  const auto* w = static_cast<const uint8_t*>(w_row);
  for (int t0 = 0; t0 < n_x; t0 += 4) {
    const int count = n_x - t0 < 4 ? n_x - t0 : 4;
    RunForTokenCount<Kernel, 4>(n, w, x + t0 * xs, xs, count, y + t0 * ys, ys);
  }
}

// Same bytes as quantize_row_q8_0_ref: d = amax / 127, q = roundf(x / d) (halves away from 0).
void QuantizeQ8_0(const float* x, void* dst, int64_t n) {
  auto* out = static_cast<uint8_t*>(dst);
  const __m512 sign_bit = _mm512_set1_ps(-0.0f);
  for (int64_t b = 0; b < n / 32; ++b, x += 32, out += kQ8_0Bytes) {
    const __m512 x0 = _mm512_loadu_ps(x);
    const __m512 x1 = _mm512_loadu_ps(x + 16);
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const uint16_t dh = Fp32ToFp16(d);
    std::memcpy(out, &dh, 2);
    const __m512 vid = _mm512_set1_ps(id);
    for (int h = 0; h < 2; ++h) {
      const __m512 v = _mm512_mul_ps(h == 0 ? x0 : x1, vid);
      // roundf: truncate, then step away from zero when the dropped fraction is >= 0.5.
      const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      const __m512 frac = _mm512_abs_ps(_mm512_sub_ps(v, t));
      const __mmask16 up = _mm512_cmp_ps_mask(frac, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
      const __m512 step = _mm512_or_ps(_mm512_set1_ps(1.0f), _mm512_and_ps(v, sign_bit));
      const __m512 r = _mm512_mask_add_ps(t, up, t, step);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 + 16 * h),
                       _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(r)));
    }
  }
}

// Same bytes as quantize_row_q8_K_ref: the first element of largest magnitude sets
// iscale = -127 / max; q = min(127, round-half-even(iscale * x)); d = 1 / iscale.
void QuantizeQ8_K(const float* x, void* dst, int64_t n) {
  constexpr size_t kBlockBytes = 292;
  auto* out = static_cast<uint8_t*>(dst);
  for (int64_t b = 0; b < n / 256; ++b, x += 256, out += kBlockBytes) {
    __m512 vmax = _mm512_setzero_ps();
    for (int i = 0; i < 256; i += 16)
      vmax = _mm512_max_ps(vmax, _mm512_abs_ps(_mm512_loadu_ps(x + i)));
    const float amax = _mm512_reduce_max_ps(vmax);
    std::memset(out, 0, kBlockBytes);
    if (amax == 0.0f) continue;
    float max = 0.0f;
    for (int i = 0; i < 256; i += 16) {
      const __mmask16 hit = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(x + i)),
                                               _mm512_set1_ps(amax), _CMP_EQ_OQ);
      if (hit != 0) {
        max = x[i + __builtin_ctz(hit)];
        break;
      }
    }
    const float iscale = -127.0f / max;
    const __m512 viscale = _mm512_set1_ps(iscale);
    int16_t bsums[16];
    for (int g = 0; g < 16; ++g) {
      __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(viscale, _mm512_loadu_ps(x + 16 * g)));
      q = _mm512_min_epi32(q, _mm512_set1_epi32(127));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 4 + 16 * g), _mm512_cvtsepi32_epi8(q));
      bsums[g] = static_cast<int16_t>(_mm512_reduce_add_epi32(q));
    }
    const float d = 1 / iscale;
    std::memcpy(out, &d, 4);
    std::memcpy(out + 260, bsums, sizeof(bsums));
  }
}

}  // namespace

DotRowsFn Avx512DotRows(DType weight_type) {
  switch (weight_type) {
    case DType::kF32:
      return DotRowsOf<FloatDot<F32Elements>>;
    case DType::kF16:
      return DotRowsOf<FloatDot<F16Elements>>;
    case DType::kBF16:
      return DotRowsOf<FloatDot<BF16Elements>>;
    case DType::kQ4_0:
      return DotRowsOf<SignedBlockDot<Q4_0Block>>;
    case DType::kQ5_0:
      return DotRowsOf<SignedBlockDot<Q5_0Block>>;
    case DType::kQ8_0:
      return DotRowsOf<SignedBlockDot<Q8_0Block>>;
    case DType::kQ4_1:
      return DotRowsOf<OffsetBlockDot<false>>;
    case DType::kQ5_1:
      return DotRowsOf<OffsetBlockDot<true>>;
    default:
      return Avx512KQuantDotRows(weight_type);
  }
}

QuantizeActivationFn Avx512ActivationQuantizer(DType vec_dot_type) {
  switch (vec_dot_type) {
    case DType::kQ8_0:
      return QuantizeQ8_0;
    case DType::kQ8_K:
      return QuantizeQ8_K;
    default:
      return nullptr;
  }
}

}  // namespace dsinfer::x86

#else  // not x86-64

namespace dsinfer::x86 {
DotRowsFn Avx512DotRows(DType) { return nullptr; }
QuantizeActivationFn Avx512ActivationQuantizer(DType) { return nullptr; }
}  // namespace dsinfer::x86

#endif
