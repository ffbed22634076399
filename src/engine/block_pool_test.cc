#include "engine/block_pool.h"

#include <gtest/gtest.h>

namespace dsinfer::engine {
namespace {

TEST(BlockPoolTest, AllocatesLowestIdsFirstAndCountsReferences) {
  BlockPool pool(4);
  EXPECT_EQ(pool.num_free(), 4);
  EXPECT_EQ(pool.Allocate(), 0);
  EXPECT_EQ(pool.Allocate(), 1);
  EXPECT_EQ(pool.ref_count(1), 1);
  pool.Acquire(1);
  EXPECT_EQ(pool.ref_count(1), 2);
  EXPECT_EQ(pool.Release(1), 1);
  EXPECT_EQ(pool.Release(1), 0);
  EXPECT_FALSE(pool.is_free(1));  // the caller decides where a block with no references goes
  pool.ReturnToFreeList(1);
  EXPECT_TRUE(pool.is_free(1));
  EXPECT_EQ(pool.Release(0), 0);
  pool.ReturnToFreeList(0);
  EXPECT_EQ(pool.num_free(), 4);
}

TEST(BlockPoolTest, ReturnsMinusOneWhenExhausted) {
  BlockPool pool(2);
  pool.Allocate();
  pool.Allocate();
  EXPECT_EQ(pool.Allocate(), -1);
  EXPECT_EQ(pool.num_free(), 0);
}

TEST(BlockPoolDeathTest, MisuseIsAnInvariantFailure) {
  BlockPool pool(2);
  EXPECT_DEATH(pool.Acquire(0), "free block");
  EXPECT_DEATH(pool.Release(1), "no references");
  const int32_t b = pool.Allocate();
  pool.Release(b);
  pool.ReturnToFreeList(b);
  EXPECT_DEATH(pool.ReturnToFreeList(b), "");
}

}  // namespace
}  // namespace dsinfer::engine
