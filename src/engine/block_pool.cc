#include "engine/block_pool.h"

#include "base/check.h"

namespace dsinfer::engine {

BlockPool::BlockPool(int32_t n_blocks)
    : ref_counts_(static_cast<size_t>(n_blocks), 0), on_free_list_(static_cast<size_t>(n_blocks), true) {
  CHECK(n_blocks > 0) << "a block pool needs at least one block";
  free_list_.reserve(static_cast<size_t>(n_blocks));
  for (int32_t b = n_blocks - 1; b >= 0; --b) free_list_.push_back(b);
}

int32_t BlockPool::Allocate() {
  if (free_list_.empty()) return -1;
  const int32_t b = free_list_.back();
  free_list_.pop_back();
  on_free_list_[static_cast<size_t>(b)] = false;
  CHECK_EQ(ref_counts_[static_cast<size_t>(b)], 0);
  ref_counts_[static_cast<size_t>(b)] = 1;
  return b;
}

void BlockPool::Acquire(int32_t block) {
  CHECK(block >= 0 && block < n_blocks()) << "block " << block << " out of range";
  CHECK(!on_free_list_[static_cast<size_t>(block)]) << "Acquire of free block " << block;
  ref_counts_[static_cast<size_t>(block)]++;
}

int32_t BlockPool::Release(int32_t block) {
  CHECK(block >= 0 && block < n_blocks()) << "block " << block << " out of range";
  int32_t& count = ref_counts_[static_cast<size_t>(block)];
  CHECK(count > 0) << "Release of block " << block << " with no references";
  return --count;
}

void BlockPool::ReturnToFreeList(int32_t block) {
  CHECK(block >= 0 && block < n_blocks()) << "block " << block << " out of range";
  CHECK_EQ(ref_counts_[static_cast<size_t>(block)], 0);
  CHECK(!on_free_list_[static_cast<size_t>(block)]) << "block " << block << " freed twice";
  on_free_list_[static_cast<size_t>(block)] = true;
  free_list_.push_back(block);
}

}  // namespace dsinfer::engine
