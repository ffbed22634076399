// AVX-512 dot kernels for the K-quants (Q2_K..Q6_K) against Q8_K activations. Compiled with
// -mavx512f/bw/vl/dq/vnni (and the AVX2 flags).
//
// Each super-block is decoded once per weight row, 64 quants at a time into a zmm of unsigned
// bytes in element order, with a matching zmm of sixteen-bit scales (one per pair of quants).
// For every token, vpmaddubsw forms the pairwise products with the activation bytes (at most
// 2 * 63 * 127, no saturation) and VNNI's vpdpwssd multiplies them by the scales and accumulates
// in int32, exactly. Offsets (Q6_K's -32, Q3_K's -4) and mins come from the activation's bsums.
// Per super-block the int32 lanes are converted to float and accumulated with d_w * d_x; only
// this float summation order differs from the reference. No inline functions from shared headers.

#include "kernels/x86/matmul_x86.h"

#if defined(__x86_64__)

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's _mm512_undefined_* operands
#endif

#include <immintrin.h>

#include <cstring>

namespace dsinfer::x86 {

namespace {

// Q8_K activation block: f32 d, int8 qs[256], int16 bsums[16].
constexpr size_t kQ8_KBytes = 292;
constexpr size_t kQ8_KQs = 4;
constexpr size_t kQ8_KBsums = 260;

inline float HalfToFloat(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return _cvtsh_ss(v);
}

inline float LoadFloat(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, 4);
  return v;
}

inline float ReduceAdd256(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

inline __m256i Load32(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline __m512i Load64(const uint8_t* p) {
  return _mm512_loadu_si512(reinterpret_cast<const __m512i*>(p));
}
inline __m256i Bsums(const uint8_t* x_block) { return Load32(x_block + kQ8_KBsums); }

// The sixteen-bit scales of 64 quants (chunk j of a super-block) whose sixteen groups of 16 have
// scales scale16[0..15]: lane L (quants 2L, 2L+1 of the chunk) gets scale16[4j + L / 8].
inline __m512i ChunkScales(__m512i scale16, int chunk) {
  alignas(64) static constexpr int16_t kIndex[4][32] = {
      {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
       2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3},
      {4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5,
       6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7},
      {8,  8,  8,  8,  8,  8,  8,  8,  9,  9,  9,  9,  9,  9,  9,  9,
       10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11},
      {12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13,
       14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15},
  };
  return _mm512_permutexvar_epi16(_mm512_load_si512(kIndex[chunk]), scale16);
}

// Two 32-byte halves as one zmm: lo in lanes 0..31, hi in lanes 32..63.
inline __m512i Join(__m256i lo, __m256i hi) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

// sumi += scales * (pairwise products of the 64 weight bytes q and the token's 64 bytes at x).
inline __m512i AddScaledProducts(__m512i sumi, __m512i q, const uint8_t* x, __m512i scales) {
  return _mm512_dpwssd_epi32(sumi, _mm512_maddubs_epi16(q, Load64(x)), scales);
}

// 256-bit sum of bsums[g] * scale16[g] over the sixteen groups, in 8 int32 lanes.
inline __m256i GroupSums(const uint8_t* x_block, __m256i scale16) {
  return _mm256_madd_epi16(Bsums(x_block), scale16);
}

inline __m512i ZeroExtend(__m256i v) { return _mm512_zextsi256_si512(v); }

// The eight 6-bit scales (bytes 0..7) and mins (bytes 8..15) of a Q4_K/Q5_K super-block
// (GetScaleMinK4 for j = 0..7, unpacked four bytes at a time).
inline __m128i UnpackScalesMins(const uint8_t* packed) {
  constexpr uint32_t kLow6 = 0x3f3f3f3f, kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
  uint32_t u[3];
  std::memcpy(u, packed, 12);
  const uint32_t s0 = u[0] & kLow6;
  const uint32_t s1 = (u[2] & kLow4) | (((u[0] >> 6) & kLow2) << 4);
  const uint32_t m0 = u[1] & kLow6;
  const uint32_t m1 = ((u[2] >> 4) & kLow4) | (((u[1] >> 6) & kLow2) << 4);
  return _mm_set_epi32(static_cast<int>(m1), static_cast<int>(m0), static_cast<int>(s1),
                       static_cast<int>(s0));
}

// kValue (a power of two) in every byte of `pair` whose bit 2c is set, else 0: the 16-bit shifts
// move each byte's bit 2c to kValue's bit; bits crossing into the neighbouring byte are masked.
// `pair` holds a 32-byte bit plane in its low half and the same plane shifted right by one in its
// high half, so that chunk c of a K-quant reads bit 2c for its first 32 quants and 2c + 1 for the
// next 32 (Q5_K's qh, Q3_K's hmask).
template <int kValue>
inline __m512i ChunkBits(__m512i pair, int c) {
  constexpr int kTargetBit = kValue == 16 ? 4 : 2;
  const int shift = kTargetBit - 2 * c;
  const __m512i moved = shift >= 0 ? _mm512_sll_epi16(pair, _mm_cvtsi32_si128(shift))
                                   : _mm512_srl_epi16(pair, _mm_cvtsi32_si128(-shift));
  return _mm512_and_si512(moved, _mm512_set1_epi8(kValue));
}

inline __m512i BitPlanePair(const uint8_t* plane) {
  const __m256i bits = Load32(plane);
  return Join(bits, _mm256_srli_epi16(bits, 1));
}

// Q4_K (144 bytes: d, dmin, scales[12], qs[128]) and Q5_K (176 bytes: d, dmin, scales[12],
// qh[32], qs[128]): q = nibble (+16 from qh), y = d sc q - dmin m per sub-block of 32.
template <bool kFifthBit>
struct Q45_KDot {
  static constexpr size_t kBytes = kFifthBit ? 176 : 144;
  static constexpr size_t kQs = kFifthBit ? 48 : 16;
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m512 acc[NT];
    __m256 acc_mins[NT];
    for (int t = 0; t < NT; ++t) {
      acc[t] = _mm512_setzero_ps();
      acc_mins[t] = _mm256_setzero_ps();
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int64_t i = 0; i < n / 256; ++i) {
      const uint8_t* wb = w + i * kBytes;
      const uint8_t* xb = x + i * kQ8_KBytes;
      // Scales and mins per group of 16 quants (each sub-block of 32 spans two groups).
      const __m128i scales_mins = UnpackScalesMins(wb + 4);
      const __m256i scale16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(scales_mins, scales_mins));
      const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(scales_mins, scales_mins));
      const __m512i scale16z = _mm512_castsi256_si512(scale16);
      __m512i sumi[NT];
      for (int t = 0; t < NT; ++t) sumi[t] = _mm512_setzero_si512();
      const __m512i qh_pair = kFifthBit ? BitPlanePair(wb + 16) : _mm512_setzero_si512();
      for (int c = 0; c < 4; ++c) {
        const __m256i bytes = Load32(wb + kQs + 32 * c);
        __m512i q = Join(_mm256_and_si256(bytes, low4),
                         _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low4));
        if constexpr (kFifthBit) q = _mm512_or_si512(q, ChunkBits<16>(qh_pair, c));
        const __m512i sc = ChunkScales(scale16z, c);
        for (int t = 0; t < NT; ++t) {
          sumi[t] = AddScaledProducts(sumi[t], q, xb + t * xs + kQ8_KQs + 64 * c, sc);
        }
      }
      const float d = HalfToFloat(wb);
      const float dmin = HalfToFloat(wb + 2);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = xb + t * xs;
        const float d8 = LoadFloat(xt);
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi[t]), _mm512_set1_ps(d * d8), acc[t]);
        acc_mins[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(GroupSums(xt, mins16)),
                                      _mm256_set1_ps(dmin * d8), acc_mins[t]);
      }
    }
    for (int t = 0; t < NT; ++t) {
      y[t * ys] = _mm512_reduce_add_ps(acc[t]) - ReduceAdd256(acc_mins[t]);
    }
  }
};

// Q6_K (210 bytes: ql[128], qh[64], int8 scales[16], d): q = 6-bit value - 32, y = d sc q.
// The -32 is applied as -32 * sum_g sc[g] * bsums[g].
struct Q6_KDot {
  static constexpr size_t kBytes = 210;
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    const __m512i bits45 = _mm512_set1_epi8(0x30);
    for (int64_t i = 0; i < n / 256; ++i) {
      const uint8_t* wb = w + i * kBytes;
      const uint8_t* xb = x + i * kQ8_KBytes;
      const __m256i scale16 =
          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb + 192)));
      const __m512i scale16z = _mm512_castsi256_si512(scale16);
      __m512i sumi[NT];
      for (int t = 0; t < NT; ++t) sumi[t] = _mm512_setzero_si512();
      for (int half = 0; half < 2; ++half) {
        // Elements l, l+32 take the low nibbles of ql[l], ql[l+32] and bits 0-1, 2-3 of qh[l];
        // elements l+64, l+96 the high nibbles and bits 4-5, 6-7.
        const __m512i ql = Load64(wb + 64 * half);
        const __m256i qh = Load32(wb + 128 + 32 * half);
        const __m512i qh2 = Join(qh, _mm256_srli_epi16(qh, 2));
        const __m512i q_lo = _mm512_or_si512(_mm512_and_si512(ql, low4),
                                             _mm512_and_si512(_mm512_slli_epi16(qh2, 4), bits45));
        const __m512i q_hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low4),
                                             _mm512_and_si512(qh2, bits45));
        const __m512i sc_lo = ChunkScales(scale16z, 2 * half);
        const __m512i sc_hi = ChunkScales(scale16z, 2 * half + 1);
        for (int t = 0; t < NT; ++t) {
          const uint8_t* xq = xb + t * xs + kQ8_KQs + 128 * half;
          sumi[t] = AddScaledProducts(sumi[t], q_lo, xq, sc_lo);
          sumi[t] = AddScaledProducts(sumi[t], q_hi, xq + 64, sc_hi);
        }
      }
      const float d = HalfToFloat(wb + 208);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = xb + t * xs;
        const __m256i offset = _mm256_slli_epi32(GroupSums(xt, scale16), 5);  // 32 * sum sc*bsum
        const __m512i exact = _mm512_sub_epi32(sumi[t], ZeroExtend(offset));
        acc[t] =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(exact), _mm512_set1_ps(d * LoadFloat(xt)), acc[t]);
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = _mm512_reduce_add_ps(acc[t]);
  }
};

// Q2_K (84 bytes: scales[16], qs[64], d, dmin): 2-bit q, y = d (sc & 15) q - dmin (sc >> 4).
// Chunk j of 64 elements is bits 2k..2k+1 of qs[32h..32h+31] for h = j / 2, k = 2 (j % 2), +1.
struct Q2_KDot {
  static constexpr size_t kBytes = 84;
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m512 acc[NT];
    __m256 acc_mins[NT];
    for (int t = 0; t < NT; ++t) {
      acc[t] = _mm512_setzero_ps();
      acc_mins[t] = _mm256_setzero_ps();
    }
    const __m256i low2 = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < n / 256; ++i) {
      const uint8_t* wb = w + i * kBytes;
      const uint8_t* xb = x + i * kQ8_KBytes;
      const __m256i packed =
          _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb)));
      const __m256i scale16 = _mm256_and_si256(packed, _mm256_set1_epi16(0x0F));
      const __m256i mins16 = _mm256_srli_epi16(packed, 4);
      const __m512i scale16z = _mm512_castsi256_si512(scale16);
      __m512i sumi[NT];
      for (int t = 0; t < NT; ++t) sumi[t] = _mm512_setzero_si512();
      for (int chunk = 0; chunk < 4; ++chunk) {
        const __m256i bytes = Load32(wb + 16 + 32 * (chunk / 2));
        const int shift = 4 * (chunk % 2);
        const __m512i q = Join(_mm256_and_si256(_mm256_srli_epi16(bytes, shift), low2),
                               _mm256_and_si256(_mm256_srli_epi16(bytes, shift + 2), low2));
        const __m512i sc = ChunkScales(scale16z, chunk);
        for (int t = 0; t < NT; ++t) {
          sumi[t] = AddScaledProducts(sumi[t], q, xb + t * xs + kQ8_KQs + 64 * chunk, sc);
        }
      }
      const float d = HalfToFloat(wb + 80);
      const float dmin = HalfToFloat(wb + 82);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = xb + t * xs;
        const float d8 = LoadFloat(xt);
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi[t]), _mm512_set1_ps(d * d8), acc[t]);
        acc_mins[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(GroupSums(xt, mins16)),
                                      _mm256_set1_ps(dmin * d8), acc_mins[t]);
      }
    }
    for (int t = 0; t < NT; ++t) {
      y[t * ys] = _mm512_reduce_add_ps(acc[t]) - ReduceAdd256(acc_mins[t]);
    }
  }
};

// Q3_K (110 bytes: hmask[32], qs[64], scales[12], d): q = 2-bit value - (hmask bit ? 0 : 4),
// computed as (2-bit value + 4 * hmask bit) - 4, the -4 applied through the bsums.
struct Q3_KDot {
  static constexpr size_t kBytes = 110;

  // The sixteen signed 6-bit scales (spec §2.5), offset removed, as int16. Scale i has its low
  // four bits in nibble i / 8 of s[i % 8] and its high two in bits 2 (i / 4) of s[8 + i % 4];
  // each 32-bit word below assembles four of them.
  static __m256i Scales(const uint8_t* s) {
    constexpr uint32_t kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
    uint32_t a[3];
    std::memcpy(a, s, 12);
    const uint32_t w0 = (a[0] & kLow4) | ((a[2] & kLow2) << 4);
    const uint32_t w1 = (a[1] & kLow4) | (((a[2] >> 2) & kLow2) << 4);
    const uint32_t w2 = ((a[0] >> 4) & kLow4) | (((a[2] >> 4) & kLow2) << 4);
    const uint32_t w3 = ((a[1] >> 4) & kLow4) | (((a[2] >> 6) & kLow2) << 4);
    const __m128i bytes = _mm_set_epi32(static_cast<int>(w3), static_cast<int>(w2),
                                        static_cast<int>(w1), static_cast<int>(w0));
    return _mm256_sub_epi16(_mm256_cvtepu8_epi16(bytes), _mm256_set1_epi16(32));
  }

  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    const __m256i low2 = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < n / 256; ++i) {
      const uint8_t* wb = w + i * kBytes;
      const uint8_t* xb = x + i * kQ8_KBytes;
      const __m256i scale16 = Scales(wb + 96);
      const __m512i scale16z = _mm512_castsi256_si512(scale16);
      const __m512i hmask_pair = BitPlanePair(wb);
      __m512i sumi[NT];
      for (int t = 0; t < NT; ++t) sumi[t] = _mm512_setzero_si512();
      for (int chunk = 0; chunk < 4; ++chunk) {
        const __m256i bytes = Load32(wb + 32 + 32 * (chunk / 2));
        const int shift = 4 * (chunk % 2);
        __m512i q = Join(_mm256_and_si256(_mm256_srli_epi16(bytes, shift), low2),
                         _mm256_and_si256(_mm256_srli_epi16(bytes, shift + 2), low2));
        q = _mm512_or_si512(q, ChunkBits<4>(hmask_pair, chunk));
        const __m512i sc = ChunkScales(scale16z, chunk);
        for (int t = 0; t < NT; ++t) {
          sumi[t] = AddScaledProducts(sumi[t], q, xb + t * xs + kQ8_KQs + 64 * chunk, sc);
        }
      }
      const float d = HalfToFloat(wb + 108);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = xb + t * xs;
        const __m256i offset = _mm256_slli_epi32(GroupSums(xt, scale16), 2);  // 4 * sum sc*bsum
        const __m512i exact = _mm512_sub_epi32(sumi[t], ZeroExtend(offset));
        acc[t] =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(exact), _mm512_set1_ps(d * LoadFloat(xt)), acc[t]);
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = _mm512_reduce_add_ps(acc[t]);
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

// All kMaxDotTokens (8) tokens in one sweep: the K-quant decode is the costly part, and the
// per-token accumulators (3 per token) still fit in the 32 zmm registers.
template <typename Kernel>
void DotRowsOf(int64_t n, const void* w_row, const uint8_t* x, size_t xs, int n_x, float* y,
               size_t ys) {
  RunForTokenCount<Kernel, kMaxDotTokens>(n, static_cast<const uint8_t*>(w_row), x, xs, n_x, y, ys);
}

}  // namespace

DotRowsFn Avx512KQuantDotRows(DType weight_type) {
  switch (weight_type) {
    case DType::kQ2_K:
      return DotRowsOf<Q2_KDot>;
    case DType::kQ3_K:
      return DotRowsOf<Q3_KDot>;
    case DType::kQ4_K:
      return DotRowsOf<Q45_KDot<false>>;
    case DType::kQ5_K:
      return DotRowsOf<Q45_KDot<true>>;
    case DType::kQ6_K:
      return DotRowsOf<Q6_KDot>;
    default:
      return nullptr;
  }
}

}  // namespace dsinfer::x86

#else  // not x86-64

namespace dsinfer::x86 {
DotRowsFn Avx512KQuantDotRows(DType) { return nullptr; }
}  // namespace dsinfer::x86

#endif
