#include "base/huge_page_memory.h"

#include <sys/mman.h>

#include <utility>

namespace dsinfer {

HugePageMemory HugePageMemory::Map(size_t bytes) {
  HugePageMemory m;
  if (bytes == 0) return m;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return m;
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);  // a refusal only costs speed
#endif
  m.data_ = p;
  m.size_ = bytes;
  return m;
}

HugePageMemory::~HugePageMemory() {
  if (data_ != nullptr) munmap(data_, size_);
}

HugePageMemory::HugePageMemory(HugePageMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

HugePageMemory& HugePageMemory::operator=(HugePageMemory&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

}  // namespace dsinfer
