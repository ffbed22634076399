// HugePageMemory: anonymous private memory that asks the kernel for transparent huge pages.
//
// Memory streamed by the gigabyte (packed weights, the bandwidth probe that is compared with
// them) or reused by every forward pass (ScratchArena) reads faster on 2 MiB pages: a 4 KiB page
// per TLB entry misses on every page of a stream (Q4_K GEMV from DRAM, 2 threads: 55 vs
// 34 GB/s). Where the kernel has no THP or refuses, the memory is ordinary pages.
//
// Move-only owner; unmaps on destruction. Contents are zero until written. Not thread-safe to
// move or destroy while others use it; the memory itself may be shared between threads.
#pragma once

#include <cstddef>

namespace dsinfer {

class HugePageMemory {
 public:
  HugePageMemory() = default;
  // `bytes` of fresh memory; empty (data() == nullptr) when the mapping fails.
  static HugePageMemory Map(size_t bytes);

  ~HugePageMemory();
  HugePageMemory(HugePageMemory&& other) noexcept;
  HugePageMemory& operator=(HugePageMemory&& other) noexcept;
  HugePageMemory(const HugePageMemory&) = delete;
  HugePageMemory& operator=(const HugePageMemory&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace dsinfer
