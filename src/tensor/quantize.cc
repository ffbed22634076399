// QuantizeRow: f32 -> every type dsinfer can write, following llama.cpp's reference quantizers
// (ggml-quants.c `quantize_row_*_ref`, which llama-quantize uses when no importance matrix is
// given). The float expressions are written in the same order as llama.cpp's and the target is
// compiled with -ffp-contract=off (as ISO C is by GCC), so results match llama-quantize byte for
// byte (tests/golden_dequant_test.cc checks F16, BF16, Q4_0, Q5_0, Q8_0, Q4_K, Q5_K, Q6_K).
//
// The K-quant scale searches live in quantize_k.cc.

#include <cfloat>
#include <cmath>
#include <cstring>

#include "base/check.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quant.h"
#include "tensor/quantize_k.h"

namespace dsinfer {

namespace {

template <typename Block>
inline void StoreBlock(const Block& b, void* dst, int64_t i) {
  std::memcpy(static_cast<uint8_t*>(dst) + i * sizeof(Block), &b, sizeof(Block));
}

void QuantizeF16(const float* x, void* dst, int64_t n) {
  auto* p = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t h = Fp32ToFp16(x[i]);
    std::memcpy(p + 2 * i, &h, 2);
  }
}

void QuantizeBF16(const float* x, void* dst, int64_t n) {
  auto* p = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t b = Fp32ToBf16(x[i]);
    std::memcpy(p + 2 * i, &b, 2);
  }
}

// MIN(hi, (int8_t)v) as llama.cpp writes it: truncation toward zero, then a clamp from above.
inline int TruncClampHigh(float v, int hi) {
  const int t = static_cast<int8_t>(static_cast<int>(v));
  return t < hi ? t : hi;
}

// The element of largest magnitude (the first one on ties), keeping its sign.
float SignedAbsMax(const float* x, int n) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void QuantizeQ4_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    const float max = SignedAbsMax(x, kQK4_0);
    const float d = max / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ4_0 b;
    b.d = Fp32ToFp16(d);
    for (int j = 0; j < 16; ++j) {
      const float x0 = x[j] * id;
      const float x1 = x[j + 16] * id;
      const int q0 = TruncClampHigh(x0 + 8.5f, 15);
      const int q1 = TruncClampHigh(x1 + 8.5f, 15);
      b.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    StoreBlock(b, dst, i);
  }
}

void QuantizeQ4_1(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    float min = FLT_MAX;
    float max = -FLT_MAX;
    for (int j = 0; j < kQK4_0; ++j) {
      if (x[j] < min) min = x[j];
      if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / 15;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ4_1 b;
    b.d = Fp32ToFp16(d);
    b.m = Fp32ToFp16(min);
    for (int j = 0; j < 16; ++j) {
      const float x0 = (x[j] - min) * id;
      const float x1 = (x[j + 16] - min) * id;
      const int q0 = TruncClampHigh(x0 + 0.5f, 15);
      const int q1 = TruncClampHigh(x1 + 0.5f, 15);
      b.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    StoreBlock(b, dst, i);
  }
}

void QuantizeQ5_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    const float max = SignedAbsMax(x, kQK4_0);
    const float d = max / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ5_0 b;
    b.d = Fp32ToFp16(d);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      const float x0 = x[j] * id;
      const float x1 = x[j + 16] * id;
      const int q0 = TruncClampHigh(x0 + 16.5f, 31);
      const int q1 = TruncClampHigh(x1 + 16.5f, 31);
      b.qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
      qh |= static_cast<uint32_t>((q0 >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((q1 >> 4) & 1) << (j + 16);
    }
    std::memcpy(b.qh, &qh, 4);
    StoreBlock(b, dst, i);
  }
}

void QuantizeQ5_1(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    float min = FLT_MAX;
    float max = -FLT_MAX;
    for (int j = 0; j < kQK4_0; ++j) {
      if (x[j] < min) min = x[j];
      if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / 31;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ5_1 b;
    b.d = Fp32ToFp16(d);
    b.m = Fp32ToFp16(min);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      const float x0 = (x[j] - min) * id;
      const float x1 = (x[j + 16] - min) * id;
      const int q0 = static_cast<uint8_t>(static_cast<int>(x0 + 0.5f));  // llama.cpp: no clamp
      const int q1 = static_cast<uint8_t>(static_cast<int>(x1 + 0.5f));
      b.qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
      qh |= static_cast<uint32_t>((q0 >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((q1 >> 4) & 1) << (j + 16);
    }
    std::memcpy(b.qh, &qh, 4);
    StoreBlock(b, dst, i);
  }
}

void QuantizeQ8_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    float amax = 0.0f;
    for (int j = 0; j < kQK4_0; ++j) {
      const float a = std::fabs(x[j]);
      amax = amax > a ? amax : a;
    }
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_0 b;
    b.d = Fp32ToFp16(d);
    for (int j = 0; j < kQK4_0; ++j) b.qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
    StoreBlock(b, dst, i);
  }
}

void QuantizeQ8_K(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    BlockQ8_K b{};
    const float max = SignedAbsMax(x, kQK_K);
    if (max != 0.0f) {
      const float iscale = -127.0f / max;
      for (int j = 0; j < kQK_K; ++j) {
        const int v = NearestInt(iscale * x[j]);
        b.qs[j] = static_cast<int8_t>(v < 127 ? v : 127);
      }
      for (int g = 0; g < kQK_K / 16; ++g) {
        int sum = 0;
        for (int l = 0; l < 16; ++l) sum += b.qs[16 * g + l];
        b.bsums[g] = static_cast<int16_t>(sum);
      }
      b.d = 1 / iscale;
    }
    StoreBlock(b, dst, i);
  }
}

}  // namespace

bool CanQuantize(DType type) {
  switch (type) {
    case DType::kF32:
    case DType::kF16:
    case DType::kBF16:
    case DType::kQ4_0:
    case DType::kQ4_1:
    case DType::kQ5_0:
    case DType::kQ5_1:
    case DType::kQ8_0:
    case DType::kQ4_K:
    case DType::kQ5_K:
    case DType::kQ6_K:
    case DType::kQ8_K:
      return true;
    default:
      return false;
  }
}

void QuantizeRow(DType type, const float* src, void* dst, int64_t n) {
  CHECK(CanQuantize(type)) << "QuantizeRow: cannot quantize to " << DTypeName(type);
  CHECK(n >= 0 && n % Traits(type).block_size == 0)
      << "QuantizeRow: " << n << " elements is not a multiple of the " << DTypeName(type)
      << " block size";
  switch (type) {
    case DType::kF32:
      std::memcpy(dst, src, n * sizeof(float));
      return;
    case DType::kF16:
      return QuantizeF16(src, dst, n);
    case DType::kBF16:
      return QuantizeBF16(src, dst, n);
    case DType::kQ4_0:
      return QuantizeQ4_0(src, dst, n);
    case DType::kQ4_1:
      return QuantizeQ4_1(src, dst, n);
    case DType::kQ5_0:
      return QuantizeQ5_0(src, dst, n);
    case DType::kQ5_1:
      return QuantizeQ5_1(src, dst, n);
    case DType::kQ8_0:
      return QuantizeQ8_0(src, dst, n);
    case DType::kQ4_K:
      return QuantizeRowQ4_K(src, dst, n);
    case DType::kQ5_K:
      return QuantizeRowQ5_K(src, dst, n);
    case DType::kQ6_K:
      return QuantizeRowQ6_K(src, dst, n);
    case DType::kQ8_K:
      return QuantizeQ8_K(src, dst, n);
    default:
      break;
  }
  CHECK(false) << "unreachable";
}

}  // namespace dsinfer
