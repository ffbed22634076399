#include "model/kv_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace dsinfer {
namespace {

TEST(KvCacheTest, RowsRoundTripPerTypeAndDoNotOverlap) {
  for (DType type : {DType::kF32, DType::kF16, DType::kBF16}) {
    KvLayout layout{3, 5, 4};
    auto kv = KvCache::Create(layout, 4, 2, type);
    ASSERT_TRUE(kv.ok());
    // Fill every row with a distinct pattern, then read all back.
    auto value = [](int l, int b, int s, int i, bool v) { return float(l * 1000 + b * 100 + s * 10 + i) * (v ? -1 : 1) / 8; };
    for (int l = 0; l < 3; ++l)
      for (int b = 0; b < 2; ++b)
        for (int s = 0; s < 4; ++s) {
          std::vector<float> k(5), v(4);
          for (int i = 0; i < 5; ++i) k[i] = value(l, b, s, i, false);
          for (int i = 0; i < 4; ++i) v[i] = value(l, b, s, i, true);
          kv->WriteK(l, b, s, k.data());
          kv->WriteV(l, b, s, v.data());
        }
    std::vector<float> scratch(5);
    for (int l = 0; l < 3; ++l)
      for (int b = 0; b < 2; ++b)
        for (int s = 0; s < 4; ++s) {
          const float* k = kv->ReadK(l, b, s, scratch.data());
          for (int i = 0; i < 5; ++i) {
            const float want = value(l, b, s, i, false);
            EXPECT_NEAR(k[i], want, std::abs(want) * (type == DType::kBF16 ? 8e-3 : 1e-3)) << DTypeName(type);
          }
          const float* v = kv->ReadV(l, b, s, scratch.data());
          for (int i = 0; i < 4; ++i) {
            const float want = value(l, b, s, i, true);
            EXPECT_NEAR(v[i], want, std::abs(want) * (type == DType::kBF16 ? 8e-3 : 1e-3)) << DTypeName(type);
          }
        }
    EXPECT_EQ(kv->bytes_per_token(), 3u * 9u * Traits(type).type_size);
  }
}

TEST(KvCacheTest, RejectsQuantizedTypesAndEmptyPools) {
  EXPECT_FALSE(KvCache::Create({1, 4, 0}, 16, 4, DType::kQ8_0).ok());
  EXPECT_FALSE(KvCache::Create({1, 4, 0}, 16, 0, DType::kF16).ok());
}

}  // namespace
}  // namespace dsinfer
