// Tests of the quantized formats: every fast dequantizer equals the scalar reference bit for bit
// on random blocks of several row lengths; quantize -> dequantize errors on Gaussian data stay
// within per-type bounds; hand-computed Q8_0/Q4_0 blocks; dispatch and error messages.

#include "tensor/quant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/cpu_features.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/x86/dequant_x86.h"

namespace dsinfer {
namespace {

constexpr DType kDequantizableTypes[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1,
    DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kQ2_K, DType::kQ3_K,
    DType::kQ4_K, DType::kQ5_K, DType::kQ6_K, DType::kQ8_K,
};

constexpr DType kQuantizableTypes[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1, DType::kQ5_0,
    DType::kQ5_1, DType::kQ8_0, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K, DType::kQ8_K,
};

std::string TypeParamName(const testing::TestParamInfo<DType>& info) {
  return DTypeName(info.param);
}

// Byte offsets of the fp16 scale fields inside one block of `type` (spec §2).
std::vector<size_t> Fp16FieldOffsets(DType type) {
  switch (type) {
    case DType::kQ4_0:
      return {offsetof(BlockQ4_0, d)};
    case DType::kQ4_1:
      return {offsetof(BlockQ4_1, d), offsetof(BlockQ4_1, m)};
    case DType::kQ5_0:
      return {offsetof(BlockQ5_0, d)};
    case DType::kQ5_1:
      return {offsetof(BlockQ5_1, d), offsetof(BlockQ5_1, m)};
    case DType::kQ8_0:
      return {offsetof(BlockQ8_0, d)};
    case DType::kQ2_K:
      return {offsetof(BlockQ2_K, d), offsetof(BlockQ2_K, dmin)};
    case DType::kQ3_K:
      return {offsetof(BlockQ3_K, d)};
    case DType::kQ4_K:
      return {offsetof(BlockQ4_K, d), offsetof(BlockQ4_K, dmin)};
    case DType::kQ5_K:
      return {offsetof(BlockQ5_K, d), offsetof(BlockQ5_K, dmin)};
    case DType::kQ6_K:
      return {offsetof(BlockQ6_K, d)};
    default:
      return {};
  }
}

// A row of `n` elements of random bytes, except that block scales are finite: fp16 scales get a
// random finite bit pattern (subnormals included), the f32 scale of Q8_K a finite random value.
// F32/F16/BF16 rows are fully random (NaN and inf included).
std::vector<uint8_t> RandomRow(DType type, int64_t n, std::mt19937& rng) {
  const auto& traits = Traits(type);
  std::vector<uint8_t> row(*RowBytes(type, n));
  for (auto& b : row) b = static_cast<uint8_t>(rng());
  const int64_t blocks = n / traits.block_size;
  for (int64_t i = 0; i < blocks; ++i) {
    uint8_t* block = row.data() + i * traits.type_size;
    for (size_t off : Fp16FieldOffsets(type)) {
      uint16_t h = static_cast<uint16_t>(rng());
      if ((h & 0x7C00) == 0x7C00) h ^= 0x4000;  // inf/NaN exponent -> finite
      std::memcpy(block + off, &h, 2);
    }
    if (type == DType::kQ8_K) {
      const float d = std::ldexp(static_cast<float>(rng() % 2001) - 1000.0f, -int(rng() % 20));
      std::memcpy(block + offsetof(BlockQ8_K, d), &d, 4);
    }
  }
  return row;
}

std::vector<int64_t> RowLengths(DType type) {
  const int64_t bs = Traits(type).block_size;
  if (bs == 1) return {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1000, 4097};
  return {bs, 2 * bs, 3 * bs, 5 * bs, 7 * bs, 16 * bs, 33 * bs};
}

// Compares float arrays by bit pattern, reporting the first difference.
::testing::AssertionResult SameBits(const std::vector<float>& want, const std::vector<float>& got) {
  for (size_t i = 0; i < want.size(); ++i) {
    uint32_t a, b;
    std::memcpy(&a, &want[i], 4);
    std::memcpy(&b, &got[i], 4);
    if (a != b) {
      return ::testing::AssertionFailure()
             << "element " << i << ": reference " << want[i] << " (0x" << std::hex << a << "), got "
             << got[i] << " (0x" << b << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

class DequantizeTest : public testing::TestWithParam<DType> {};

TEST_P(DequantizeTest, EveryImplementationMatchesReferenceBitForBit) {
  const DType type = GetParam();
  const CpuFeatures& cpu = GetCpuFeatures();
  struct Impl {
    const char* name;
    x86::DequantizeRowFn fn;
  };
  std::vector<Impl> impls;
  if (cpu.avx2 && x86::Avx2Dequantizer(type)) impls.push_back({"avx2", x86::Avx2Dequantizer(type)});
  if (cpu.avx512 && x86::Avx512Dequantizer(type)) {
    impls.push_back({"avx512", x86::Avx512Dequantizer(type)});
  }
  std::mt19937 rng(1234 + static_cast<int>(type));
  for (int64_t n : RowLengths(type)) {
    for (int rep = 0; rep < 4; ++rep) {
      const std::vector<uint8_t> row = RandomRow(type, n, rng);
      std::vector<float> want(n), got(n);
      reference::DequantizeRow(type, row.data(), want.data(), n);
      for (const Impl& impl : impls) {
        std::fill(got.begin(), got.end(), -1.0f);
        impl.fn(row.data(), got.data(), n);
        EXPECT_TRUE(SameBits(want, got)) << impl.name << ", n = " << n;
      }
      std::fill(got.begin(), got.end(), -1.0f);
      DequantizeRow(type, row.data(), got.data(), n);
      EXPECT_TRUE(SameBits(want, got))
          << "dispatched (" << DequantizeImplName(type) << "), n = " << n;
    }
  }
}

TEST_P(DequantizeTest, WorksOnUnalignedRows) {
  // Rows in a GGUF file are only 2-byte aligned relative to 32-byte tensor starts; the SIMD
  // versions must not assume more.
  const DType type = GetParam();
  std::mt19937 rng(99);
  const int64_t n = 4 * Traits(type).block_size;
  const std::vector<uint8_t> row = RandomRow(type, n, rng);
  std::vector<uint8_t> shifted(row.size() + 2);
  std::memcpy(shifted.data() + 2, row.data(), row.size());
  std::vector<float> want(n), got(n);
  reference::DequantizeRow(type, row.data(), want.data(), n);
  DequantizeRow(type, shifted.data() + 2, got.data(), n);
  EXPECT_TRUE(SameBits(want, got));
}

INSTANTIATE_TEST_SUITE_P(AllTypes, DequantizeTest, testing::ValuesIn(kDequantizableTypes),
                         TypeParamName);

// Relative RMS error sqrt(sum (y - x)^2 / sum x^2) of quantize -> dequantize.
double RoundTripRelativeRms(DType type, const std::vector<float>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(*RowBytes(type, n));
  std::vector<float> y(n);
  QuantizeRow(type, x.data(), q.data(), n);
  DequantizeRow(type, q.data(), y.data(), n);
  double err = 0, ref = 0;
  for (int64_t i = 0; i < n; ++i) {
    err += (static_cast<double>(y[i]) - x[i]) * (static_cast<double>(y[i]) - x[i]);
    ref += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(err / ref);
}

// Measured on 256 x 256 N(0, 1) values (seed 42, GCC 12 libstdc++ normal_distribution); each
// bound has about 25% headroom over the measured error. The quantizers reproduce llama-quantize
// byte for byte (tests/golden_dequant_test.cc), so these are llama.cpp's errors too.
struct ErrorBound {
  DType type;
  double max_relative_rms;
};
constexpr ErrorBound kErrorBounds[] = {
    // {type, bound},        measured error
    {DType::kF32, 0.0},      // 0
    {DType::kF16, 0.00027},  // 0.00021
    {DType::kBF16, 0.0021},  // 0.00166
    {DType::kQ8_0, 0.0068},  // 0.00538
    {DType::kQ8_K, 0.0087},  // 0.00694
    {DType::kQ6_K, 0.022},   // 0.01772
    {DType::kQ5_1, 0.047},   // 0.03790
    {DType::kQ5_0, 0.053},   // 0.04267
    {DType::kQ5_K, 0.045},   // 0.03614
    {DType::kQ4_1, 0.098},   // 0.07808
    {DType::kQ4_0, 0.107},   // 0.08588
    {DType::kQ4_K, 0.089},   // 0.07147
};

TEST(QuantizeTest, RoundTripErrorOnGaussianDataIsBounded) {
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(256 * 256);
  for (auto& v : x) v = normal(rng);
  for (const ErrorBound& bound : kErrorBounds) {
    const double rms = RoundTripRelativeRms(bound.type, x);
    std::printf("[ measured ] %-5s relative RMS error %.5f (bound %.5f)\n", DTypeName(bound.type),
                rms, bound.max_relative_rms);
    EXPECT_LE(rms, bound.max_relative_rms) << DTypeName(bound.type);
  }
}

class QuantizeTypeTest : public testing::TestWithParam<DType> {};

TEST_P(QuantizeTypeTest, ZeroRowsStayZero) {
  const DType type = GetParam();
  const int64_t n = 2 * 256;
  std::vector<float> x(n, 0.0f), y(n, 1.0f);
  std::vector<uint8_t> q(*RowBytes(type, n));
  QuantizeRow(type, x.data(), q.data(), n);
  DequantizeRow(type, q.data(), y.data(), n);
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(y[i], 0.0f) << i;
}

TEST_P(QuantizeTypeTest, OutputIsFiniteForAwkwardRows) {
  // Constant rows, one spike among zeros, tiny and large magnitudes, all-negative rows.
  const DType type = GetParam();
  const int64_t n = 256;
  std::vector<std::vector<float>> rows;
  rows.push_back(std::vector<float>(n, 0.75f));
  rows.push_back(std::vector<float>(n, -3.0f));
  std::vector<float> spike(n, 0.0f);
  spike[77] = 5.0f;
  rows.push_back(spike);
  std::vector<float> ramp(n);
  for (int64_t i = 0; i < n; ++i) ramp[i] = (i - 128) * 1e-6f;
  rows.push_back(ramp);
  for (int64_t i = 0; i < n; ++i) ramp[i] = (i - 128) * 100.0f;
  rows.push_back(ramp);
  for (const auto& x : rows) {
    std::vector<uint8_t> q(*RowBytes(type, n));
    std::vector<float> y(n);
    QuantizeRow(type, x.data(), q.data(), n);
    DequantizeRow(type, q.data(), y.data(), n);
    double err = 0, ref = 0;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_TRUE(std::isfinite(y[i])) << i;
      err += (double(y[i]) - x[i]) * (double(y[i]) - x[i]);
      ref += double(x[i]) * x[i];
    }
    EXPECT_LE(std::sqrt(err / ref), 0.35) << "first value " << x[0];
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, QuantizeTypeTest, testing::ValuesIn(kQuantizableTypes),
                         TypeParamName);

TEST(QuantizeTest, Q8_0MatchesHandComputedBlock) {
  // amax = 1.0 -> d = 1/127, stored as fp16 0x2008 (2^-7 * (1 + 8/1024) = 0.00787353515625);
  // id = 1/d computed from the unrounded d = 127; q[j] = roundf(x[j] * 127), halves away from 0.
  float x[32];
  x[0] = 1.0f;
  for (int j = 1; j < 32; ++j) x[j] = (j % 2 ? -1.0f : 1.0f) * static_cast<float>(j) / 32.0f;
  // x[j] * 127 = +-3.96875 j: 1 -> -3.97 -> -4, 2 -> 7.94 -> 8, 3 -> -11.9 -> -12, ...;
  // j = 16 is an exact tie (63.5) and rounds away from zero to 64.
  const int8_t want_qs[32] = {127, -4,  8,   -12, 16,  -20,  24,  -28,  32,  -36, 40,
                              -44, 48,  -52, 56,  -60, 64,   -67, 71,   -75, 79,  -83,
                              87,  -91, 95,  -99, 103, -107, 111, -115, 119, -123};
  uint8_t block[34];
  QuantizeRow(DType::kQ8_0, x, block, 32);
  uint16_t d;
  std::memcpy(&d, block, 2);
  EXPECT_EQ(d, 0x2008);
  for (int j = 0; j < 32; ++j) {
    EXPECT_EQ(static_cast<int8_t>(block[2 + j]), want_qs[j]) << j;
  }
}

TEST(QuantizeTest, Q8_0RoundsHalfwayAwayFromZero) {
  // amax = 127 -> d = 1, id = 1: q = roundf(x).
  float x[32] = {127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 1.49f, -1.51f};
  uint8_t block[34];
  QuantizeRow(DType::kQ8_0, x, block, 32);
  const int8_t want[7] = {127, 3, -3, 1, -1, 1, -2};
  for (int j = 0; j < 7; ++j) EXPECT_EQ(static_cast<int8_t>(block[2 + j]), want[j]) << j;
  uint16_t d;
  std::memcpy(&d, block, 2);
  EXPECT_EQ(d, 0x3C00);  // 1.0
}

TEST(QuantizeTest, Q4_0UsesSignedMaximum) {
  // The element of largest magnitude is -8, so d = -8 / -8 = 1 and q = trunc(x + 8.5).
  float x[32];
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 16 - 8);
  uint8_t block[18];
  QuantizeRow(DType::kQ4_0, x, block, 32);
  uint16_t d;
  std::memcpy(&d, block, 2);
  EXPECT_EQ(d, 0x3C00);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(block[2 + j], j | (j << 4)) << j;
  // A positive maximum gives a negative d: 8 -> d = -1, q(8) = 0 -> (0 - 8) * -1 = 8.
  x[0] = 8.0f;
  QuantizeRow(DType::kQ4_0, x, block, 32);
  std::memcpy(&d, block, 2);
  EXPECT_EQ(d, 0xBC00);
  float y[32];
  DequantizeRow(DType::kQ4_0, block, y, 32);
  EXPECT_EQ(y[0], 8.0f);
}

TEST(QuantizeTest, HalfTypesRoundTripRepresentableValuesExactly) {
  std::vector<float> x = {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 0.000061035156f, 3.140625f, -7.0f};
  for (DType type : {DType::kF16, DType::kBF16, DType::kF32}) {
    std::vector<uint8_t> q(*RowBytes(type, x.size()));
    std::vector<float> y(x.size());
    QuantizeRow(type, x.data(), q.data(), x.size());
    DequantizeRow(type, q.data(), y.data(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      if (type == DType::kBF16 && x[i] == 65504.0f) continue;  // not a bf16 value
      EXPECT_EQ(y[i], x[i]) << DTypeName(type) << " " << i;
    }
  }
}

TEST(QuantTest, CanDequantizeAgreesWithTypeTable) {
  for (uint32_t id = 0; id < 64; ++id) {
    const auto traits = LookupDType(id);
    if (!traits) continue;
    EXPECT_EQ(CanDequantize(traits->type), traits->dequantizable) << traits->name;
  }
  EXPECT_TRUE(CanQuantize(DType::kQ4_K));
  EXPECT_FALSE(CanQuantize(DType::kQ2_K));
  EXPECT_FALSE(CanQuantize(DType::kIQ2_XXS));
}

TEST(QuantTest, CheckDequantizableNamesTensorAndSupportedTypes) {
  EXPECT_TRUE(CheckDequantizable(DType::kQ4_K, "blk.0.attn_q.weight").ok());
  const Status st = CheckDequantizable(DType::kIQ2_XXS, "blk.0.ffn_down_exps.weight");
  EXPECT_EQ(st.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(st.message(),
            "blk.0.ffn_down_exps.weight: tensor type IQ2_XXS is not supported (supported: F32, "
            "F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K)");
}

TEST(QuantTest, FastPathsExistForTheMainTypes) {
#if defined(__x86_64__)
  const CpuFeatures& cpu = GetCpuFeatures();
  for (DType type : {DType::kF16, DType::kBF16, DType::kQ4_0, DType::kQ8_0, DType::kQ5_0,
                     DType::kQ4_K, DType::kQ5_K, DType::kQ6_K}) {
    if (cpu.avx2) {
      EXPECT_NE(x86::Avx2Dequantizer(type), nullptr) << DTypeName(type);
    }
    if (cpu.avx512) {
      EXPECT_NE(x86::Avx512Dequantizer(type), nullptr) << DTypeName(type);
    }
    const std::string want = cpu.avx512 ? "avx512" : cpu.avx2 ? "avx2" : "scalar";
    EXPECT_EQ(DequantizeImplName(type), want) << DTypeName(type);
  }
  EXPECT_STREQ(DequantizeImplName(DType::kQ2_K), "scalar");  // reference only
#endif
  EXPECT_STREQ(DequantizeImplName(DType::kIQ2_XXS), "none");
}

}  // namespace
}  // namespace dsinfer
