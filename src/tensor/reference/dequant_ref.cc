// reference::DequantizeRow: plain scalar dequantization of every supported type, written from
// spec §2 one block at a time. This is the ground truth the SIMD versions are tested against, so
// it is kept simple; the float operations (and their order) define the exact results:
//   * a per-group scale is computed first as a float (d * sc), then multiplied by the quant;
//   * a min/offset is then subtracted (K-quants) or added (Q4_1/Q5_1) as a separate rounding.
// The target compiles with -ffp-contract=off so no multiply-add is fused.

#include <cstring>

#include "base/check.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quant.h"

namespace dsinfer::reference {

namespace {

// Reads block i of a row (rows are only 2-byte aligned, so blocks are copied, not cast).
template <typename Block>
inline Block LoadBlock(const void* src, int64_t i) {
  Block b;
  std::memcpy(&b, static_cast<const uint8_t*>(src) + i * sizeof(Block), sizeof(Block));
  return b;
}

void DequantizeF32(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, n * sizeof(float));
}

void DequantizeF16(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    dst[i] = Fp16ToFp32(h);
  }
}

void DequantizeBF16(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t b;
    std::memcpy(&b, p + 2 * i, 2);
    dst[i] = Bf16ToFp32(b);
  }
}

void DequantizeQ4_0(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const auto b = LoadBlock<BlockQ4_0>(src, i);
    const float d = Fp16ToFp32(b.d);
    float* y = dst + i * kQK4_0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = (b.qs[j] & 0x0F) - 8;
      const int q1 = (b.qs[j] >> 4) - 8;
      y[j] = static_cast<float>(q0) * d;
      y[j + 16] = static_cast<float>(q1) * d;
    }
  }
}

void DequantizeQ4_1(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const auto b = LoadBlock<BlockQ4_1>(src, i);
    const float d = Fp16ToFp32(b.d);
    const float m = Fp16ToFp32(b.m);
    float* y = dst + i * kQK4_0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = b.qs[j] & 0x0F;
      const int q1 = b.qs[j] >> 4;
      y[j] = static_cast<float>(q0) * d + m;
      y[j + 16] = static_cast<float>(q1) * d + m;
    }
  }
}

void DequantizeQ5_0(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const auto b = LoadBlock<BlockQ5_0>(src, i);
    const float d = Fp16ToFp32(b.d);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    float* y = dst + i * kQK4_0;
    for (int j = 0; j < 16; ++j) {
      const int high0 = (qh >> j) & 1;
      const int high1 = (qh >> (j + 16)) & 1;
      const int q0 = ((b.qs[j] & 0x0F) | (high0 << 4)) - 16;
      const int q1 = ((b.qs[j] >> 4) | (high1 << 4)) - 16;
      y[j] = static_cast<float>(q0) * d;
      y[j + 16] = static_cast<float>(q1) * d;
    }
  }
}

void DequantizeQ5_1(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const auto b = LoadBlock<BlockQ5_1>(src, i);
    const float d = Fp16ToFp32(b.d);
    const float m = Fp16ToFp32(b.m);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    float* y = dst + i * kQK4_0;
    for (int j = 0; j < 16; ++j) {
      const int high0 = (qh >> j) & 1;
      const int high1 = (qh >> (j + 16)) & 1;
      const int q0 = (b.qs[j] & 0x0F) | (high0 << 4);
      const int q1 = (b.qs[j] >> 4) | (high1 << 4);
      y[j] = static_cast<float>(q0) * d + m;
      y[j + 16] = static_cast<float>(q1) * d + m;
    }
  }
}

void DequantizeQ8_0(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const auto b = LoadBlock<BlockQ8_0>(src, i);
    const float d = Fp16ToFp32(b.d);
    float* y = dst + i * kQK4_0;
    for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(b.qs[j]) * d;
  }
}

void DequantizeQ2_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ2_K>(src, i);
    const float d = Fp16ToFp32(b.d);
    const float dmin = Fp16ToFp32(b.dmin);
    float* y = dst + i * kQK_K;
    int group = 0;  // 16 groups of 16 outputs, in output order
    for (int half = 0; half < 2; ++half) {
      const uint8_t* q = b.qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2) {
        for (int part = 0; part < 2; ++part) {  // q[0..15], then q[16..31]
          const uint8_t s = b.scales[group++];
          const float dl = d * static_cast<float>(s & 0x0F);
          const float ml = dmin * static_cast<float>(s >> 4);
          for (int l = 0; l < 16; ++l) {
            const int v = (q[16 * part + l] >> shift) & 3;
            *y++ = dl * static_cast<float>(v) - ml;
          }
        }
      }
    }
  }
}

// The 16 signed 6-bit scales of a Q3_K block (spec §2.5).
void UnpackQ3KScales(const uint8_t* s, int scale[16]) {
  for (int i = 0; i < 16; ++i) {
    const int low4 = i < 8 ? (s[i] & 0x0F) : (s[i - 8] >> 4);
    const int high2 = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
    scale[i] = (low4 | (high2 << 4)) - 32;
  }
}

void DequantizeQ3_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ3_K>(src, i);
    const float d = Fp16ToFp32(b.d);
    int scale[16];
    UnpackQ3KScales(b.scales, scale);
    float* y = dst + i * kQK_K;
    int group = 0;
    int bit = 0;  // which bit of hmask[] holds the 3rd bit, 0..7 across both halves
    for (int half = 0; half < 2; ++half) {
      const uint8_t* q = b.qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2) {
        for (int part = 0; part < 2; ++part) {
          const float dl = d * static_cast<float>(scale[group++]);
          for (int l = 0; l < 16; ++l) {
            const int idx = 16 * part + l;
            const int low2 = (q[idx] >> shift) & 3;
            const int high_set = (b.hmask[idx] >> bit) & 1;
            const int v = low2 - (high_set ? 0 : 4);
            *y++ = dl * static_cast<float>(v);
          }
        }
        ++bit;
      }
    }
  }
}

void DequantizeQ4_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ4_K>(src, i);
    const float d = Fp16ToFp32(b.d);
    const float dmin = Fp16ToFp32(b.dmin);
    float* y = dst + i * kQK_K;
    for (int chunk = 0; chunk < 4; ++chunk) {  // 64 outputs from qs[32*chunk .. +31]
      uint8_t sc1, m1, sc2, m2;
      GetScaleMinK4(2 * chunk, b.scales, &sc1, &m1);
      GetScaleMinK4(2 * chunk + 1, b.scales, &sc2, &m2);
      const float d1 = d * static_cast<float>(sc1);
      const float min1 = dmin * static_cast<float>(m1);
      const float d2 = d * static_cast<float>(sc2);
      const float min2 = dmin * static_cast<float>(m2);
      const uint8_t* q = b.qs + 32 * chunk;
      for (int l = 0; l < 32; ++l) {
        y[64 * chunk + l] = d1 * static_cast<float>(q[l] & 0x0F) - min1;
        y[64 * chunk + 32 + l] = d2 * static_cast<float>(q[l] >> 4) - min2;
      }
    }
  }
}

void DequantizeQ5_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ5_K>(src, i);
    const float d = Fp16ToFp32(b.d);
    const float dmin = Fp16ToFp32(b.dmin);
    float* y = dst + i * kQK_K;
    for (int chunk = 0; chunk < 4; ++chunk) {
      uint8_t sc1, m1, sc2, m2;
      GetScaleMinK4(2 * chunk, b.scales, &sc1, &m1);
      GetScaleMinK4(2 * chunk + 1, b.scales, &sc2, &m2);
      const float d1 = d * static_cast<float>(sc1);
      const float min1 = dmin * static_cast<float>(m1);
      const float d2 = d * static_cast<float>(sc2);
      const float min2 = dmin * static_cast<float>(m2);
      const uint8_t* q = b.qs + 32 * chunk;
      for (int l = 0; l < 32; ++l) {
        const int high_lo = (b.qh[l] >> (2 * chunk)) & 1;
        const int high_hi = (b.qh[l] >> (2 * chunk + 1)) & 1;
        const int v_lo = (q[l] & 0x0F) + 16 * high_lo;
        const int v_hi = (q[l] >> 4) + 16 * high_hi;
        y[64 * chunk + l] = d1 * static_cast<float>(v_lo) - min1;
        y[64 * chunk + 32 + l] = d2 * static_cast<float>(v_hi) - min2;
      }
    }
  }
}

void DequantizeQ6_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ6_K>(src, i);
    const float d = Fp16ToFp32(b.d);
    for (int half = 0; half < 2; ++half) {  // 128 outputs each
      const uint8_t* ql = b.ql + 64 * half;
      const uint8_t* qh = b.qh + 32 * half;
      const int8_t* sc = b.scales + 8 * half;
      float* y = dst + i * kQK_K + 128 * half;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = (d * static_cast<float>(sc[is + 0])) * static_cast<float>(q1);
        y[l + 32] = (d * static_cast<float>(sc[is + 2])) * static_cast<float>(q2);
        y[l + 64] = (d * static_cast<float>(sc[is + 4])) * static_cast<float>(q3);
        y[l + 96] = (d * static_cast<float>(sc[is + 6])) * static_cast<float>(q4);
      }
    }
  }
}

void DequantizeQ8_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ8_K>(src, i);
    float* y = dst + i * kQK_K;
    for (int j = 0; j < kQK_K; ++j) y[j] = b.d * static_cast<float>(b.qs[j]);
  }
}

}  // namespace

void DequantizeRow(DType type, const void* src, float* dst, int64_t n) {
  CHECK(CanDequantize(type)) << "reference::DequantizeRow: unsupported type " << DTypeName(type);
  CHECK(n >= 0 && n % Traits(type).block_size == 0)
      << "reference::DequantizeRow: " << n << " elements is not a multiple of the "
      << DTypeName(type) << " block size";
  switch (type) {
    case DType::kF32:
      return DequantizeF32(src, dst, n);
    case DType::kF16:
      return DequantizeF16(src, dst, n);
    case DType::kBF16:
      return DequantizeBF16(src, dst, n);
    case DType::kQ4_0:
      return DequantizeQ4_0(src, dst, n);
    case DType::kQ4_1:
      return DequantizeQ4_1(src, dst, n);
    case DType::kQ5_0:
      return DequantizeQ5_0(src, dst, n);
    case DType::kQ5_1:
      return DequantizeQ5_1(src, dst, n);
    case DType::kQ8_0:
      return DequantizeQ8_0(src, dst, n);
    case DType::kQ2_K:
      return DequantizeQ2_K(src, dst, n);
    case DType::kQ3_K:
      return DequantizeQ3_K(src, dst, n);
    case DType::kQ4_K:
      return DequantizeQ4_K(src, dst, n);
    case DType::kQ5_K:
      return DequantizeQ5_K(src, dst, n);
    case DType::kQ6_K:
      return DequantizeQ6_K(src, dst, n);
    case DType::kQ8_K:
      return DequantizeQ8_K(src, dst, n);
    default:
      break;
  }
  CHECK(false) << "unreachable";
}

}  // namespace dsinfer::reference
