#include "engine/kv_block_manager.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/check.h"

namespace dsinfer::engine {

KvBlockManager::KvBlockManager(int32_t n_blocks, int block_size, bool enable_prefix_caching, BlockCopier* copier)
    : block_size_(block_size), prefix_caching_(enable_prefix_caching), copier_(copier), pool_(n_blocks) {
  CHECK(block_size > 0) << "block size must be positive";
}

int32_t KvBlockManager::AllocateBlock() {
  int32_t b = pool_.Allocate();
  if (b >= 0) return b;
  const int32_t evicted = cache_.EvictLeastRecentlyUsed();
  if (evicted < 0) return -1;
  ++evictions_;
  pool_.ReturnToFreeList(evicted);
  b = pool_.Allocate();
  CHECK_EQ(b, evicted);
  return b;
}

void KvBlockManager::AcquireBlock(int32_t block) {
  if (cache_.is_idle(block)) cache_.MarkInUse(block);
  pool_.Acquire(block);
}

void KvBlockManager::ReleaseBlock(int32_t block) {
  if (pool_.Release(block) > 0) return;
  if (cache_.contains(block)) {
    cache_.MarkIdle(block);
  } else {
    pool_.ReturnToFreeList(block);
  }
}

int64_t KvBlockManager::MatchPrefix(std::span<const int32_t> tokens, int64_t max_tokens, BlockTable* table) {
  CHECK(table->empty()) << "MatchPrefix needs an empty table";
  if (!prefix_caching_) return 0;
  const int64_t n_full = std::min<int64_t>(max_tokens, static_cast<int64_t>(tokens.size())) / block_size_;
  BlockHash parent = kRootBlockHash;
  for (int64_t i = 0; i < n_full; ++i) {
    const auto block_tokens = tokens.subspan(static_cast<size_t>(i * block_size_), static_cast<size_t>(block_size_));
    const BlockHash h = ChainBlockHash(parent, block_tokens);
    const int32_t b = cache_.Find(h, parent, block_tokens);
    if (b < 0) break;
    AcquireBlock(b);
    table->blocks.push_back(b);
    table->hashes.push_back(h);
    parent = h;
  }
  return static_cast<int64_t>(table->blocks.size()) * block_size_;
}

int32_t KvBlockManager::BlocksNeeded(const BlockTable& table, int64_t first_write, int64_t end) const {
  const int32_t have = static_cast<int32_t>(table.blocks.size());
  const int32_t want = BlocksFor(end);
  int32_t copies = 0;
  for (int32_t i = static_cast<int32_t>(first_write / block_size_); i < std::min(have, want); ++i) {
    if (pool_.ref_count(table.blocks[static_cast<size_t>(i)]) > 1) ++copies;
  }
  return std::max(0, want - have) + copies;
}

bool KvBlockManager::Reserve(BlockTable* table, int64_t first_write, int64_t end) {
  CHECK(first_write >= static_cast<int64_t>(table->hashes.size()) * block_size_)
      << "write at " << first_write << " into a committed full block";
  if (BlocksNeeded(*table, first_write, end) > num_available()) return false;
  const int32_t have = static_cast<int32_t>(table->blocks.size());
  const int32_t want = BlocksFor(end);
  for (int32_t i = static_cast<int32_t>(first_write / block_size_); i < std::min(have, want); ++i) {
    int32_t& slot = table->blocks[static_cast<size_t>(i)];
    if (pool_.ref_count(slot) == 1) continue;
    CHECK(copier_ != nullptr) << "copy-on-write needs a BlockCopier";
    const int32_t fresh = AllocateBlock();
    CHECK(fresh >= 0);
    copier_->CopyBlock(slot, fresh);
    ++copies_;
    ReleaseBlock(slot);
    slot = fresh;
  }
  for (int32_t i = have; i < want; ++i) {
    const int32_t b = AllocateBlock();
    CHECK(b >= 0);
    table->blocks.push_back(b);
  }
  return true;
}

void KvBlockManager::CommitFullBlocks(std::span<const int32_t> tokens, int64_t n_computed, BlockTable* table) {
  const size_t n_full = static_cast<size_t>(n_computed / block_size_);
  CHECK(n_full <= table->blocks.size()) << "computed positions beyond the block table";
  CHECK(static_cast<int64_t>(tokens.size()) >= n_computed);
  for (size_t i = table->hashes.size(); i < n_full; ++i) {
    const BlockHash parent = i == 0 ? kRootBlockHash : table->hashes[i - 1];
    const auto block_tokens = tokens.subspan(i * static_cast<size_t>(block_size_), static_cast<size_t>(block_size_));
    const BlockHash h = ChainBlockHash(parent, block_tokens);
    table->hashes.push_back(h);
    if (prefix_caching_) cache_.Insert(h, parent, block_tokens, table->blocks[i]);
  }
}

void KvBlockManager::Fork(const BlockTable& src, BlockTable* dst) {
  CHECK(dst->empty()) << "Fork needs an empty destination table";
  for (int32_t b : src.blocks) AcquireBlock(b);
  dst->blocks = src.blocks;
  dst->hashes = src.hashes;
}

void KvBlockManager::Free(BlockTable* table) {
  for (auto it = table->blocks.rbegin(); it != table->blocks.rend(); ++it) ReleaseBlock(*it);
  table->blocks.clear();
  table->hashes.clear();
}

Status CheckBlockOwnership(const KvBlockManager& kv, std::span<const BlockTable* const> owners) {
  const BlockPool& pool = kv.pool();
  const PrefixCache& cache = kv.cache();
  std::vector<int32_t> counts(static_cast<size_t>(pool.n_blocks()), 0);
  for (const BlockTable* t : owners) {
    for (int32_t b : t->blocks) {
      if (b < 0 || b >= pool.n_blocks()) return Internal("block table names block " + std::to_string(b) + " outside the pool");
      counts[static_cast<size_t>(b)]++;
    }
    if (t->hashes.size() > t->blocks.size()) return Internal("block table has more hashes than blocks");
  }
  for (int32_t b = 0; b < pool.n_blocks(); ++b) {
    const std::string name = "block " + std::to_string(b);
    const int32_t refs = pool.ref_count(b);
    if (refs != counts[static_cast<size_t>(b)]) {
      return Internal(name + " has reference count " + std::to_string(refs) + " but " +
                      std::to_string(counts[static_cast<size_t>(b)]) + " owners");
    }
    const bool free = pool.is_free(b);
    const bool idle = cache.is_idle(b);
    if (refs > 0 && (free || idle)) return Internal(name + " is owned but also " + (free ? "free" : "idle"));
    if (refs == 0 && free == idle) {
      return Internal(name + (free ? " is both free and idle in the prefix cache" : " is leaked (no owner, not free, not idle)"));
    }
    if (free && cache.contains(b)) return Internal(name + " is free but still indexed by the prefix cache");
  }
  return cache.CheckConsistency();
}

}  // namespace dsinfer::engine
