// KvBlockManager: who owns which KV block. Combines the BlockPool (reference counts, free list)
// with the PrefixCache (full blocks findable by content, idle LRU) and performs the block-level
// operations of the scheduler: prefix matching, reserving blocks for the next tokens (with
// copy-on-write of a shared, partially filled block), registering full blocks, forking and
// freeing tables.
//
// Ownership rules (checked by CheckBlockOwnership):
//   * a block's reference count equals the number of BlockTable entries naming it;
//   * a block with count 0 is either on the free list or idle in the prefix cache, never both;
//   * blocks with count > 0 are neither free nor idle;
//   * positions are written only into blocks with count 1 (Reserve copies shared ones first), and
//     blocks registered in the prefix cache are never written again.
// Allocation takes a free block, else evicts the least recently used idle cached block.
//
// Thread-safety: none; the engine thread is the only user.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.h"
#include "engine/block_pool.h"
#include "engine/block_table.h"
#include "engine/prefix_cache.h"

namespace dsinfer::engine {

// Copies the KV contents of one block into another (all layers, all slots). Implemented over the
// real KvCache by the model executor and by fakes in tests.
class BlockCopier {
 public:
  virtual ~BlockCopier() = default;
  virtual void CopyBlock(int32_t src, int32_t dst) = 0;
};

class KvBlockManager {
 public:
  // `copier` (not owned, may be null when nothing ever forks) must outlive the manager.
  KvBlockManager(int32_t n_blocks, int block_size, bool enable_prefix_caching, BlockCopier* copier);
  KvBlockManager(const KvBlockManager&) = delete;
  KvBlockManager& operator=(const KvBlockManager&) = delete;

  int block_size() const { return block_size_; }
  int32_t n_blocks() const { return pool_.n_blocks(); }
  bool prefix_caching() const { return prefix_caching_; }
  // Blocks an allocation can get now: free plus idle cached ones.
  int32_t num_available() const { return pool_.num_free() + static_cast<int32_t>(cache_.num_idle()); }
  int32_t num_free() const { return pool_.num_free(); }
  int32_t num_idle_cached() const { return static_cast<int32_t>(cache_.num_idle()); }
  int32_t num_used() const { return n_blocks() - num_available(); }
  uint64_t num_evictions() const { return evictions_; }
  uint64_t num_copies() const { return copies_; }

  // Blocks needed to hold `n_tokens` tokens.
  int32_t BlocksFor(int64_t n_tokens) const {
    return static_cast<int32_t>((n_tokens + block_size_ - 1) / block_size_);
  }

  // Fills the empty `table` with the longest run of cached full blocks holding
  // tokens[0, max_tokens), taking a reference on each; returns the number of tokens covered (a
  // multiple of the block size). Always 0 when prefix caching is off.
  int64_t MatchPrefix(std::span<const int32_t> tokens, int64_t max_tokens, BlockTable* table);

  // Blocks that Reserve(table, first_write, end) would take from the pool.
  int32_t BlocksNeeded(const BlockTable& table, int64_t first_write, int64_t end) const;
  // Makes `table` cover positions [0, end) with every block that positions [first_write, end)
  // fall in owned by this table alone: blocks are appended, and a shared block in that range is
  // copied into a fresh one first (copy-on-write). All or nothing: returns false and changes
  // nothing when too few blocks are available.
  bool Reserve(BlockTable* table, int64_t first_write, int64_t end);

  // Records the chained hashes of the full blocks among positions [0, n_computed) of `tokens`
  // (their KV is written) and offers them to the prefix cache.
  void CommitFullBlocks(std::span<const int32_t> tokens, int64_t n_computed, BlockTable* table);

  // Makes the empty `dst` share every block of `src` (one more reference each).
  void Fork(const BlockTable& src, BlockTable* dst);

  // Drops the table's references, last block first (so the tail of a cached prefix is evicted
  // before its head), and empties it.
  void Free(BlockTable* table);

  const BlockPool& pool() const { return pool_; }
  const PrefixCache& cache() const { return cache_; }

 private:
  int32_t AllocateBlock();
  void AcquireBlock(int32_t block);
  void ReleaseBlock(int32_t block);

  int block_size_;
  bool prefix_caching_;
  BlockCopier* copier_;
  BlockPool pool_;
  PrefixCache cache_;
  uint64_t evictions_ = 0;
  uint64_t copies_ = 0;
};

// Checks the ownership rules above against the complete list of owners' tables. Returns an
// Internal error naming the first offending block. O(n_blocks + total table length).
Status CheckBlockOwnership(const KvBlockManager& kv, std::span<const BlockTable* const> owners);

}  // namespace dsinfer::engine
