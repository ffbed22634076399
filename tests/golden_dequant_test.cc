// Dequantization and quantization against the golden models made by llama.cpp:
//  * every tensor of every golden model, dequantized by DequantizeRow (fast path) and by
//    reference::DequantizeRow, equals an independent per-element decoder written here directly
//    from spec §2 (element-at-index formulas, its own fp16 decoding), bit for bit;
//  * quantizing the F32 models' tensors reproduces llama-quantize's bytes for Q8_0 (and F16 and
//    BF16) exactly, and the K-quant / Q4_0 / Q5_0 tensors block for block (same algorithms).
// Skips when ../shared/golden is absent.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gguf/reader.h"
#include "tensor/dtype.h"
#include "tensor/quant.h"
#include "testing/golden.h"

namespace dsinfer {
namespace {

// ---- Independent decoder (spec §2), one element at a time -------------------------------------

uint16_t U16At(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

// IEEE binary16 -> float from the definition: (-1)^s * 2^(e-15) * 1.m, subnormals 2^-14 * 0.m.
float HalfValue(uint16_t h) {
  const int sign = h >> 15;
  const int exponent = (h >> 10) & 0x1F;
  const int mantissa = h & 0x3FF;
  float magnitude;
  if (exponent == 0x1F) {
    if (mantissa != 0) {  // NaN: quiet, payload in the top mantissa bits
      const uint32_t bits = (static_cast<uint32_t>(sign) << 31) | 0x7FC00000u |
                            (static_cast<uint32_t>(mantissa) << 13);
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    magnitude = INFINITY;
  } else if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  } else {
    magnitude = std::ldexp(static_cast<float>(1024 + mantissa), exponent - 25);
  }
  return sign ? -magnitude : magnitude;
}

float HalfAt(const uint8_t* p) { return HalfValue(U16At(p)); }

int Bit(int byte, int index) { return (byte >> index) & 1; }

// Element k of a row of `type` starting at `row`.
float DecodeElement(DType type, const uint8_t* row, int64_t k) {
  switch (type) {
    case DType::kF32: {
      float f;
      std::memcpy(&f, row + 4 * k, 4);
      return f;
    }
    case DType::kF16:
      return HalfAt(row + 2 * k);
    case DType::kBF16: {
      const uint32_t bits = static_cast<uint32_t>(U16At(row + 2 * k)) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    default:
      break;
  }
  const int64_t bs = Traits(type).block_size;
  const uint8_t* b = row + (k / bs) * Traits(type).type_size;
  const int j = static_cast<int>(k % bs);
  // Q4_0-family: low nibble of byte j for j < 16, high nibble of byte j - 16 otherwise.
  auto nibble = [&](const uint8_t* qs) { return j < 16 ? (qs[j] & 15) : (qs[j - 16] >> 4); };
  switch (type) {
    case DType::kQ4_0:
      return static_cast<float>(nibble(b + 2) - 8) * HalfAt(b);
    case DType::kQ4_1:
      return static_cast<float>(nibble(b + 4)) * HalfAt(b) + HalfAt(b + 2);
    case DType::kQ5_0: {
      const uint32_t qh = b[2] | (b[3] << 8) | (b[4] << 16) | (static_cast<uint32_t>(b[5]) << 24);
      const int q = nibble(b + 6) + 16 * static_cast<int>((qh >> j) & 1);
      return static_cast<float>(q - 16) * HalfAt(b);
    }
    case DType::kQ5_1: {
      const uint32_t qh = b[4] | (b[5] << 8) | (b[6] << 16) | (static_cast<uint32_t>(b[7]) << 24);
      const int q = nibble(b + 8) + 16 * static_cast<int>((qh >> j) & 1);
      return static_cast<float>(q) * HalfAt(b) + HalfAt(b + 2);
    }
    case DType::kQ8_0:
      return static_cast<float>(static_cast<int8_t>(b[2 + j])) * HalfAt(b);
    case DType::kQ2_K: {  // scales[16] qs[64] d dmin
      const int n = j / 128, shift_group = (j % 128) / 32, part = (j % 32) / 16, l = j % 16;
      const int s = b[8 * n + 2 * shift_group + part];
      const int q = (b[16 + 32 * n + 16 * part + l] >> (2 * shift_group)) & 3;
      const float d = HalfAt(b + 80) * static_cast<float>(s & 15);
      return d * static_cast<float>(q) - HalfAt(b + 82) * static_cast<float>(s >> 4);
    }
    case DType::kQ3_K: {  // hmask[32] qs[64] scales[12] d
      const int n = j / 128, shift_group = (j % 128) / 32, part = (j % 32) / 16, l = j % 16;
      const int i = 8 * n + 2 * shift_group + part;  // scale index
      const uint8_t* s = b + 96;
      const int low4 = i < 8 ? (s[i] & 15) : (s[i - 8] >> 4);
      const int scale = (low4 | (((s[8 + i % 4] >> (2 * (i / 4))) & 3) << 4)) - 32;
      const int low2 = (b[32 + 32 * n + 16 * part + l] >> (2 * shift_group)) & 3;
      const int q = low2 - (Bit(b[16 * part + l], 4 * n + shift_group) ? 0 : 4);
      return (HalfAt(b + 108) * static_cast<float>(scale)) * static_cast<float>(q);
    }
    case DType::kQ4_K:
    case DType::kQ5_K: {  // d dmin scales[12] (qh[32]) qs[128]
      const int c = j / 64, high = (j % 64) / 32, l = j % 32, sub = 2 * c + high;
      const uint8_t* s = b + 4;
      const int sc = sub < 4 ? (s[sub] & 63) : ((s[sub + 4] & 15) | ((s[sub - 4] >> 6) << 4));
      const int m = sub < 4 ? (s[sub + 4] & 63) : ((s[sub + 4] >> 4) | ((s[sub] >> 6) << 4));
      const uint8_t* qs = b + (type == DType::kQ4_K ? 16 : 48);
      int q = high ? (qs[32 * c + l] >> 4) : (qs[32 * c + l] & 15);
      if (type == DType::kQ5_K) q += 16 * Bit(b[16 + l], sub);
      return (HalfAt(b) * static_cast<float>(sc)) * static_cast<float>(q) -
             HalfAt(b + 2) * static_cast<float>(m);
    }
    case DType::kQ6_K: {  // ql[128] qh[64] scales[16] d
      const int n = j / 128, g = (j % 128) / 32, l = j % 32;
      const uint8_t ql = b[64 * n + (g % 2) * 32 + l];
      const int low4 = g < 2 ? (ql & 15) : (ql >> 4);
      const int high2 = (b[128 + 32 * n + l] >> (2 * g)) & 3;
      const int sc = static_cast<int8_t>(b[192 + 8 * n + l / 16 + 2 * g]);
      return (HalfAt(b + 208) * static_cast<float>(sc)) *
             static_cast<float>((low4 | (high2 << 4)) - 32);
    }
    case DType::kQ8_K: {
      float d;
      std::memcpy(&d, b, 4);
      return d * static_cast<float>(static_cast<int8_t>(b[4 + j]));
    }
    default:
      break;
  }
  ADD_FAILURE() << "no independent decoder for " << DTypeName(type);
  return 0.0f;
}

uint32_t BitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

std::vector<std::string> GoldenModels(const std::string& golden) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(golden + "/models")) {
    if (entry.path().extension() == ".gguf") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(GoldenDequantTest, EveryTensorMatchesIndependentDecoder) {
  DSINFER_REQUIRE_GOLDEN(golden);
  std::map<std::string, int> tensors_per_type;
  for (const std::string& path : GoldenModels(golden)) {
    SCOPED_TRACE(path);
    auto file = gguf::GgufFile::Open(path);
    ASSERT_TRUE(file.ok()) << file.status().message();
    for (const gguf::TensorInfo& t : file->tensors()) {
      ASSERT_TRUE(CheckDequantizable(t.type, t.name).ok()) << t.name;
      const int64_t n = t.ne[0];
      const uint64_t row_bytes = *RowBytes(t.type, n);
      std::vector<float> fast(n), ref(n);
      int64_t mismatches = 0;
      for (int64_t r = 0; r < t.n_rows(); ++r) {
        const uint8_t* row = t.data + r * row_bytes;
        DequantizeRow(t.type, row, fast.data(), n);
        reference::DequantizeRow(t.type, row, ref.data(), n);
        for (int64_t k = 0; k < n; ++k) {
          const uint32_t want = BitsOf(DecodeElement(t.type, row, k));
          if (BitsOf(fast[k]) != want || BitsOf(ref[k]) != want) {
            if (++mismatches <= 3) {
              ADD_FAILURE() << t.name << " (" << DTypeName(t.type) << ") row " << r << " element "
                            << k << ": independent " << DecodeElement(t.type, row, k) << ", fast "
                            << fast[k] << ", reference " << ref[k];
            }
          }
        }
      }
      EXPECT_EQ(mismatches, 0) << t.name;
      ++tensors_per_type[DTypeName(t.type)];
    }
  }
  // The golden set covers every weight type the DeepSeek GGUFs use.
  for (const char* type : {"F32", "F16", "BF16", "Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q5_K", "Q6_K"}) {
    EXPECT_GT(tensors_per_type[type], 0) << type;
  }
  for (const auto& [type, count] : tensors_per_type) {
    std::printf("[ checked  ] %-5s %d tensors\n", type.c_str(), count);
  }
}

// Quantizes every tensor of `f32_model` that `quantized_model` stores in a type dsinfer can
// quantize (except F32 copies) and compares the bytes block by block.
struct ReproductionCount {
  int64_t blocks = 0;
  int64_t identical_blocks = 0;
};

std::map<DType, ReproductionCount> CompareWithLlamaQuantize(const std::string& f32_model,
                                                            const std::string& quantized_model) {
  std::map<DType, ReproductionCount> counts;
  auto source = gguf::GgufFile::Open(f32_model);
  auto target = gguf::GgufFile::Open(quantized_model);
  EXPECT_TRUE(source.ok()) << source.status().message();
  EXPECT_TRUE(target.ok()) << target.status().message();
  if (!source.ok() || !target.ok()) return counts;
  for (const gguf::TensorInfo& t : target->tensors()) {
    if (t.type == DType::kF32 || !CanQuantize(t.type)) continue;
    const gguf::TensorInfo* s = source->FindTensor(t.name);
    EXPECT_NE(s, nullptr) << t.name;
    if (s == nullptr) continue;
    EXPECT_EQ(s->type, DType::kF32) << t.name;
    EXPECT_EQ(s->n_elements(), t.n_elements()) << t.name;
    const int64_t n = t.ne[0];
    const uint64_t row_bytes = *RowBytes(t.type, n);
    const uint32_t block_bytes = Traits(t.type).type_size;
    std::vector<uint8_t> mine(row_bytes);
    ReproductionCount& count = counts[t.type];
    for (int64_t r = 0; r < t.n_rows(); ++r) {
      const auto* x = reinterpret_cast<const float*>(s->data + r * n * sizeof(float));
      QuantizeRow(t.type, x, mine.data(), n);
      const uint8_t* theirs = t.data + r * row_bytes;
      for (uint64_t off = 0; off < row_bytes; off += block_bytes) {
        ++count.blocks;
        count.identical_blocks += std::memcmp(mine.data() + off, theirs + off, block_bytes) == 0;
      }
    }
  }
  return counts;
}

TEST(GoldenDequantTest, Q8_0QuantizationReproducesLlamaQuantizeExactly) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const auto counts = CompareWithLlamaQuantize(golden + "/models/ds2-lite-mini-f32.gguf",
                                               golden + "/models/ds2-lite-mini-q8_0.gguf");
  ASSERT_TRUE(counts.count(DType::kQ8_0));
  const ReproductionCount& q8 = counts.at(DType::kQ8_0);
  EXPECT_GT(q8.blocks, 0);
  EXPECT_EQ(q8.identical_blocks, q8.blocks);
}

TEST(GoldenDequantTest, HalfQuantizationReproducesLlamaQuantizeExactly) {
  DSINFER_REQUIRE_GOLDEN(golden);
  for (const char* name : {"llama-mini-f16", "llama-mini-bf16"}) {
    SCOPED_TRACE(name);
    const auto counts = CompareWithLlamaQuantize(golden + "/models/llama-mini-f32.gguf",
                                                 golden + "/models/" + name + ".gguf");
    ASSERT_EQ(counts.size(), 1u);
    const ReproductionCount& c = counts.begin()->second;
    EXPECT_GT(c.blocks, 0);
    EXPECT_EQ(c.identical_blocks, c.blocks);
  }
}

TEST(GoldenDequantTest, OtherQuantTypesReproduceLlamaQuantize) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const std::pair<const char*, const char*> pairs[] = {
      {"ds2-lite-mini-f32", "ds2-lite-mini-q4_k_m"}, {"ds2-lite-mini-f32", "ds2-lite-mini-q6_k"},
      {"ds3-mini-f32", "ds3-mini-q4_k_m"},           {"llama-mini-f32", "llama-mini-q4_0"},
      {"qwen2-mini-f32", "qwen2-mini-q5_k_m"},
  };
  std::map<DType, ReproductionCount> total;
  for (const auto& [f32, quantized] : pairs) {
    SCOPED_TRACE(quantized);
    for (const auto& [type, c] : CompareWithLlamaQuantize(
             golden + "/models/" + f32 + ".gguf", golden + "/models/" + quantized + ".gguf")) {
      total[type].blocks += c.blocks;
      total[type].identical_blocks += c.identical_blocks;
    }
  }
  for (const auto& [type, c] : total) {
    std::printf("[ matched  ] %-5s %lld of %lld blocks identical to llama-quantize\n",
                DTypeName(type), static_cast<long long>(c.identical_blocks),
                static_cast<long long>(c.blocks));
    EXPECT_EQ(c.identical_blocks, c.blocks) << DTypeName(type);
  }
}

}  // namespace
}  // namespace dsinfer
