// PrefixCache: finds KV blocks that already hold a given run of tokens, so a request sharing a
// prefix with an earlier one skips that part of its prefill.
//
// Only full blocks are cached. A block is keyed by a hash chained over the token ids:
// hash_i = ChainBlockHash(hash_{i-1}, tokens of block i), with hash_{-1} = kRootBlockHash, so
// equal hashes mean equal prefixes up to and including the block. A hit is verified by
// comparing the block's tokens and its parent hash, so a hash collision is a miss, never wrong
// KV. Cached blocks whose reference count dropped to 0 are "idle" (see block_pool.h) and sit on
// an LRU list; the pool evicts the least recently used one when it runs out of free blocks.
//
// This class only keeps the index; reference counts live in the BlockPool and the KvBlockManager
// keeps the two in step. Thread-safety: none; the engine thread is the only user.
#pragma once

#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace dsinfer::engine {

using BlockHash = uint64_t;

inline constexpr BlockHash kRootBlockHash = 0x6a09e667f3bcc908ull;

// The chained hash of a block holding `tokens` whose predecessor's hash is `parent`.
BlockHash ChainBlockHash(BlockHash parent, std::span<const int32_t> tokens);

class PrefixCache {
 public:
  PrefixCache() = default;
  PrefixCache(const PrefixCache&) = delete;
  PrefixCache& operator=(const PrefixCache&) = delete;

  // The cached block with this hash, parent hash and tokens; -1 on a miss.
  int32_t Find(BlockHash hash, BlockHash parent, std::span<const int32_t> tokens) const;

  // Registers `block` (full, its KV written) as holding `tokens`. Returns false and changes
  // nothing when the hash is already cached (by another block) or the block already is.
  bool Insert(BlockHash hash, BlockHash parent, std::span<const int32_t> tokens, int32_t block);

  bool contains(int32_t block) const { return entries_.count(block) != 0; }
  bool is_idle(int32_t block) const;

  // A cached block lost its last reference: it becomes the most recently used idle block.
  void MarkIdle(int32_t block);
  // An idle block got a reference again (a prefix hit): it leaves the idle list.
  void MarkInUse(int32_t block);
  // Forgets the least recently used idle block and returns it; -1 when none is idle.
  int32_t EvictLeastRecentlyUsed();

  size_t num_cached() const { return entries_.size(); }
  size_t num_idle() const { return idle_.size(); }
  // Idle blocks, least recently used first.
  std::vector<int32_t> IdleBlocks() const { return {idle_.begin(), idle_.end()}; }

  // The hash index and the block entries agree, and every idle block is cached.
  Status CheckConsistency() const;

 private:
  struct Entry {
    BlockHash hash = 0;
    BlockHash parent = 0;
    std::vector<int32_t> tokens;
    bool idle = false;
    std::list<int32_t>::iterator idle_pos;
  };

  std::unordered_map<BlockHash, int32_t> by_hash_;
  std::unordered_map<int32_t, Entry> entries_;  // by block id
  std::list<int32_t> idle_;                     // least recently used first
};

}  // namespace dsinfer::engine
