#include "engine/prefix_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace dsinfer::engine {
namespace {

TEST(PrefixCacheTest, ChainedHashDependsOnTheWholePrefix) {
  const std::vector<int32_t> a = {1, 2, 3, 4};
  const std::vector<int32_t> b = {1, 2, 3, 5};
  const BlockHash ha = ChainBlockHash(kRootBlockHash, a);
  EXPECT_EQ(ha, ChainBlockHash(kRootBlockHash, a));
  EXPECT_NE(ha, ChainBlockHash(kRootBlockHash, b));
  // The same block tokens after different parents hash differently.
  EXPECT_NE(ChainBlockHash(ha, a), ChainBlockHash(ChainBlockHash(kRootBlockHash, b), a));
}

TEST(PrefixCacheTest, FindVerifiesTokensAndParentSoCollisionsMiss) {
  PrefixCache cache;
  const std::vector<int32_t> tokens = {7, 8, 9, 10};
  const std::vector<int32_t> other = {7, 8, 9, 11};
  const BlockHash h = ChainBlockHash(kRootBlockHash, tokens);
  ASSERT_TRUE(cache.Insert(h, kRootBlockHash, tokens, 3));
  EXPECT_EQ(cache.Find(h, kRootBlockHash, tokens), 3);
  // A different block content under the same hash value (a forced collision) is a miss.
  EXPECT_EQ(cache.Find(h, kRootBlockHash, other), -1);
  EXPECT_EQ(cache.Find(h, h, tokens), -1);
  // A hash that is cached already, or a block that is, is not inserted twice.
  EXPECT_FALSE(cache.Insert(h, kRootBlockHash, tokens, 4));
  EXPECT_FALSE(cache.Insert(ChainBlockHash(kRootBlockHash, other), kRootBlockHash, other, 3));
  EXPECT_TRUE(cache.CheckConsistency().ok());
}

TEST(PrefixCacheTest, EvictsIdleBlocksLeastRecentlyUsedFirst) {
  PrefixCache cache;
  for (int32_t b = 0; b < 3; ++b) {
    const std::vector<int32_t> t = {b, b, b, b};
    ASSERT_TRUE(cache.Insert(ChainBlockHash(kRootBlockHash, t), kRootBlockHash, t, b));
  }
  cache.MarkIdle(2);
  cache.MarkIdle(0);
  cache.MarkIdle(1);
  cache.MarkInUse(0);  // a hit takes it off the idle list
  cache.MarkIdle(0);   // ... and releasing it makes it the most recently used
  EXPECT_EQ(cache.IdleBlocks(), (std::vector<int32_t>{2, 1, 0}));
  EXPECT_EQ(cache.EvictLeastRecentlyUsed(), 2);
  EXPECT_FALSE(cache.contains(2));
  const std::vector<int32_t> t2 = {2, 2, 2, 2};
  EXPECT_EQ(cache.Find(ChainBlockHash(kRootBlockHash, t2), kRootBlockHash, t2), -1);
  EXPECT_EQ(cache.EvictLeastRecentlyUsed(), 1);
  EXPECT_EQ(cache.EvictLeastRecentlyUsed(), 0);
  EXPECT_EQ(cache.EvictLeastRecentlyUsed(), -1);
  EXPECT_EQ(cache.num_cached(), 0u);
  EXPECT_TRUE(cache.CheckConsistency().ok());
}

}  // namespace
}  // namespace dsinfer::engine
