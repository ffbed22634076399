// AVX2 dequantizers (compiled with -mavx2 -mfma -mf16c -ffp-contract=off). Each one performs
// exactly the float operations of reference::DequantizeRow, 8 lanes at a time: integer quants
// are built with integer instructions, converted to float, multiplied by the same float scale
// (computed as a scalar first, as in the reference) and offset by a separate add/subtract.
//
// This file must not call inline functions from shared headers (their out-of-line copies could
// be emitted with AVX2 code and picked by the linker for other callers); everything it needs is
// local to this file.

#include "tensor/x86/dequant_x86.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include <cstddef>
#include <cstring>

#include "tensor/blocks.h"

namespace dsinfer::x86 {

namespace {

inline uint16_t LoadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

inline float HalfToFloat(const uint8_t* p) { return _cvtsh_ss(LoadU16(p)); }

// Converts 8 int32 lanes to float, multiplies by `scale` and stores them.
inline void StoreScaled(float* y, __m256i q, __m256 scale) {
  _mm256_storeu_ps(y, _mm256_mul_ps(_mm256_cvtepi32_ps(q), scale));
}

// As StoreScaled, then subtracts `offset` (a separate rounding, as in the reference).
inline void StoreScaledMinus(float* y, __m256i q, __m256 scale, __m256 offset) {
  _mm256_storeu_ps(y, _mm256_sub_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(q), scale), offset));
}

// As StoreScaled, then adds `offset`.
inline void StoreScaledPlus(float* y, __m256i q, __m256 scale, __m256 offset) {
  _mm256_storeu_ps(y, _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(q), scale), offset));
}

// Signed bytes 0..15 / 16..31 of `v` widened to int32 (two groups of 8 each).
inline __m256i SignedLo8(__m128i v) { return _mm256_cvtepi8_epi32(v); }
inline __m256i SignedHi8(__m128i v) { return _mm256_cvtepi8_epi32(_mm_srli_si128(v, 8)); }
inline __m256i UnsignedLo8(__m128i v) { return _mm256_cvtepu8_epi32(v); }
inline __m256i UnsignedHi8(__m128i v) { return _mm256_cvtepu8_epi32(_mm_srli_si128(v, 8)); }

void DequantizeF16(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) dst[i] = HalfToFloat(p + 2 * i);
}

void DequantizeBF16(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
    const __m256i bits = _mm256_slli_epi32(_mm256_cvtepu16_epi32(b), 16);
    _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(bits));
  }
  for (; i < n; ++i) {
    const uint32_t bits = static_cast<uint32_t>(LoadU16(p + 2 * i)) << 16;
    std::memcpy(dst + i, &bits, 4);
  }
}

void DequantizeQ4_0(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  const __m128i eight = _mm_set1_epi8(8);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ4_0), dst += kQK4_0) {
    const __m256 d = _mm256_set1_ps(HalfToFloat(p + offsetof(BlockQ4_0, d)));
    const __m128i qs =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offsetof(BlockQ4_0, qs)));
    const __m128i lo = _mm_sub_epi8(_mm_and_si128(qs, low_mask), eight);
    const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(qs, 4), low_mask), eight);
    StoreScaled(dst + 0, SignedLo8(lo), d);
    StoreScaled(dst + 8, SignedHi8(lo), d);
    StoreScaled(dst + 16, SignedLo8(hi), d);
    StoreScaled(dst + 24, SignedHi8(hi), d);
  }
}

void DequantizeQ4_1(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ4_1), dst += kQK4_0) {
    const __m256 d = _mm256_set1_ps(HalfToFloat(p + offsetof(BlockQ4_1, d)));
    const __m256 m = _mm256_set1_ps(HalfToFloat(p + offsetof(BlockQ4_1, m)));
    const __m128i qs =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offsetof(BlockQ4_1, qs)));
    const __m128i lo = _mm_and_si128(qs, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(qs, 4), low_mask);
    StoreScaledPlus(dst + 0, UnsignedLo8(lo), d, m);
    StoreScaledPlus(dst + 8, UnsignedHi8(lo), d, m);
    StoreScaledPlus(dst + 16, UnsignedLo8(hi), d, m);
    StoreScaledPlus(dst + 24, UnsignedHi8(hi), d, m);
  }
}

// The 5-bit quants of one Q5_0/Q5_1 block, 8 at a time: group g (0..3) is elements 8g..8g+7.
// Elements 0..15 take their low 4 bits from the low nibbles of qs, 16..31 from the high nibbles;
// the 5th bit of element e is bit e of the 32-bit qh word.
inline __m256i Q5Group(__m128i lo_nibbles, __m128i hi_nibbles, uint32_t qh, int g) {
  const __m128i nibbles = g < 2 ? lo_nibbles : hi_nibbles;
  const __m256i low4 = (g % 2 == 0) ? UnsignedLo8(nibbles) : UnsignedHi8(nibbles);
  const __m256i shifts =
      _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(8 * g));
  const __m256i bit = _mm256_and_si256(
      _mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(qh)), shifts), _mm256_set1_epi32(1));
  return _mm256_or_si256(low4, _mm256_slli_epi32(bit, 4));
}

void DequantizeQ5_0(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  const __m256i sixteen = _mm256_set1_epi32(16);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ5_0), dst += kQK4_0) {
    const __m256 d = _mm256_set1_ps(HalfToFloat(p + offsetof(BlockQ5_0, d)));
    uint32_t qh;
    std::memcpy(&qh, p + offsetof(BlockQ5_0, qh), 4);
    const __m128i qs =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offsetof(BlockQ5_0, qs)));
    const __m128i lo = _mm_and_si128(qs, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(qs, 4), low_mask);
    for (int g = 0; g < 4; ++g) {
      StoreScaled(dst + 8 * g, _mm256_sub_epi32(Q5Group(lo, hi, qh, g), sixteen), d);
    }
  }
}

void DequantizeQ5_1(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ5_1), dst += kQK4_0) {
    const __m256 d = _mm256_set1_ps(HalfToFloat(p + offsetof(BlockQ5_1, d)));
    const __m256 m = _mm256_set1_ps(HalfToFloat(p + offsetof(BlockQ5_1, m)));
    uint32_t qh;
    std::memcpy(&qh, p + offsetof(BlockQ5_1, qh), 4);
    const __m128i qs =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offsetof(BlockQ5_1, qs)));
    const __m128i lo = _mm_and_si128(qs, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(qs, 4), low_mask);
    for (int g = 0; g < 4; ++g) StoreScaledPlus(dst + 8 * g, Q5Group(lo, hi, qh, g), d, m);
  }
}

void DequantizeQ8_0(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n / kQK4_0; ++i, p += sizeof(BlockQ8_0), dst += kQK4_0) {
    const __m256 d = _mm256_set1_ps(HalfToFloat(p + offsetof(BlockQ8_0, d)));
    const uint8_t* qs = p + offsetof(BlockQ8_0, qs);
    for (int g = 0; g < 4; ++g) {
      const __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(qs + 8 * g));
      StoreScaled(dst + 8 * g, _mm256_cvtepi8_epi32(q), d);
    }
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

// Writes 32 outputs y[k] = scale * bytes[k] - offset for 32 unsigned bytes.
inline void Store32Unsigned(float* y, __m256i bytes, __m256 scale, __m256 offset) {
  const __m128i b0 = _mm256_castsi256_si128(bytes);
  const __m128i b1 = _mm256_extracti128_si256(bytes, 1);
  StoreScaledMinus(y + 0, UnsignedLo8(b0), scale, offset);
  StoreScaledMinus(y + 8, UnsignedHi8(b0), scale, offset);
  StoreScaledMinus(y + 16, UnsignedLo8(b1), scale, offset);
  StoreScaledMinus(y + 24, UnsignedHi8(b1), scale, offset);
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
    const __m256 d1 = _mm256_set1_ps(d * static_cast<float>(sc1));
    const __m256 min1 = _mm256_set1_ps(dmin * static_cast<float>(m1));
    const __m256 d2 = _mm256_set1_ps(d * static_cast<float>(sc2));
    const __m256 min2 = _mm256_set1_ps(dmin * static_cast<float>(m2));
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * chunk));
    __m256i lo = _mm256_and_si256(q, low_mask);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low_mask);
    if (qh) {
      const __m256i bit_lo = _mm256_set1_epi8(static_cast<char>(1 << (2 * chunk)));
      const __m256i bit_hi = _mm256_set1_epi8(static_cast<char>(1 << (2 * chunk + 1)));
      const __m256i set_lo = _mm256_cmpeq_epi8(_mm256_and_si256(high_bits, bit_lo), bit_lo);
      const __m256i set_hi = _mm256_cmpeq_epi8(_mm256_and_si256(high_bits, bit_hi), bit_hi);
      lo = _mm256_or_si256(lo, _mm256_and_si256(set_lo, sixteen));
      hi = _mm256_or_si256(hi, _mm256_and_si256(set_hi, sixteen));
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
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ql + l0));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ql + l0 + 32));
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qh + l0));
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
          const __m256 scale = _mm256_set1_ps(d * static_cast<float>(s[is + 2 * k]));
          const __m128i signed_q = _mm_sub_epi8(q[k], thirty_two);
          StoreScaled(y + 32 * k + l0, SignedLo8(signed_q), scale);
          StoreScaled(y + 32 * k + l0 + 8, SignedHi8(signed_q), scale);
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
    const __m256 d = _mm256_set1_ps(df);
    const uint8_t* qs = p + offsetof(BlockQ8_K, qs);
    for (int g = 0; g < kQK_K / 8; ++g) {
      const __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(qs + 8 * g));
      StoreScaled(dst + 8 * g, _mm256_cvtepi8_epi32(q), d);
    }
  }
}

}  // namespace

DequantizeRowFn Avx2Dequantizer(DType type) {
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
DequantizeRowFn Avx2Dequantizer(DType) { return nullptr; }
}  // namespace dsinfer::x86

#endif
