// BlockPool: reference counts for the KvCache's blocks and the list of free ones.
//
// A block id is an index into the KvCache. Every block is in exactly one of three states:
//   free   - on the free list, reference count 0, holds nothing anyone needs;
//   owned  - reference count > 0: that many block-table entries (sequences, warm-up pins) use it;
//   idle   - reference count 0 but off the free list: its contents are kept by the PrefixCache,
//            which may hand it back (Acquire) or evict it (ReturnToFreeList).
// Ownership is counted, never pointed at: there are no per-block objects, and the pool does not
// know who the owners are (CheckBlockOwnership in kv_block_manager.h compares the counts with
// the owners' tables).
//
// Thread-safety: none; the engine thread is the only user.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dsinfer::engine {

class BlockPool {
 public:
  // All `n_blocks` start free. Free blocks are handed out lowest id first.
  explicit BlockPool(int32_t n_blocks);
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  int32_t n_blocks() const { return static_cast<int32_t>(ref_counts_.size()); }
  int32_t num_free() const { return static_cast<int32_t>(free_list_.size()); }

  // Takes a free block and gives it reference count 1; -1 when the free list is empty.
  int32_t Allocate();
  // Adds one reference to an owned or idle block (a free block is a CHECK failure).
  void Acquire(int32_t block);
  // Drops one reference and returns the new count. The pool does not move a block that reaches
  // 0 anywhere: the caller decides between ReturnToFreeList and keeping it idle in the cache.
  int32_t Release(int32_t block);
  // Puts a block with reference count 0 back on the free list.
  void ReturnToFreeList(int32_t block);

  int32_t ref_count(int32_t block) const { return ref_counts_[static_cast<size_t>(block)]; }
  bool is_free(int32_t block) const { return on_free_list_[static_cast<size_t>(block)]; }

 private:
  std::vector<int32_t> ref_counts_;
  std::vector<bool> on_free_list_;
  std::vector<int32_t> free_list_;  // a stack; the lowest ids on top at start
};

}  // namespace dsinfer::engine
