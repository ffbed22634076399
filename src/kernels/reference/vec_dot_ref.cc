// The scalar ground truth of MatMul's inner loop: activation conversion to the vec_dot type and
// one dot product per weight type, written after ggml's reference quantizers and its generic
// (scalar) ggml_vec_dot_* functions in ggml-cpu/quants.c and vec.cpp. Integer parts are exact;
// the float operations follow ggml's order, including the eight partial float sums of the
// Q3_K..Q6_K kernels. Built with -ffp-contract=off so no multiply-add is fused.

#include <cmath>
#include <cstring>

#include "base/check.h"
#include "kernels/vec_dot.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quant.h"

namespace dsinfer {

namespace {

template <typename Block>
inline Block LoadBlock(const void* row, int64_t i) {
  Block b;
  std::memcpy(&b, static_cast<const uint8_t*>(row) + i * sizeof(Block), sizeof(Block));
  return b;
}

inline float F16(uint16_t h) { return Fp16ToFp32(h); }

// quantize_row_q8_1_ref: Q8_0's rounding plus s = fp16(d * sum of the quants).
void QuantizeQ8_1(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    float amax = 0.0f;
    for (int j = 0; j < kQK4_0; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_1 b;
    b.d = Fp32ToFp16(d);
    int sum = 0;
    for (int j = 0; j < kQK4_0; ++j) {
      b.qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
      sum += b.qs[j];
    }
    b.s = Fp32ToFp16(static_cast<float>(sum) * d);
    std::memcpy(static_cast<uint8_t*>(dst) + i * sizeof(BlockQ8_1), &b, sizeof(b));
  }
}

void QuantizeQ8_0(const float* x, void* dst, int64_t n) { QuantizeRow(DType::kQ8_0, x, dst, n); }
void QuantizeQ8_K(const float* x, void* dst, int64_t n) { QuantizeRow(DType::kQ8_K, x, dst, n); }
void QuantizeF16(const float* x, void* dst, int64_t n) { QuantizeRow(DType::kF16, x, dst, n); }
void QuantizeBF16(const float* x, void* dst, int64_t n) { QuantizeRow(DType::kBF16, x, dst, n); }
void CopyF32(const float* x, void* dst, int64_t n) { std::memcpy(dst, x, n * sizeof(float)); }

// ggml_vec_dot_f32/f16/bf16: each product in f32, summed in double.
template <typename Element, float (*ToFloat)(Element)>
float DotFloat(int64_t n, const void* w, const void* x) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    Element a, b;
    std::memcpy(&a, static_cast<const uint8_t*>(w) + i * sizeof(Element), sizeof(Element));
    std::memcpy(&b, static_cast<const uint8_t*>(x) + i * sizeof(Element), sizeof(Element));
    sum += static_cast<double>(ToFloat(a) * ToFloat(b));
  }
  return static_cast<float>(sum);
}
inline float Identity(float v) { return v; }

float DotQ4_0(int64_t n, const void* w, const void* x) {
  float sumf = 0.0f;
  for (int64_t ib = 0; ib < n / kQK4_0; ++ib) {
    const auto bw = LoadBlock<BlockQ4_0>(w, ib);
    const auto bx = LoadBlock<BlockQ8_0>(x, ib);
    int sumi0 = 0, sumi1 = 0;
    for (int j = 0; j < 16; ++j) {
      sumi0 += ((bw.qs[j] & 0x0F) - 8) * bx.qs[j];
      sumi1 += ((bw.qs[j] >> 4) - 8) * bx.qs[j + 16];
    }
    sumf += static_cast<float>(sumi0 + sumi1) * F16(bw.d) * F16(bx.d);
  }
  return sumf;
}

float DotQ4_1(int64_t n, const void* w, const void* x) {
  float sumf = 0.0f;
  for (int64_t ib = 0; ib < n / kQK4_0; ++ib) {
    const auto bw = LoadBlock<BlockQ4_1>(w, ib);
    const auto bx = LoadBlock<BlockQ8_1>(x, ib);
    int sumi0 = 0, sumi1 = 0;
    for (int j = 0; j < 16; ++j) {
      sumi0 += (bw.qs[j] & 0x0F) * bx.qs[j];
      sumi1 += (bw.qs[j] >> 4) * bx.qs[j + 16];
    }
    sumf += (F16(bw.d) * F16(bx.d)) * static_cast<float>(sumi0 + sumi1) + F16(bw.m) * F16(bx.s);
  }
  return sumf;
}

// The 5-bit quants of a Q5_0/Q5_1 block: element j (< 16) and j + 16.
inline void Q5Quants(const uint8_t* qs, const uint8_t* qh_bytes, int j, int* q0, int* q1) {
  uint32_t qh;
  std::memcpy(&qh, qh_bytes, 4);
  *q0 = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1) << 4);
  *q1 = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
}

float DotQ5_0(int64_t n, const void* w, const void* x) {
  float sumf = 0.0f;
  for (int64_t ib = 0; ib < n / kQK4_0; ++ib) {
    const auto bw = LoadBlock<BlockQ5_0>(w, ib);
    const auto bx = LoadBlock<BlockQ8_0>(x, ib);
    int sumi0 = 0, sumi1 = 0;
    for (int j = 0; j < 16; ++j) {
      int q0, q1;
      Q5Quants(bw.qs, bw.qh, j, &q0, &q1);
      sumi0 += (q0 - 16) * bx.qs[j];
      sumi1 += (q1 - 16) * bx.qs[j + 16];
    }
    sumf += (F16(bw.d) * F16(bx.d)) * static_cast<float>(sumi0 + sumi1);
  }
  return sumf;
}

float DotQ5_1(int64_t n, const void* w, const void* x) {
  float sumf = 0.0f;
  for (int64_t ib = 0; ib < n / kQK4_0; ++ib) {
    const auto bw = LoadBlock<BlockQ5_1>(w, ib);
    const auto bx = LoadBlock<BlockQ8_1>(x, ib);
    int sumi0 = 0, sumi1 = 0;
    for (int j = 0; j < 16; ++j) {
      int q0, q1;
      Q5Quants(bw.qs, bw.qh, j, &q0, &q1);
      sumi0 += q0 * bx.qs[j];
      sumi1 += q1 * bx.qs[j + 16];
    }
    sumf += (F16(bw.d) * F16(bx.d)) * static_cast<float>(sumi0 + sumi1) + F16(bw.m) * F16(bx.s);
  }
  return sumf;
}

float DotQ8_0(int64_t n, const void* w, const void* x) {
  float sumf = 0.0f;
  for (int64_t ib = 0; ib < n / kQK4_0; ++ib) {
    const auto bw = LoadBlock<BlockQ8_0>(w, ib);
    const auto bx = LoadBlock<BlockQ8_0>(x, ib);
    int sumi = 0;
    for (int j = 0; j < kQK4_0; ++j) sumi += bw.qs[j] * bx.qs[j];
    sumf += static_cast<float>(sumi) * (F16(bw.d) * F16(bx.d));
  }
  return sumf;
}

float DotQ2_K(int64_t n, const void* w, const void* x) {
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto bw = LoadBlock<BlockQ2_K>(w, i);
    const auto bx = LoadBlock<BlockQ8_K>(x, i);
    int summs = 0;
    for (int j = 0; j < 16; ++j) summs += bx.bsums[j] * (bw.scales[j] >> 4);
    const float dall = bx.d * F16(bw.d);
    const float dmin = bx.d * F16(bw.dmin);
    int isum = 0;
    int is = 0;
    const int8_t* q8 = bx.qs;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* q2 = bw.qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2) {
        for (int group = 0; group < 2; ++group) {
          int isuml = 0;
          for (int l = 16 * group; l < 16 * group + 16; ++l)
            isuml += q8[l] * ((q2[l] >> shift) & 3);
          isum += (bw.scales[is++] & 0x0F) * isuml;
        }
        q8 += 32;
      }
    }
    sumf += dall * static_cast<float>(isum) - dmin * static_cast<float>(summs);
  }
  return sumf;
}

// The sixteen signed 6-bit scales of a Q3_K block (spec §2.5), offset removed.
void Q3_KScales(const uint8_t* s, int* scales) {
  for (int i = 0; i < 16; ++i) {
    const int low4 = i < 8 ? (s[i] & 0x0F) : (s[i - 8] >> 4);
    const int high2 = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
    scales[i] = (low4 | (high2 << 4)) - 32;
  }
}

// The K-quant epilogue shared by Q3_K..Q6_K: aux32[l] += scale * q8 * q over the 8-lane groups of
// one super-block, given its 256 signed quants and sixteen scales (one per 16 quants).
void AccumulateScaledLanes(const int8_t* q, const int8_t* q8, const int* scale16, int32_t* aux32) {
  for (int j = 0; j < 32; ++j) {
    const int scale = scale16[j / 2];
    for (int l = 0; l < 8; ++l) {
      const int16_t prod = static_cast<int16_t>(q8[8 * j + l] * q[8 * j + l]);
      aux32[l] += scale * prod;
    }
  }
}

// sums[l] += d * aux32[l] (ggml keeps eight partial float sums across the super-blocks).
inline void AddLanes(float d, const int32_t* aux32, float* sums) {
  for (int l = 0; l < 8; ++l) sums[l] += d * static_cast<float>(aux32[l]);
}

float DotQ3_K(int64_t n, const void* w, const void* x) {
  float sums[8] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto bw = LoadBlock<BlockQ3_K>(w, i);
    const auto bx = LoadBlock<BlockQ8_K>(x, i);
    int8_t q[kQK_K];
    int bit = 0;
    for (int half = 0; half < 2; ++half) {
      for (int shift = 0; shift < 8; shift += 2, ++bit) {
        for (int l = 0; l < 32; ++l) {
          const int low = (bw.qs[32 * half + l] >> shift) & 3;
          q[128 * half + 16 * shift + l] =
              static_cast<int8_t>(low - (((bw.hmask[l] >> bit) & 1) ? 0 : 4));
        }
      }
    }
    int scales[16];
    Q3_KScales(bw.scales, scales);
    int32_t aux32[8] = {};
    AccumulateScaledLanes(q, bx.qs, scales, aux32);
    AddLanes(F16(bw.d) * bx.d, aux32, sums);
  }
  float sumf = 0.0f;
  for (float s : sums) sumf += s;
  return sumf;
}

// Q4_K and Q5_K: 4-bit quants plus (for Q5_K) a fifth bit from qh; eight 6-bit scales and mins.
template <typename Block, bool kFifthBit>
float DotQ45_K(int64_t n, const void* w, const void* x) {
  float sums[8] = {};
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto bw = LoadBlock<Block>(w, i);
    const auto bx = LoadBlock<BlockQ8_K>(x, i);
    int8_t q[kQK_K];
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        int lo = bw.qs[32 * c + l] & 0x0F;
        int hi = bw.qs[32 * c + l] >> 4;
        if constexpr (kFifthBit) {
          lo += ((bw.qh[l] >> (2 * c)) & 1) << 4;
          hi += ((bw.qh[l] >> (2 * c + 1)) & 1) << 4;
        }
        q[64 * c + l] = static_cast<int8_t>(lo);
        q[64 * c + 32 + l] = static_cast<int8_t>(hi);
      }
    }
    int scale16[16];
    int sum_mins = 0;
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      GetScaleMinK4(j, bw.scales, &sc, &m);
      scale16[2 * j] = scale16[2 * j + 1] = sc;
      sum_mins += (bx.bsums[2 * j] + bx.bsums[2 * j + 1]) * m;
    }
    int32_t aux32[8] = {};
    AccumulateScaledLanes(q, bx.qs, scale16, aux32);
    AddLanes(F16(bw.d) * bx.d, aux32, sums);
    const float dmin = F16(bw.dmin) * bx.d;
    sumf -= dmin * static_cast<float>(sum_mins);
  }
  for (float s : sums) sumf += s;
  return sumf;
}

float DotQ6_K(int64_t n, const void* w, const void* x) {
  float sums[8] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto bw = LoadBlock<BlockQ6_K>(w, i);
    const auto bx = LoadBlock<BlockQ8_K>(x, i);
    int8_t q[kQK_K];
    for (int half = 0; half < 2; ++half) {
      const uint8_t* ql = bw.ql + 64 * half;
      const uint8_t* qh = bw.qh + 32 * half;
      int8_t* a = q + 128 * half;
      for (int l = 0; l < 32; ++l) {
        a[l] = static_cast<int8_t>(((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32);
        a[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32);
        a[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
        a[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
      }
    }
    int scale16[16];
    for (int j = 0; j < 16; ++j) scale16[j] = bw.scales[j];
    int32_t aux32[8] = {};
    AccumulateScaledLanes(q, bx.qs, scale16, aux32);
    AddLanes(F16(bw.d) * bx.d, aux32, sums);
  }
  float sumf = 0.0f;
  for (float s : sums) sumf += s;
  return sumf;
}

using VecDotFn = float (*)(int64_t n, const void* w, const void* x);

VecDotFn VecDotFor(DType weight_type) {
  switch (weight_type) {
    case DType::kF32:
      return DotFloat<float, Identity>;
    case DType::kF16:
      return DotFloat<uint16_t, Fp16ToFp32>;
    case DType::kBF16:
      return DotFloat<uint16_t, Bf16ToFp32>;
    case DType::kQ4_0:
      return DotQ4_0;
    case DType::kQ4_1:
      return DotQ4_1;
    case DType::kQ5_0:
      return DotQ5_0;
    case DType::kQ5_1:
      return DotQ5_1;
    case DType::kQ8_0:
      return DotQ8_0;
    case DType::kQ2_K:
      return DotQ2_K;
    case DType::kQ3_K:
      return DotQ3_K;
    case DType::kQ4_K:
      return DotQ45_K<BlockQ4_K, false>;
    case DType::kQ5_K:
      return DotQ45_K<BlockQ5_K, true>;
    case DType::kQ6_K:
      return DotQ6_K;
    default:
      break;
  }
  CHECK(false) << "no vec_dot for weight type " << DTypeName(weight_type);
  return nullptr;
}

template <VecDotFn kDot>
void DotRowsWith(int64_t n, const void* w_row, const uint8_t* x, size_t x_stride, int n_x, float* y,
                 size_t y_stride) {
  for (int t = 0; t < n_x; ++t) y[t * y_stride] = kDot(n, w_row, x + t * x_stride);
}

}  // namespace

DType VecDotType(DType weight_type) {
  switch (weight_type) {
    case DType::kF32:
    case DType::kF16:
    case DType::kBF16:
      return weight_type;
    case DType::kQ4_0:
    case DType::kQ5_0:
    case DType::kQ8_0:
      return DType::kQ8_0;
    case DType::kQ4_1:
    case DType::kQ5_1:
      return DType::kQ8_1;
    case DType::kQ2_K:
    case DType::kQ3_K:
    case DType::kQ4_K:
    case DType::kQ5_K:
    case DType::kQ6_K:
      return DType::kQ8_K;
    default:
      break;
  }
  CHECK(false) << "MatMul does not support weight type " << DTypeName(weight_type);
  return DType::kF32;
}

uint64_t ActivationRowBytes(DType vec_dot_type, int64_t n) {
  const auto bytes = RowBytes(vec_dot_type, static_cast<uint64_t>(n));
  CHECK(bytes.has_value()) << n << " elements is not a multiple of the " << DTypeName(vec_dot_type)
                           << " block size";
  return *bytes;
}

namespace reference {

QuantizeActivationFn ActivationQuantizer(DType vec_dot_type) {
  switch (vec_dot_type) {
    case DType::kF32:
      return CopyF32;
    case DType::kF16:
      return QuantizeF16;
    case DType::kBF16:
      return QuantizeBF16;
    case DType::kQ8_0:
      return QuantizeQ8_0;
    case DType::kQ8_1:
      return QuantizeQ8_1;
    case DType::kQ8_K:
      return QuantizeQ8_K;
    default:
      break;
  }
  CHECK(false) << DTypeName(vec_dot_type) << " is not an activation type";
  return nullptr;
}

float VecDot(DType weight_type, int64_t n, const void* w_row, const void* x_row) {
  return VecDotFor(weight_type)(n, w_row, x_row);
}

DotRowsFn DotRows(DType weight_type) {
  switch (weight_type) {
    case DType::kF32:
      return DotRowsWith<DotFloat<float, Identity>>;
    case DType::kF16:
      return DotRowsWith<DotFloat<uint16_t, Fp16ToFp32>>;
    case DType::kBF16:
      return DotRowsWith<DotFloat<uint16_t, Bf16ToFp32>>;
    case DType::kQ4_0:
      return DotRowsWith<DotQ4_0>;
    case DType::kQ4_1:
      return DotRowsWith<DotQ4_1>;
    case DType::kQ5_0:
      return DotRowsWith<DotQ5_0>;
    case DType::kQ5_1:
      return DotRowsWith<DotQ5_1>;
    case DType::kQ8_0:
      return DotRowsWith<DotQ8_0>;
    case DType::kQ2_K:
      return DotRowsWith<DotQ2_K>;
    case DType::kQ3_K:
      return DotRowsWith<DotQ3_K>;
    case DType::kQ4_K:
      return DotRowsWith<DotQ45_K<BlockQ4_K, false>>;
    case DType::kQ5_K:
      return DotRowsWith<DotQ45_K<BlockQ5_K, true>>;
    case DType::kQ6_K:
      return DotRowsWith<DotQ6_K>;
    default:
      break;
  }
  CHECK(false) << "no vec_dot for weight type " << DTypeName(weight_type);
  return nullptr;
}

}  // namespace reference

}  // namespace dsinfer
