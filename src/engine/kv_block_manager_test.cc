#include "engine/kv_block_manager.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace dsinfer::engine {
namespace {

class RecordingCopier : public BlockCopier {
 public:
  void CopyBlock(int32_t src, int32_t dst) override { copies.emplace_back(src, dst); }
  std::vector<std::pair<int32_t, int32_t>> copies;
};

std::vector<int32_t> Iota(int n, int32_t from = 0) {
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = from + i;
  return v;
}

Status Check(const KvBlockManager& kv, std::vector<const BlockTable*> owners) {
  return CheckBlockOwnership(kv, owners);
}

TEST(KvBlockManagerTest, ReserveIsAllOrNothing) {
  KvBlockManager kv(4, 4, true, nullptr);
  BlockTable a;
  ASSERT_TRUE(kv.Reserve(&a, 0, 10));  // 3 blocks
  EXPECT_EQ(a.blocks.size(), 3u);
  BlockTable b;
  EXPECT_FALSE(kv.Reserve(&b, 0, 8));  // needs 2, 1 left
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(kv.num_available(), 1);
  ASSERT_TRUE(kv.Reserve(&a, 10, 12));  // still inside block 2
  EXPECT_EQ(a.blocks.size(), 3u);
  EXPECT_TRUE(Check(kv, {&a, &b}).ok());
  kv.Free(&a);
  EXPECT_EQ(kv.num_available(), 4);
  EXPECT_TRUE(Check(kv, {&a, &b}).ok());
}

TEST(KvBlockManagerTest, ForkSharesBlocksAndWritesCopyTheSharedPartialBlock) {
  RecordingCopier copier;
  KvBlockManager kv(8, 4, false, &copier);
  BlockTable parent;
  ASSERT_TRUE(kv.Reserve(&parent, 0, 6));  // blocks 0 (full) and 1 (2 of 4 slots)
  kv.CommitFullBlocks(Iota(6), 6, &parent);
  BlockTable child;
  kv.Fork(parent, &child);
  EXPECT_EQ(kv.pool().ref_count(0), 2);
  EXPECT_EQ(kv.BlocksNeeded(child, 6, 7), 1);
  ASSERT_TRUE(kv.Reserve(&child, 6, 7));
  ASSERT_EQ(copier.copies.size(), 1u);
  EXPECT_EQ(copier.copies[0].first, parent.blocks[1]);
  EXPECT_EQ(copier.copies[0].second, child.blocks[1]);
  EXPECT_NE(child.blocks[1], parent.blocks[1]);
  EXPECT_EQ(child.blocks[0], parent.blocks[0]);  // full blocks stay shared
  // The parent is now the only owner of its partial block and writes in place.
  ASSERT_TRUE(kv.Reserve(&parent, 6, 7));
  EXPECT_EQ(copier.copies.size(), 1u);
  EXPECT_EQ(kv.num_copies(), 1u);
  EXPECT_TRUE(Check(kv, {&parent, &child}).ok());
  kv.Free(&child);
  kv.Free(&parent);
  EXPECT_EQ(kv.num_available(), 8);
  EXPECT_TRUE(Check(kv, {}).ok());
}

TEST(KvBlockManagerTest, MatchPrefixReusesFullBlocksAndFreedOnesStayFindable) {
  KvBlockManager kv(8, 4, true, nullptr);
  const std::vector<int32_t> tokens = Iota(14, 100);
  BlockTable first;
  ASSERT_TRUE(kv.Reserve(&first, 0, 14));
  kv.CommitFullBlocks(tokens, 14, &first);  // blocks 0..2 are full and cached
  EXPECT_EQ(first.hashes.size(), 3u);
  kv.Free(&first);
  EXPECT_EQ(kv.num_idle_cached(), 3);
  EXPECT_EQ(kv.num_available(), 8);
  BlockTable second;
  // At most max_tokens tokens are matched, in whole blocks.
  EXPECT_EQ(kv.MatchPrefix(tokens, 11, &second), 8);
  EXPECT_EQ(kv.num_idle_cached(), 1);
  EXPECT_TRUE(Check(kv, {&second}).ok());
  kv.Free(&second);
  std::vector<int32_t> diverging = tokens;
  diverging[5] = 1;
  BlockTable third;
  EXPECT_EQ(kv.MatchPrefix(diverging, 14, &third), 4);
  kv.Free(&third);
  EXPECT_TRUE(Check(kv, {}).ok());
}

TEST(KvBlockManagerTest, AllocationEvictsTheTailOfAnIdlePrefixFirst) {
  KvBlockManager kv(4, 2, true, nullptr);
  const std::vector<int32_t> tokens = Iota(8);
  BlockTable t;
  ASSERT_TRUE(kv.Reserve(&t, 0, 8));
  kv.CommitFullBlocks(tokens, 8, &t);
  const std::vector<int32_t> blocks = t.blocks;
  kv.Free(&t);  // freed last block first: the tail is least recently used
  BlockTable other;
  ASSERT_TRUE(kv.Reserve(&other, 0, 2));
  EXPECT_EQ(other.blocks[0], blocks[3]);
  EXPECT_EQ(kv.num_evictions(), 1u);
  BlockTable again;
  EXPECT_EQ(kv.MatchPrefix(tokens, 8, &again), 6);  // the head is still cached
  EXPECT_TRUE(Check(kv, {&other, &again}).ok());
  kv.Free(&other);
  kv.Free(&again);
  EXPECT_EQ(kv.num_available(), 4);
}

TEST(KvBlockManagerTest, DuplicateContentIsNotRegisteredTwice) {
  KvBlockManager kv(8, 4, true, nullptr);
  const std::vector<int32_t> tokens = Iota(8);
  BlockTable a, b;
  ASSERT_TRUE(kv.Reserve(&a, 0, 8));
  ASSERT_TRUE(kv.Reserve(&b, 0, 8));
  kv.CommitFullBlocks(tokens, 8, &a);
  kv.CommitFullBlocks(tokens, 8, &b);
  EXPECT_EQ(kv.cache().num_cached(), 2u);
  kv.Free(&a);
  kv.Free(&b);
  EXPECT_EQ(kv.num_free(), 6);
  EXPECT_EQ(kv.num_idle_cached(), 2);
  EXPECT_TRUE(Check(kv, {}).ok());
}

TEST(KvBlockManagerTest, OwnershipCheckReportsLeaksAndMiscountedOwners) {
  KvBlockManager kv(4, 4, true, nullptr);
  BlockTable a;
  ASSERT_TRUE(kv.Reserve(&a, 0, 8));
  EXPECT_TRUE(Check(kv, {&a}).ok());
  const Status leaked = Check(kv, {});
  EXPECT_FALSE(leaked.ok());
  EXPECT_NE(leaked.message().find("block 0"), std::string::npos) << leaked.message();
  BlockTable doubled = a;  // two tables naming the same blocks with one reference each
  const Status twice = Check(kv, {&a, &doubled});
  EXPECT_FALSE(twice.ok());
  EXPECT_NE(twice.message().find("2 owners"), std::string::npos) << twice.message();
  kv.Free(&a);
}

}  // namespace
}  // namespace dsinfer::engine
