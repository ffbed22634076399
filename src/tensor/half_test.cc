// Tests of the f16/bf16 conversions: exhaustive round trips, IEEE rounding corner cases, and
// agreement with the x86 F16C instructions (which ggml uses when it is built with them).

#include "tensor/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace dsinfer {
namespace {

uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

bool IsHalfNan(uint16_t h) { return (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0; }

TEST(HalfTest, Fp16RoundTripsThroughFp32ForAllBitPatterns) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const float f = Fp16ToFp32(static_cast<uint16_t>(h));
    const uint16_t back = Fp32ToFp16(f);
    if (IsHalfNan(static_cast<uint16_t>(h))) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << h;
      ASSERT_TRUE(IsHalfNan(back)) << std::hex << h;
      ASSERT_EQ(back & 0x8000, h & 0x8000) << "sign of NaN " << std::hex << h;
    } else {
      ASSERT_EQ(back, h) << std::hex << h << " -> " << f;
    }
  }
}

TEST(HalfTest, Fp16ToFp32KnownValues) {
  EXPECT_EQ(Fp16ToFp32(0x3C00), 1.0f);
  EXPECT_EQ(Fp16ToFp32(0xC000), -2.0f);
  EXPECT_EQ(Fp16ToFp32(0x7BFF), 65504.0f);
  EXPECT_EQ(Fp16ToFp32(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_EQ(Fp16ToFp32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(Fp16ToFp32(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(Fp16ToFp32(0x3555), 0.333251953125f);
  EXPECT_EQ(Bits(Fp16ToFp32(0x8000)), 0x80000000u);  // -0
  EXPECT_EQ(Fp16ToFp32(0x7C00), INFINITY);
  EXPECT_EQ(Fp16ToFp32(0xFC00), -INFINITY);
  EXPECT_TRUE(std::isnan(Fp16ToFp32(0x7E00)));
  EXPECT_TRUE(std::isnan(Fp16ToFp32(0x7C01)));  // signalling NaN comes back as a NaN too
}

TEST(HalfTest, Fp32ToFp16RoundsToNearestEven) {
  const float ulp_at_one = std::ldexp(1.0f, -10);
  EXPECT_EQ(Fp32ToFp16(1.0f), 0x3C00);
  EXPECT_EQ(Fp32ToFp16(1.0f + ulp_at_one / 2), 0x3C00);                        // tie -> even (down)
  EXPECT_EQ(Fp32ToFp16(1.0f + 3 * ulp_at_one / 2), 0x3C02);                    // tie -> even (up)
  EXPECT_EQ(Fp32ToFp16(std::nextafter(1.0f + ulp_at_one / 2, 2.0f)), 0x3C01);  // above tie
  EXPECT_EQ(Fp32ToFp16(std::nextafter(1.0f + 3 * ulp_at_one / 2, 0.0f)), 0x3C01);
  EXPECT_EQ(Fp32ToFp16(-1.0f - ulp_at_one / 2), 0xBC00);
  EXPECT_EQ(Fp32ToFp16(0.1f), 0x2E66);
  EXPECT_EQ(Fp32ToFp16(1.0f / 127), 0x2008);
}

TEST(HalfTest, Fp32ToFp16OverflowAndUnderflow) {
  EXPECT_EQ(Fp32ToFp16(65504.0f), 0x7BFF);
  EXPECT_EQ(Fp32ToFp16(65519.0f), 0x7BFF);  // below the tie with 65536
  EXPECT_EQ(Fp32ToFp16(65520.0f), 0x7C00);  // tie between 65504 (odd) and 2^16 -> inf
  EXPECT_EQ(Fp32ToFp16(1e10f), 0x7C00);
  EXPECT_EQ(Fp32ToFp16(-1e10f), 0xFC00);
  EXPECT_EQ(Fp32ToFp16(INFINITY), 0x7C00);
  EXPECT_EQ(Fp32ToFp16(-INFINITY), 0xFC00);
  const float tiny = std::ldexp(1.0f, -24);  // smallest f16 subnormal
  EXPECT_EQ(Fp32ToFp16(tiny), 0x0001);
  EXPECT_EQ(Fp32ToFp16(tiny / 2), 0x0000);      // tie -> even (zero)
  EXPECT_EQ(Fp32ToFp16(3 * tiny / 2), 0x0002);  // tie -> even (2)
  EXPECT_EQ(Fp32ToFp16(std::nextafter(tiny / 2, 1.0f)), 0x0001);
  EXPECT_EQ(Fp32ToFp16(tiny / 4), 0x0000);
  EXPECT_EQ(Fp32ToFp16(-tiny / 4), 0x8000);  // keeps the sign of zero
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -14)), 0x0400);
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1023.5f, -24)), 0x0400);  // rounds up into the normals
  EXPECT_EQ(Fp32ToFp16(std::numeric_limits<float>::denorm_min()), 0x0000);
}

TEST(HalfTest, Fp32ToFp16NanIsCanonicalQuietNan) {
  EXPECT_EQ(Fp32ToFp16(FromBits(0x7FC00000)), 0x7E00);
  EXPECT_EQ(Fp32ToFp16(FromBits(0x7F800001)), 0x7E00);  // signalling
  EXPECT_EQ(Fp32ToFp16(FromBits(0xFFC12345)), 0xFE00);
}

#if defined(__x86_64__)
__attribute__((target("f16c"))) float HardwareFp16ToFp32(uint16_t h) { return _cvtsh_ss(h); }
__attribute__((target("f16c"))) uint16_t HardwareFp32ToFp16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, 0));
}

bool CpuHasF16c() {
  unsigned eax, ebx, ecx, edx;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
}

TEST(HalfTest, MatchesF16cForAllHalvesAndRandomFloats) {
  if (!CpuHasF16c()) GTEST_SKIP() << "CPU has no F16C";
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    ASSERT_EQ(Bits(Fp16ToFp32(static_cast<uint16_t>(h))),
              Bits(HardwareFp16ToFp32(static_cast<uint16_t>(h))))
        << std::hex << h;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000000; ++i) {
    uint32_t u = rng();
    if (i % 2) u = (u & 0x87FFFFFFu) | 0x30000000u;  // half the draws near the f16 range
    const float f = FromBits(u);
    const uint16_t want = HardwareFp32ToFp16(f);
    const uint16_t got = Fp32ToFp16(f);
    if (std::isnan(f)) {
      ASSERT_TRUE(IsHalfNan(got)) << std::hex << u;  // F16C keeps the payload, ggml does not
    } else {
      ASSERT_EQ(got, want) << std::hex << u;
    }
  }
}
#endif

TEST(HalfTest, Bf16RoundTripsForAllBitPatterns) {
  for (uint32_t b = 0; b <= 0xFFFF; ++b) {
    const float f = Bf16ToFp32(static_cast<uint16_t>(b));
    EXPECT_EQ(Bits(f), b << 16);
    const uint16_t back = Fp32ToBf16(f);
    if (std::isnan(f)) {
      ASSERT_EQ(back, static_cast<uint16_t>(b | 64)) << std::hex << b;  // quieted
    } else {
      ASSERT_EQ(back, b) << std::hex << b;
    }
  }
}

TEST(HalfTest, Fp32ToBf16RoundsToNearestEvenAndQuietsNans) {
  EXPECT_EQ(Fp32ToBf16(1.0f), 0x3F80);
  EXPECT_EQ(Fp32ToBf16(FromBits(0x3F808000)), 0x3F80);  // tie -> even (down)
  EXPECT_EQ(Fp32ToBf16(FromBits(0x3F818000)), 0x3F82);  // tie -> even (up)
  EXPECT_EQ(Fp32ToBf16(FromBits(0x3F808001)), 0x3F81);
  EXPECT_EQ(Fp32ToBf16(FromBits(0x3F807FFF)), 0x3F80);
  EXPECT_EQ(Fp32ToBf16(FromBits(0xBF818000)), 0xBF82);
  EXPECT_EQ(Fp32ToBf16(FromBits(0x7F7FFFFF)), 0x7F80);  // FLT_MAX rounds to inf
  EXPECT_EQ(Fp32ToBf16(INFINITY), 0x7F80);
  EXPECT_EQ(Fp32ToBf16(-INFINITY), 0xFF80);
  EXPECT_EQ(Fp32ToBf16(FromBits(0x00000001)), 0x0000);  // subnormals round like normals
  EXPECT_EQ(Fp32ToBf16(FromBits(0x00018000)), 0x0002);
  EXPECT_EQ(Fp32ToBf16(FromBits(0x7F800001)), 0x7FC0);  // signalling NaN -> quiet
  EXPECT_EQ(Fp32ToBf16(FromBits(0xFFC00000)), 0xFFC0);
  EXPECT_EQ(Fp32ToBf16(FromBits(0x7FFFFFFF)), 0x7FFF);  // payload kept
}

}  // namespace
}  // namespace dsinfer
