// AVX2 dot kernels for every weight type (compiled with -mavx2 -mfma -mf16c). The same scheme as
// the AVX-512 kernels, in 256-bit registers and without VNNI: block quants are decoded once per
// weight row into int8/uint8 lanes in element order; for every token vpmaddubsw forms pairwise
// products (never saturating: at most 2 * 128 * 127) and vpmaddwd adds them, times the 16-bit
// sub-block scales, into exact int32 lanes; those are converted to float and accumulated with the
// block's d_w * d_x. Only the float summation order differs from the reference. Like the tensor
// layer's x86 files, this file calls no inline functions from shared headers.

#include "kernels/x86/matmul_x86.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include <cstring>

namespace dsinfer::x86 {

namespace {

constexpr size_t kQ8_0Bytes = 34;
constexpr size_t kQ8_1Bytes = 36;
constexpr size_t kQ8_KBytes = 292;  // f32 d, int8 qs[256] at 4, int16 bsums[16] at 260
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

inline float ReduceAdd(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

inline __m256i Load32(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline __m128i Load16(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// Pairwise u8 x s8 products summed into int32 lanes (four products per lane).
inline __m256i DotU8S8(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// Pairwise u8 x s8 products times 16-bit scales, summed into int32 lanes.
inline __m256i ScaledDotU8S8(__m256i u, __m256i s, __m256i scales) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), scales);
}

// The 32 4-bit quants of a block, element order (low nibbles are elements 0..15).
inline __m256i Nibbles32(const uint8_t* qs) {
  const __m128i q = Load16(qs);
  const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Nibbles32 plus 16 where bit j of the block's qh word is set (Q5_0 / Q5_1).
inline __m256i FiveBit32(const uint8_t* qs, const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  const __m256i byte_of_bit =
      _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303);
  const __m256i spread =
      _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), byte_of_bit);
  const __m256i bit_of_byte = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201));
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit_of_byte), bit_of_byte);
  return _mm256_or_si256(Nibbles32(qs), _mm256_and_si256(set, _mm256_set1_epi8(16)));
}

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

// acc[t] += float(sum of w * x over the block, in 8 lanes) * d_w * d_x for every token.
template <int NT>
inline void AccumulateSignedBlock(__m256i q, float dw, const uint8_t* x, size_t xs,
                                  __m256 (&acc)[NT]) {
  const __m256i magnitude = _mm256_abs_epi8(q);
  for (int t = 0; t < NT; ++t) {
    const uint8_t* xb = x + t * xs;
    const __m256i dot = DotU8S8(magnitude, _mm256_sign_epi8(Load32(xb + 2), q));
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
    for (int t = 0; t < NT; ++t) y[t * ys] = ReduceAdd(_mm256_add_ps(even[t], odd[t]));
  }
};

// Q4_1 / Q5_1 with Q8_1 activations: sum (q d_w + m) x = d_w d_x sum(q qx) + m s_x per block.
template <bool kFifthBit>
struct OffsetBlockDot {
  static constexpr size_t kBytes = kFifthBit ? 24 : 20;
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m256 acc[NT];
    float offsets[NT];
    for (int t = 0; t < NT; ++t) {
      acc[t] = _mm256_setzero_ps();
      offsets[t] = 0.0f;
    }
    for (int64_t b = 0; b < n / 32; ++b) {
      const uint8_t* wb = w + b * kBytes;
      const __m256i q = kFifthBit ? FiveBit32(wb + 8, wb + 4) : Nibbles32(wb + 4);
      const float dw = HalfToFloat(wb);
      const float m = HalfToFloat(wb + 2);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xb = x + t * xs + b * kQ8_1Bytes;
        const __m256i dot = DotU8S8(q, Load32(xb + 4));
        const __m256 scale = _mm256_set1_ps(dw * HalfToFloat(xb));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc[t]);
        offsets[t] += m * HalfToFloat(xb + 2);
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = ReduceAdd(acc[t]) + offsets[t];
  }
};

// A 16-bit scale vector for 32 quants whose first 16 have scale a and last 16 scale b.
inline __m256i PairScales(int a, int b) {
  return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi16(static_cast<int16_t>(a))),
                                 _mm_set1_epi16(static_cast<int16_t>(b)), 1);
}

// The eight 6-bit scales and mins of a Q4_K/Q5_K super-block (GetScaleMinK4 for j = 0..7).
inline void UnpackScalesMins(const uint8_t* packed, uint8_t* scales, uint8_t* mins) {
  constexpr uint32_t kLow6 = 0x3f3f3f3f, kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
  uint32_t u[3];
  std::memcpy(u, packed, 12);
  const uint32_t s[2] = {u[0] & kLow6, (u[2] & kLow4) | (((u[0] >> 6) & kLow2) << 4)};
  const uint32_t m[2] = {u[1] & kLow6, ((u[2] >> 4) & kLow4) | (((u[1] >> 6) & kLow2) << 4)};
  std::memcpy(scales, s, 8);
  std::memcpy(mins, m, 8);
}

// Sum over the sixteen groups of bsums[g] * scale16[g], in 8 int32 lanes.
inline __m256i GroupSums(const uint8_t* x_block, __m256i scale16) {
  return _mm256_madd_epi16(Load32(x_block + kQ8_KBsums), scale16);
}

// Q4_K (144 bytes) and Q5_K (176 bytes): see dot_avx512_k.cc for the layouts.
template <bool kFifthBit>
struct Q45_KDot {
  static constexpr size_t kBytes = kFifthBit ? 176 : 144;
  static constexpr size_t kQs = kFifthBit ? 48 : 16;
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m256 acc[NT], acc_mins[NT];
    for (int t = 0; t < NT; ++t) acc[t] = acc_mins[t] = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int64_t i = 0; i < n / 256; ++i) {
      const uint8_t* wb = w + i * kBytes;
      const uint8_t* xb = x + i * kQ8_KBytes;
      uint8_t scales[8], mins[8];
      UnpackScalesMins(wb + 4, scales, mins);
      const __m128i m8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(mins));
      const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));  // one per group
      __m256i sumi[NT];
      for (int t = 0; t < NT; ++t) sumi[t] = _mm256_setzero_si256();
      for (int c = 0; c < 4; ++c) {
        const __m256i bytes = Load32(wb + kQs + 32 * c);
        __m256i lo = _mm256_and_si256(bytes, low4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low4);
        if constexpr (kFifthBit) {
          const __m256i qh = _mm256_srl_epi16(Load32(wb + 16), _mm_cvtsi32_si128(2 * c));
          const __m256i one = _mm256_set1_epi8(1);
          lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(qh, one), 4));
          hi = _mm256_or_si256(
              hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 1), one), 4));
        }
        const __m256i sc_lo = _mm256_set1_epi16(scales[2 * c]);
        const __m256i sc_hi = _mm256_set1_epi16(scales[2 * c + 1]);
        for (int t = 0; t < NT; ++t) {
          const uint8_t* xq = xb + t * xs + kQ8_KQs + 64 * c;
          sumi[t] = _mm256_add_epi32(sumi[t],
                                     _mm256_add_epi32(ScaledDotU8S8(lo, Load32(xq), sc_lo),
                                                      ScaledDotU8S8(hi, Load32(xq + 32), sc_hi)));
        }
      }
      const float d = HalfToFloat(wb);
      const float dmin = HalfToFloat(wb + 2);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = xb + t * xs;
        const float d8 = LoadFloat(xt);
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi[t]), _mm256_set1_ps(d * d8), acc[t]);
        acc_mins[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(GroupSums(xt, mins16)),
                                      _mm256_set1_ps(dmin * d8), acc_mins[t]);
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = ReduceAdd(acc[t]) - ReduceAdd(acc_mins[t]);
  }
};

// Q6_K (210 bytes: ql[128], qh[64], int8 scales[16], d): q = 6-bit value - 32; the -32 is applied
// as -32 * sum_g sc[g] * bsums[g].
struct Q6_KDot {
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    for (int64_t i = 0; i < n / 256; ++i) {
      const uint8_t* wb = w + i * 210;
      const uint8_t* xb = x + i * kQ8_KBytes;
      const auto* sc = reinterpret_cast<const int8_t*>(wb + 192);
      __m256i sumi[NT];
      for (int t = 0; t < NT; ++t) sumi[t] = _mm256_setzero_si256();
      for (int half = 0; half < 2; ++half) {
        const __m256i ql0 = Load32(wb + 64 * half);
        const __m256i ql1 = Load32(wb + 64 * half + 32);
        const __m256i qh = Load32(wb + 128 + 32 * half);
        const __m256i q[4] = {
            _mm256_or_si256(_mm256_and_si256(ql0, low4),
                            _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45)),
            _mm256_or_si256(_mm256_and_si256(ql1, low4),
                            _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45)),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                            _mm256_and_si256(qh, bits45)),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                            _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45)),
        };
        for (int k = 0; k < 4; ++k) {
          const int g = 8 * half + 2 * k;
          const __m256i scales = PairScales(sc[g], sc[g + 1]);
          for (int t = 0; t < NT; ++t) {
            const uint8_t* xq = xb + t * xs + kQ8_KQs + 128 * half + 32 * k;
            sumi[t] = _mm256_add_epi32(sumi[t], ScaledDotU8S8(q[k], Load32(xq), scales));
          }
        }
      }
      const __m256i scale16 = _mm256_cvtepi8_epi16(Load16(wb + 192));
      const float d = HalfToFloat(wb + 208);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = xb + t * xs;
        const __m256i exact =
            _mm256_sub_epi32(sumi[t], _mm256_slli_epi32(GroupSums(xt, scale16), 5));
        acc[t] =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(exact), _mm256_set1_ps(d * LoadFloat(xt)), acc[t]);
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = ReduceAdd(acc[t]);
  }
};

// Q2_K (84 bytes) and Q3_K (110 bytes): 2-bit quants, 32 elements per (half, shift); Q3_K adds 4
// where its hmask bit is set and subtracts 4 * sum_g sc[g] * bsums[g] (its q is value - 4).
template <bool kQ3>
struct Q23_KDot {
  static constexpr size_t kBytes = kQ3 ? 110 : 84;
  static constexpr size_t kQs = kQ3 ? 32 : 16;

  // The sixteen group scales as int16 (Q3_K: signed 6-bit, spec §2.5; Q2_K: low nibbles).
  static void Scales(const uint8_t* wb, int16_t* scales, int16_t* mins) {
    if constexpr (kQ3) {
      // Scale i: low four bits in nibble i / 8 of s[i % 8], high two in bits 2 (i / 4) of
      // s[8 + i % 4]; each 32-bit word assembles four of them.
      constexpr uint32_t kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
      uint32_t a[3];
      std::memcpy(a, wb + 96, 12);
      const uint32_t words[4] = {
          (a[0] & kLow4) | ((a[2] & kLow2) << 4),
          (a[1] & kLow4) | (((a[2] >> 2) & kLow2) << 4),
          ((a[0] >> 4) & kLow4) | (((a[2] >> 4) & kLow2) << 4),
          ((a[1] >> 4) & kLow4) | (((a[2] >> 6) & kLow2) << 4),
      };
      uint8_t unsigned_scales[16];
      std::memcpy(unsigned_scales, words, 16);
      for (int i = 0; i < 16; ++i) scales[i] = static_cast<int16_t>(unsigned_scales[i] - 32);
    } else {
      for (int i = 0; i < 16; ++i) {
        scales[i] = static_cast<int16_t>(wb[i] & 0x0F);
        mins[i] = static_cast<int16_t>(wb[i] >> 4);
      }
    }
  }

  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    __m256 acc[NT], acc_mins[NT];
    for (int t = 0; t < NT; ++t) acc[t] = acc_mins[t] = _mm256_setzero_ps();
    const __m256i low2 = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < n / 256; ++i) {
      const uint8_t* wb = w + i * kBytes;
      const uint8_t* xb = x + i * kQ8_KBytes;
      alignas(32) int16_t scales[16], mins[16] = {};
      Scales(wb, scales, mins);
      __m256i sumi[NT];
      for (int t = 0; t < NT; ++t) sumi[t] = _mm256_setzero_si256();
      for (int half = 0; half < 2; ++half) {
        const __m256i bytes = Load32(wb + kQs + 32 * half);
        for (int k = 0; k < 4; ++k) {
          __m256i q = _mm256_and_si256(_mm256_srl_epi16(bytes, _mm_cvtsi32_si128(2 * k)), low2);
          if constexpr (kQ3) {
            const __m256i bit = _mm256_and_si256(
                _mm256_srl_epi16(Load32(wb), _mm_cvtsi32_si128(4 * half + k)), _mm256_set1_epi8(1));
            q = _mm256_or_si256(q, _mm256_slli_epi16(bit, 2));
          }
          const int g = 8 * half + 2 * k;
          const __m256i sc = PairScales(scales[g], scales[g + 1]);
          for (int t = 0; t < NT; ++t) {
            const uint8_t* xq = xb + t * xs + kQ8_KQs + 128 * half + 32 * k;
            sumi[t] = _mm256_add_epi32(sumi[t], ScaledDotU8S8(q, Load32(xq), sc));
          }
        }
      }
      const __m256i scale16 = _mm256_load_si256(reinterpret_cast<const __m256i*>(scales));
      const __m256i mins16 = _mm256_load_si256(reinterpret_cast<const __m256i*>(mins));
      const float d = HalfToFloat(wb + (kQ3 ? 108 : 80));
      const float dmin = kQ3 ? 0.0f : HalfToFloat(wb + 82);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = xb + t * xs;
        const float d8 = LoadFloat(xt);
        __m256i exact = sumi[t];
        if constexpr (kQ3) {
          exact = _mm256_sub_epi32(exact, _mm256_slli_epi32(GroupSums(xt, scale16), 2));
        } else {
          acc_mins[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(GroupSums(xt, mins16)),
                                        _mm256_set1_ps(dmin * d8), acc_mins[t]);
        }
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(exact), _mm256_set1_ps(d * d8), acc[t]);
      }
    }
    for (int t = 0; t < NT; ++t) y[t * ys] = ReduceAdd(acc[t]) - ReduceAdd(acc_mins[t]);
  }
};

// Float rows: 8 elements per step, scalar tail.
struct F32Elements {
  static constexpr size_t kBytes = 4;
  static __m256 Load(const uint8_t* p) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
  }
  static float Scalar(const uint8_t* p) { return LoadFloat(p); }
};
struct F16Elements {
  static constexpr size_t kBytes = 2;
  static __m256 Load(const uint8_t* p) { return _mm256_cvtph_ps(Load16(p)); }
  static float Scalar(const uint8_t* p) { return HalfToFloat(p); }
};
struct BF16Elements {
  static constexpr size_t kBytes = 2;
  static __m256 Load(const uint8_t* p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(Load16(p)), 16));
  }
  static float Scalar(const uint8_t* p) {
    uint16_t b;
    std::memcpy(&b, p, 2);
    const uint32_t bits = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
};

template <typename Element>
struct FloatDot {
  template <int NT>
  static void Run(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
    constexpr size_t kB = Element::kBytes;
    __m256 acc0[NT], acc1[NT];
    for (int t = 0; t < NT; ++t) acc0[t] = acc1[t] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m256 w0 = Element::Load(w + i * kB);
      const __m256 w1 = Element::Load(w + (i + 8) * kB);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xt = x + t * xs;
        acc0[t] = _mm256_fmadd_ps(w0, Element::Load(xt + i * kB), acc0[t]);
        acc1[t] = _mm256_fmadd_ps(w1, Element::Load(xt + (i + 8) * kB), acc1[t]);
      }
    }
    for (int t = 0; t < NT; ++t) {
      float sum = ReduceAdd(_mm256_add_ps(acc0[t], acc1[t]));
      for (int64_t j = i; j < n; ++j) {
        sum += Element::Scalar(w + j * kB) * Element::Scalar(x + t * xs + j * kB);
      }
      y[t * ys] = sum;
    }
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

}  // namespace

DotRowsFn Avx2DotRows(DType weight_type) {
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
    case DType::kQ2_K:
      return DotRowsOf<Q23_KDot<false>>;
    case DType::kQ3_K:
      return DotRowsOf<Q23_KDot<true>>;
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
DotRowsFn Avx2DotRows(DType) { return nullptr; }
}  // namespace dsinfer::x86

#endif
