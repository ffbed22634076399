// AVX-512 dequantizers (compiled with -mavx512f -mavx512bw -mavx512vl -mavx512dq plus the AVX2
// flags, and -ffp-contract=off). Same float operations as reference::DequantizeRow, 16 lanes at a
// time: integer quants are converted to float, multiplied by the scalar-computed float scale,
// then offset by a separate add/subtract.
//
// Like dequant_avx2.cc, this file calls no inline functions from shared headers.

#include "tensor/x86/dequant_x86.h"

#if defined(__x86_64__)

// GCC 12 warns about the deliberately undefined pass-through operands inside its own AVX-512
// intrinsics (_mm512_undefined_*); the warning is a known false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstring>

#include "tensor/blocks.h"

namespace dsinfer::x86 {

namespace {

inline float HalfToFloat(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return _cvtsh_ss(v);
}

// 16 int32 lanes -> float, times `scale`, stored.
inline void StoreScaled(float* y, __m512i q, __m512 scale) {
  _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_cvtepi32_ps(q), scale));
}

inline void StoreScaledMinus(float* y, __m512i q, __m512 scale, __m512 offset) {
  _mm512_storeu_ps(y, _mm512_sub_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(q), scale), offset));
}

inline void StoreScaledPlus(float* y, __m512i q, __m512 scale, __m512 offset) {
  _mm512_storeu_ps(y, _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(q), scale), offset));
}

inline __m128i Load16(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

void DequantizeF16(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 2 * i));
    _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(h));
  }
  if (i < n) {  // masked tail: lanes beyond n are neither read nor written
    const __mmask16 mask = static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m256i h = _mm256_maskz_loadu_epi16(mask, p + 2 * i);
    _mm512_mask_storeu_ps(dst + i, mask, _mm512_cvtph_ps(h));
  }
}

void DequantizeBF16(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 2 * i));
    const __m512i bits = _mm512_slli_epi32(_mm512_cvtepu16_epi32(b), 16);
    _mm512_storeu_ps(dst + i, _mm512_castsi512_ps(bits));
  }
  if (i < n) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m256i b = _mm256_maskz_loadu_epi16(mask, p + 2 * i);
    const __m512i bits = _mm512_slli_epi32(_mm512_cvtepu16_epi32(b), 16);
    _mm512_mask_storeu_ps(dst + i, mask, _mm512_castsi512_ps(bits));
  }
}

void DequantizeQ4_0(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  const __m128i eight = _mm_set1_epi8(8);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ4_0), dst += kQK4_0) {
    const __m512 d = _mm512_set1_ps(HalfToFloat(p + offsetof(BlockQ4_0, d)));
    const __m128i qs = Load16(p + offsetof(BlockQ4_0, qs));
    const __m128i lo = _mm_sub_epi8(_mm_and_si128(qs, low_mask), eight);
    const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(qs, 4), low_mask), eight);
    StoreScaled(dst + 0, _mm512_cvtepi8_epi32(lo), d);
    StoreScaled(dst + 16, _mm512_cvtepi8_epi32(hi), d);
  }
}

void DequantizeQ4_1(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ4_1), dst += kQK4_0) {
    const __m512 d = _mm512_set1_ps(HalfToFloat(p + offsetof(BlockQ4_1, d)));
    const __m512 m = _mm512_set1_ps(HalfToFloat(p + offsetof(BlockQ4_1, m)));
    const __m128i qs = Load16(p + offsetof(BlockQ4_1, qs));
    const __m128i lo = _mm_and_si128(qs, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(qs, 4), low_mask);
    StoreScaledPlus(dst + 0, _mm512_cvtepu8_epi32(lo), d, m);
    StoreScaledPlus(dst + 16, _mm512_cvtepu8_epi32(hi), d, m);
  }
}

// The 5-bit quants of elements 16*half .. 16*half+15 of a Q5_0/Q5_1 block: low 4 bits from the
// nibbles, 5th bit of element e from bit e of the 32-bit qh word.
inline __m512i Q5Half(__m128i nibbles, uint32_t qh, int half) {
  const __m512i shifts =
      _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                       _mm512_set1_epi32(16 * half));
  const __m512i bit = _mm512_and_si512(
      _mm512_srlv_epi32(_mm512_set1_epi32(static_cast<int>(qh)), shifts), _mm512_set1_epi32(1));
  return _mm512_or_si512(_mm512_cvtepu8_epi32(nibbles), _mm512_slli_epi32(bit, 4));
}

void DequantizeQ5_0(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  const __m512i sixteen = _mm512_set1_epi32(16);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ5_0), dst += kQK4_0) {
    const __m512 d = _mm512_set1_ps(HalfToFloat(p + offsetof(BlockQ5_0, d)));
    uint32_t qh;
    std::memcpy(&qh, p + offsetof(BlockQ5_0, qh), 4);
    const __m128i qs = Load16(p + offsetof(BlockQ5_0, qs));
    const __m128i lo = _mm_and_si128(qs, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(qs, 4), low_mask);
    StoreScaled(dst + 0, _mm512_sub_epi32(Q5Half(lo, qh, 0), sixteen), d);
    StoreScaled(dst + 16, _mm512_sub_epi32(Q5Half(hi, qh, 1), sixteen), d);
  }
}

void DequantizeQ5_1(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ5_1), dst += kQK4_0) {
    const __m512 d = _mm512_set1_ps(HalfToFloat(p + offsetof(BlockQ5_1, d)));
    const __m512 m = _mm512_set1_ps(HalfToFloat(p + offsetof(BlockQ5_1, m)));
    uint32_t qh;
    std::memcpy(&qh, p + offsetof(BlockQ5_1, qh), 4);
    const __m128i qs = Load16(p + offsetof(BlockQ5_1, qs));
    const __m128i lo = _mm_and_si128(qs, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(qs, 4), low_mask);
    StoreScaledPlus(dst + 0, Q5Half(lo, qh, 0), d, m);
    StoreScaledPlus(dst + 16, Q5Half(hi, qh, 1), d, m);
  }
}

void DequantizeQ8_0(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ8_0), dst += kQK4_0) {
    const __m512 d = _mm512_set1_ps(HalfToFloat(p + offsetof(BlockQ8_0, d)));
    const uint8_t* qs = p + offsetof(BlockQ8_0, qs);
    StoreScaled(dst + 0, _mm512_cvtepi8_epi32(Load16(qs)), d);
    StoreScaled(dst + 16, _mm512_cvtepi8_epi32(Load16(qs + 16)), d);
  }
}

// The 6-bit scale and min of sub-block j of a Q4_K/Q5_K super-block (spec §2.5).
inline void ScaleMinK4(int j, const uint8_t* q, int* scale, int* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4);
    *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

// 32 outputs y[k] = scale * bytes[k] - offset for 32 unsigned bytes.
inline void Store32Unsigned(float* y, __m256i bytes, __m512 scale, __m512 offset) {
  StoreScaledMinus(y + 0, _mm512_cvtepu8_epi32(_mm256_castsi256_si128(bytes)), scale, offset);
  StoreScaledMinus(y + 16, _mm512_cvtepu8_epi32(_mm256_extracti128_si256(bytes, 1)), scale, offset);
}

// Shared by Q4_K and Q5_K: `qh` is nullptr for Q4_K.
inline void DequantizeScaleMinBlock(const uint8_t* scales, float d, float dmin, const uint8_t* qs,
                                    const uint8_t* qh, float* y) {
  const __m256i low_mask = _mm256_set1_epi8(0x0F);
  const __m256i high_bits =
      qh ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh)) : _mm256_setzero_si256();
  const __m256i sixteen = _mm256_set1_epi8(16);
  for (int chunk = 0; chunk < 4; ++chunk) {
    int sc1, m1, sc2, m2;
    ScaleMinK4(2 * chunk, scales, &sc1, &m1);
    ScaleMinK4(2 * chunk + 1, scales, &sc2, &m2);
    const __m512 d1 = _mm512_set1_ps(d * static_cast<float>(sc1));
    const __m512 min1 = _mm512_set1_ps(dmin * static_cast<float>(m1));
    const __m512 d2 = _mm512_set1_ps(d * static_cast<float>(sc2));
    const __m512 min2 = _mm512_set1_ps(dmin * static_cast<float>(m2));
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * chunk));
    __m256i lo = _mm256_and_si256(q, low_mask);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low_mask);
    if (qh) {
      const __m256i bit_lo = _mm256_set1_epi8(static_cast<char>(1 << (2 * chunk)));
      const __m256i bit_hi = _mm256_set1_epi8(static_cast<char>(1 << (2 * chunk + 1)));
      const __mmask32 set_lo = _mm256_test_epi8_mask(high_bits, bit_lo);
      const __mmask32 set_hi = _mm256_test_epi8_mask(high_bits, bit_hi);
      lo = _mm256_mask_add_epi8(lo, set_lo, lo, sixteen);
      hi = _mm256_mask_add_epi8(hi, set_hi, hi, sixteen);
    }
    Store32Unsigned(y + 64 * chunk, lo, d1, min1);
    Store32Unsigned(y + 64 * chunk + 32, hi, d2, min2);
  }
}

void DequantizeQ4_K(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, p += sizeof(BlockQ4_K), dst += kQK_K) {
    DequantizeScaleMinBlock(
        p + offsetof(BlockQ4_K, scales), HalfToFloat(p + offsetof(BlockQ4_K, d)),
        HalfToFloat(p + offsetof(BlockQ4_K, dmin)), p + offsetof(BlockQ4_K, qs), nullptr, dst);
  }
}

void DequantizeQ5_K(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, p += sizeof(BlockQ5_K), dst += kQK_K) {
    DequantizeScaleMinBlock(p + offsetof(BlockQ5_K, scales),
                            HalfToFloat(p + offsetof(BlockQ5_K, d)),
                            HalfToFloat(p + offsetof(BlockQ5_K, dmin)), p + offsetof(BlockQ5_K, qs),
                            p + offsetof(BlockQ5_K, qh), dst);
  }
}

void DequantizeQ6_K(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  const __m128i thirty_two = _mm_set1_epi8(32);
  for (int64_t i = 0; i < n / kQK_K; ++i, p += sizeof(BlockQ6_K), dst += kQK_K) {
    const float d = HalfToFloat(p + offsetof(BlockQ6_K, d));
    int8_t sc[16];
    std::memcpy(sc, p + offsetof(BlockQ6_K, scales), 16);
    for (int half = 0; half < 2; ++half) {
      const uint8_t* ql = p + offsetof(BlockQ6_K, ql) + 64 * half;
      const uint8_t* qh = p + offsetof(BlockQ6_K, qh) + 32 * half;
      const int8_t* s = sc + 8 * half;
      float* y = dst + 128 * half;
      for (int is = 0; is < 2; ++is) {  // l = 16*is .. 16*is + 15
        const int l0 = 16 * is;
        const __m128i a = Load16(ql + l0);
        const __m128i b = Load16(ql + l0 + 32);
        const __m128i h = Load16(qh + l0);
        const __m128i h2 = _mm_and_si128(h, _mm_set1_epi8(0x03));
        const __m128i h4 = _mm_and_si128(h, _mm_set1_epi8(0x0C));
        const __m128i h6 = _mm_and_si128(h, _mm_set1_epi8(0x30));
        const __m128i h8 = _mm_and_si128(_mm_srli_epi16(h, 2), _mm_set1_epi8(0x30));
        __m128i q[4];
        q[0] = _mm_or_si128(_mm_and_si128(a, low_mask), _mm_slli_epi16(h2, 4));
        q[1] = _mm_or_si128(_mm_and_si128(b, low_mask), _mm_slli_epi16(h4, 2));
        q[2] = _mm_or_si128(_mm_and_si128(_mm_srli_epi16(a, 4), low_mask), h6);
        q[3] = _mm_or_si128(_mm_and_si128(_mm_srli_epi16(b, 4), low_mask), h8);
        for (int k = 0; k < 4; ++k) {  // output group k: y[32k + l]
          const __m512 scale = _mm512_set1_ps(d * static_cast<float>(s[is + 2 * k]));
          StoreScaled(y + 32 * k + l0, _mm512_cvtepi8_epi32(_mm_sub_epi8(q[k], thirty_two)), scale);
        }
      }
    }
  }
}

void DequantizeQ8_K(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, p += sizeof(BlockQ8_K), dst += kQK_K) {
    float df;
    std::memcpy(&df, p + offsetof(BlockQ8_K, d), 4);
    const __m512 d = _mm512_set1_ps(df);
    const uint8_t* qs = p + offsetof(BlockQ8_K, qs);
    for (int g = 0; g < kQK_K / 16; ++g) {
      StoreScaled(dst + 16 * g, _mm512_cvtepi8_epi32(Load16(qs + 16 * g)), d);
    }
  }
}

}  // namespace

DequantizeRowFn Avx512Dequantizer(DType type) {
  switch (type) {
    case DType::kF16:
      return DequantizeF16;
    case DType::kBF16:
      return DequantizeBF16;
    case DType::kQ4_0:
      return DequantizeQ4_0;
    case DType::kQ4_1:
      return DequantizeQ4_1;
    case DType::kQ5_0:
      return DequantizeQ5_0;
    case DType::kQ5_1:
      return DequantizeQ5_1;
    case DType::kQ8_0:
      return DequantizeQ8_0;
    case DType::kQ4_K:
      return DequantizeQ4_K;
    case DType::kQ5_K:
      return DequantizeQ5_K;
    case DType::kQ6_K:
      return DequantizeQ6_K;
    case DType::kQ8_K:
      return DequantizeQ8_K;
    default:
      return nullptr;
  }
}

}  // namespace dsinfer::x86

#else  // !defined(__x86_64__)

namespace dsinfer::x86 {
DequantizeRowFn Avx512Dequantizer(DType) { return nullptr; }
}  // namespace dsinfer::x86

#endif
