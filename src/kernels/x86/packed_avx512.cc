// AVX-512 VNNI kernels for packed 16-row groups (layouts in kernels/packed.cc). Compiled with
// -mavx512f/bw/vl/dq/vnni.
//
// Every 64-byte load holds four quants of each of the 16 rows (lane r = row r); vpdpbusd
// multiplies them with four activation bytes broadcast from memory and adds the four products
// into the row's int32 lane, so the rows never need a horizontal sum. Quants are unsigned for
// vpdpbusd (Q4_K nibbles; Q5_0 as q + 16; Q8_0 as q + 128), and the offset is taken back with
// the block's activation sum. Per block, the exact int32 sums are scaled in float per lane.

#include "kernels/x86/matmul_x86.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include <cstring>

namespace dsinfer::x86 {

namespace {

constexpr size_t kQ8_KBytes = 292;  // f32 d, int8 qs[256], int16 bsums[16]
constexpr size_t kQ8_0Bytes = 34;   // fp16 d, int8 qs[32]

inline __m512i Load64(const uint8_t* p) { return _mm512_loadu_si512(p); }

// Hardware prefetchers stop at 4 KiB page boundaries; a decode step streams each group once, so
// the K-quant kernels request the lines they will read kPrefetchBytes later themselves, spread
// over their 2-3 KiB group blocks (one burst of 36 at the start of a Q4_K block was 5-12% slower
// at 1-2 tokens on a 2.4 MB matrix and 2-4% on MoE-shaped calls from DRAM, Q6_K 3-9%). Since
// each thread streams a contiguous run of tiles (MatMulMany), 8 KiB ahead beats 4 KiB on
// MoE-shaped calls from DRAM (medians of 7-9 shuffled rounds: Q4_K +1-3%; 16 KiB loses 12%).
// The Q5_0 and Q8_0 kernels do less work per byte, so the out-of-order core and the hardware
// prefetchers keep enough reads in flight: their own prefetches made the same calls 3-16%
// slower (medians of 11 rounds; Q4_K and Q6_K without them: -43% and -23%).
constexpr int64_t kPrefetchBytes = 8192;
inline void PrefetchLines(const uint8_t* p, int64_t bytes) {
  for (int64_t i = 0; i < bytes; i += 64) _mm_prefetch(reinterpret_cast<const char*>(p + i), _MM_HINT_T0);
}

inline __m512 LoadHalf16(const uint8_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

inline __m512i Broadcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

inline float HalfToFloat(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return _cvtsh_ss(v);
}

// Sum of the 32 signed bytes at p.
inline int32_t SumBytes32(const uint8_t* p) {
  const __m256i v = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
                                     _mm256_set1_epi8(static_cast<char>(0x80)));
  const __m256i s = _mm256_sad_epu8(v, _mm256_setzero_si256());  // 4 x sum(q + 128) of 8 bytes
  const __m128i h = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  const int64_t total = _mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1);
  return static_cast<int32_t>(total) - 32 * 128;
}

// Q4_K against Q8_K activations.
template <int NT>
void PackedQ4_K(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
  constexpr size_t kGroupBlock = 144 * 16;
  __m512 facc[NT];
  for (int t = 0; t < NT; ++t) facc[t] = _mm512_setzero_ps();
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const __m512i low6x4 = _mm512_set1_epi32(0x3f3f3f3f);
  const __m512i low4x4 = _mm512_set1_epi32(0x0f0f0f0f);
  const __m512i low2x4 = _mm512_set1_epi32(0x03030303);
  const __m512i byte0 = _mm512_set1_epi32(0xff);
  const __m512i byte1 = _mm512_set1_epi32(0xff00);
  for (int64_t b = 0; b < n / 256; ++b) {
    const uint8_t* wb = w + b * kGroupBlock;
    const __m512 d = LoadHalf16(wb);
    const __m512 dmin = LoadHalf16(wb + 32);
    const __m512i u0 = Load64(wb + 64), u1 = Load64(wb + 128), u2 = Load64(wb + 192);
    // Lane r: scales of sub-blocks 0..3 (s0) and 4..7 (s1), mins likewise (as in get_scale_min_k4).
    const __m512i s0 = _mm512_and_si512(u0, low6x4);
    const __m512i s1 = _mm512_or_si512(
        _mm512_and_si512(u2, low4x4),
        _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(u0, 6), low2x4), 4));
    const __m512i m0 = _mm512_and_si512(u1, low6x4);
    const __m512i m1 = _mm512_or_si512(
        _mm512_and_si512(_mm512_srli_epi32(u2, 4), low4x4),
        _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(u1, 6), low2x4), 4));
    // Per token: sums of each pair of sub-blocks' activations as two int16 in one int32.
    int32_t bsum_pairs[NT][4];
    for (int t = 0; t < NT; ++t) {
      int16_t bs[16];
      std::memcpy(bs, x + t * xs + b * kQ8_KBytes + 260, sizeof(bs));
      for (int p = 0; p < 4; ++p) {
        const int32_t lo = bs[4 * p] + bs[4 * p + 1], hi = bs[4 * p + 2] + bs[4 * p + 3];
        bsum_pairs[t][p] = (lo & 0xffff) | static_cast<int32_t>(static_cast<uint32_t>(hi) << 16);
      }
    }
    __m512i isum[NT], imin[NT];
    for (int t = 0; t < NT; ++t) isum[t] = imin[t] = _mm512_setzero_si512();
    for (int p = 0; p < 4; ++p) {
      const __m512i scales = p < 2 ? s0 : s1;
      const __m512i mins = p < 2 ? m0 : m1;
      const int shift = 16 * (p & 1);
      const __m512i sc_a = _mm512_and_si512(_mm512_srli_epi32(scales, shift), byte0);
      const __m512i sc_b = _mm512_and_si512(_mm512_srli_epi32(scales, shift + 8), byte0);
      const __m512i mt = _mm512_srli_epi32(mins, shift);
      const __m512i min_pair = _mm512_or_si512(_mm512_and_si512(mt, byte0),
                                               _mm512_slli_epi32(_mm512_and_si512(mt, byte1), 8));
      // With one or two tokens, two accumulators per sub-block (even and odd groups) halve the
      // vpdpbusd dependency chains that would limit the stream; more tokens give independent
      // chains already, and more registers would spill.
      constexpr int kSplit = NT <= 2 ? 2 : 1;
      __m512i acc_a[NT][kSplit], acc_b[NT][kSplit];
      for (int t = 0; t < NT; ++t) {
        for (int k = 0; k < kSplit; ++k) acc_a[t][k] = acc_b[t][k] = _mm512_setzero_si512();
      }
      PrefetchLines(wb + kPrefetchBytes + p * (kGroupBlock / 4), kGroupBlock / 4);
      const uint8_t* q = wb + 256 + p * 512;
      for (int g = 0; g < 8; ++g) {
        const __m512i bytes = Load64(q + g * 64);
        const __m512i lo = _mm512_and_si512(bytes, low4);
        const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), low4);
        const int k = g % kSplit;
        for (int t = 0; t < NT; ++t) {
          const uint8_t* xq = x + t * xs + b * kQ8_KBytes + 4 + 64 * p + 4 * g;
          acc_a[t][k] = _mm512_dpbusd_epi32(acc_a[t][k], lo, Broadcast4(xq));
          acc_b[t][k] = _mm512_dpbusd_epi32(acc_b[t][k], hi, Broadcast4(xq + 32));
        }
      }
      for (int t = 0; t < NT; ++t) {
        __m512i a = acc_a[t][0], bsum = acc_b[t][0];
        if constexpr (kSplit == 2) {
          a = _mm512_add_epi32(a, acc_a[t][1]);
          bsum = _mm512_add_epi32(bsum, acc_b[t][1]);
        }
        isum[t] = _mm512_add_epi32(isum[t], _mm512_add_epi32(_mm512_mullo_epi32(a, sc_a),
                                                             _mm512_mullo_epi32(bsum, sc_b)));
        imin[t] = _mm512_dpwssd_epi32(imin[t], min_pair, _mm512_set1_epi32(bsum_pairs[t][p]));
      }
    }
    for (int t = 0; t < NT; ++t) {
      float d8;
      std::memcpy(&d8, x + t * xs + b * kQ8_KBytes, 4);
      const __m512 dd8 = _mm512_set1_ps(d8);
      facc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[t]), _mm512_mul_ps(d, dd8), facc[t]);
      facc[t] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(imin[t]), _mm512_mul_ps(dmin, dd8), facc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) _mm512_storeu_ps(y + t * ys, facc[t]);
}

// Q6_K against Q8_K activations; quants formed as u = q + 32, taken back per sub-block of 16
// with the activation's bsums.
template <int NT>
void PackedQ6_K(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
  constexpr size_t kGroupBlock = 210 * 16;
  __m512 facc[NT];
  for (int t = 0; t < NT; ++t) facc[t] = _mm512_setzero_ps();
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const __m512i bits45 = _mm512_set1_epi8(0x30);
  for (int64_t b = 0; b < n / 256; ++b) {
    const uint8_t* wb = w + b * kGroupBlock;
    PrefetchLines(wb + kPrefetchBytes, 288);
    const __m512 d = LoadHalf16(wb);
    __m512i isum[NT];
    for (int t = 0; t < NT; ++t) isum[t] = _mm512_setzero_si512();
    for (int j = 0; j < 16; ++j) {
      const __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb + 32 + 16 * j)));
      const uint8_t* q = wb + 288 + j * 192;
      PrefetchLines(q + kPrefetchBytes, 192);
      const __m512i a = Load64(q), bq = Load64(q + 64), h = Load64(q + 128);
      // (high & 0x30) | low in one ternary-logic op: imm 0xEC = (a & c) | b, c = 0x30 per byte.
      const __m512i u0 = _mm512_ternarylogic_epi32(_mm512_slli_epi16(h, 4), _mm512_and_si512(a, low4), bits45, 0xEC);
      const __m512i u1 = _mm512_ternarylogic_epi32(
          _mm512_slli_epi16(h, 2), _mm512_and_si512(_mm512_srli_epi16(a, 4), low4), bits45, 0xEC);
      const __m512i u2 = _mm512_ternarylogic_epi32(h, _mm512_and_si512(bq, low4), bits45, 0xEC);
      const __m512i u3 = _mm512_ternarylogic_epi32(
          _mm512_srli_epi16(h, 2), _mm512_and_si512(_mm512_srli_epi16(bq, 4), low4), bits45, 0xEC);
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xq = x + t * xs + b * kQ8_KBytes + 4 + 16 * j;
        __m512i acc = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u0, Broadcast4(xq));
        acc = _mm512_dpbusd_epi32(acc, u1, Broadcast4(xq + 4));
        acc = _mm512_dpbusd_epi32(acc, u2, Broadcast4(xq + 8));
        acc = _mm512_dpbusd_epi32(acc, u3, Broadcast4(xq + 12));
        int16_t bsum;
        std::memcpy(&bsum, x + t * xs + b * kQ8_KBytes + 260 + 2 * j, 2);
        acc = _mm512_sub_epi32(acc, _mm512_set1_epi32(32 * bsum));
        isum[t] = _mm512_add_epi32(isum[t], _mm512_mullo_epi32(acc, sc));
      }
    }
    for (int t = 0; t < NT; ++t) {
      float d8;
      std::memcpy(&d8, x + t * xs + b * kQ8_KBytes, 4);
      facc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[t]), _mm512_mul_ps(d, _mm512_set1_ps(d8)), facc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) _mm512_storeu_ps(y + t * ys, facc[t]);
}

// Q8_0 against Q8_0 activations; quants stored as q + 128.
template <int NT>
void PackedQ8_0(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
  constexpr size_t kGroupBlock = 34 * 16;
  __m512 facc[NT];
  for (int t = 0; t < NT; ++t) facc[t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < n / 32; ++b) {
    const uint8_t* wb = w + b * kGroupBlock;
    const __m512 d = LoadHalf16(wb);
    __m512i acc[NT][2];
    for (int t = 0; t < NT; ++t) acc[t][0] = acc[t][1] = _mm512_setzero_si512();
    for (int g = 0; g < 8; ++g) {
      const __m512i q = Load64(wb + 32 + g * 64);
      for (int t = 0; t < NT; ++t) {
        acc[t][g & 1] = _mm512_dpbusd_epi32(acc[t][g & 1], q,
                                            Broadcast4(x + t * xs + b * kQ8_0Bytes + 2 + 4 * g));
      }
    }
    for (int t = 0; t < NT; ++t) {
      const uint8_t* xb = x + t * xs + b * kQ8_0Bytes;
      const __m512i isum = _mm512_sub_epi32(_mm512_add_epi32(acc[t][0], acc[t][1]),
                                            _mm512_set1_epi32(128 * SumBytes32(xb + 2)));
      facc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum),
                                _mm512_mul_ps(d, _mm512_set1_ps(HalfToFloat(xb))), facc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) _mm512_storeu_ps(y + t * ys, facc[t]);
}

// Q5_0 against Q8_0 activations; quants formed as q + 16 (nibble plus the fifth bit).
template <int NT>
void PackedQ5_0(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, float* y, size_t ys) {
  constexpr size_t kGroupBlock = 22 * 16;
  __m512 facc[NT];
  for (int t = 0; t < NT; ++t) facc[t] = _mm512_setzero_ps();
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const __m512i bit4 = _mm512_set1_epi8(0x10);
  for (int64_t b = 0; b < n / 32; ++b) {
    const uint8_t* wb = w + b * kGroupBlock;
    const __m512 d = LoadHalf16(wb);
    uint64_t masks[8];
    std::memcpy(masks, wb + 32, sizeof(masks));
    __m512i acc[NT], acc_hi[NT];
    for (int t = 0; t < NT; ++t) acc[t] = acc_hi[t] = _mm512_setzero_si512();
    for (int g = 0; g < 4; ++g) {
      const __m512i bytes = Load64(wb + 96 + g * 64);
      const __m512i lo = _mm512_and_si512(bytes, low4);
      const __m512i lo5 = _mm512_mask_blend_epi8(_cvtu64_mask64(masks[2 * g]), lo,
                                                 _mm512_or_si512(lo, bit4));
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), low4);
      const __m512i hi5 = _mm512_mask_blend_epi8(_cvtu64_mask64(masks[2 * g + 1]), hi,
                                                 _mm512_or_si512(hi, bit4));
      for (int t = 0; t < NT; ++t) {
        const uint8_t* xq = x + t * xs + b * kQ8_0Bytes + 2 + 4 * g;
        acc[t] = _mm512_dpbusd_epi32(acc[t], lo5, Broadcast4(xq));
        acc_hi[t] = _mm512_dpbusd_epi32(acc_hi[t], hi5, Broadcast4(xq + 16));
      }
    }
    for (int t = 0; t < NT; ++t) {
      const uint8_t* xb = x + t * xs + b * kQ8_0Bytes;
      const __m512i isum = _mm512_sub_epi32(_mm512_add_epi32(acc[t], acc_hi[t]),
                                            _mm512_set1_epi32(16 * SumBytes32(xb + 2)));
      facc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum),
                                _mm512_mul_ps(d, _mm512_set1_ps(HalfToFloat(xb))), facc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) _mm512_storeu_ps(y + t * ys, facc[t]);
}

#define DSINFER_PACKED_DISPATCH(Fn)                                                          \
  void Fn##Rows(int64_t n, const uint8_t* w, const uint8_t* x, size_t xs, int n_x, float* y, \
                size_t ys) {                                                                 \
    switch (n_x) {                                                                           \
      case 1: Fn<1>(n, w, x, xs, y, ys); break;                                              \
      case 2: Fn<2>(n, w, x, xs, y, ys); break;                                              \
      case 3: Fn<3>(n, w, x, xs, y, ys); break;                                              \
      default: Fn<4>(n, w, x, xs, y, ys); break;                                             \
    }                                                                                        \
  }

DSINFER_PACKED_DISPATCH(PackedQ4_K)
DSINFER_PACKED_DISPATCH(PackedQ6_K)
DSINFER_PACKED_DISPATCH(PackedQ8_0)
DSINFER_PACKED_DISPATCH(PackedQ5_0)

#undef DSINFER_PACKED_DISPATCH

}  // namespace

PackedDotFn Avx512PackedDotRows(DType weight_type) {
  switch (weight_type) {
    case DType::kQ4_K: return PackedQ4_KRows;
    case DType::kQ6_K: return PackedQ6_KRows;
    case DType::kQ8_0: return PackedQ8_0Rows;
    case DType::kQ5_0: return PackedQ5_0Rows;
    default: return nullptr;
  }
}

}  // namespace dsinfer::x86

#else

namespace dsinfer::x86 {
PackedDotFn Avx512PackedDotRows(DType) { return nullptr; }
}  // namespace dsinfer::x86

#endif
