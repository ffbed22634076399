// HugePageMemory maps zeroed, writable memory of the size asked for and hands ownership over on
// move (the moved-from object is empty and unmaps nothing).

#include "base/huge_page_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <utility>

namespace dsinfer {
namespace {

TEST(HugePageMemoryTest, MapsZeroedWritableMemory) {
  constexpr size_t kBytes = size_t{4} << 20;
  HugePageMemory m = HugePageMemory::Map(kBytes);
  ASSERT_NE(m.data(), nullptr);
  EXPECT_EQ(m.size(), kBytes);
  auto* bytes = static_cast<unsigned char*>(m.data());
  EXPECT_EQ(bytes[0], 0);
  EXPECT_EQ(bytes[kBytes - 1], 0);
  std::memset(bytes, 7, kBytes);
  EXPECT_EQ(bytes[kBytes / 2], 7);
}

TEST(HugePageMemoryTest, MoveTransfersOwnership) {
  HugePageMemory a = HugePageMemory::Map(size_t{1} << 20);
  void* p = a.data();
  HugePageMemory b = std::move(a);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.data(), p);
  HugePageMemory c;
  c = std::move(b);
  EXPECT_EQ(c.data(), p);
  static_cast<unsigned char*>(c.data())[0] = 1;  // still mapped
}

TEST(HugePageMemoryTest, ZeroBytesIsEmpty) {
  const HugePageMemory m = HugePageMemory::Map(0);
  EXPECT_EQ(m.data(), nullptr);
  EXPECT_EQ(m.size(), 0u);
}

}  // namespace
}  // namespace dsinfer
