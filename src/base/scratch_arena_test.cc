// ScratchArena hands out aligned, non-overlapping memory, gives it back at scope end, and
// stops growing once a pattern of allocations has been seen (the point of it).

#include "base/scratch_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>

namespace dsinfer {
namespace {

TEST(ScratchArenaTest, AlignedAndDisjointWithinAScope) {
  ScratchArena arena;
  ScratchArena::Scope scope(arena);
  float* a = arena.Floats(3);
  float* b = arena.Floats(1000);
  float* c = arena.Floats(0);
  float* d = arena.Floats(5);
  for (float* p : {a, b, c, d}) EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  EXPECT_GE(b, a + 3);
  EXPECT_GE(d, b + 1000);
  std::memset(a, 1, 3 * sizeof(float));
  std::memset(b, 2, 1000 * sizeof(float));
  std::memset(d, 3, 5 * sizeof(float));
  EXPECT_EQ(reinterpret_cast<unsigned char*>(a)[11], 1);
  EXPECT_EQ(reinterpret_cast<unsigned char*>(b)[3999], 2);
}

TEST(ScratchArenaTest, ScopeEndGivesMemoryBackInStackOrder) {
  ScratchArena arena;
  ScratchArena::Scope outer(arena);
  float* kept = arena.Floats(16);
  float* first = nullptr;
  {
    ScratchArena::Scope inner(arena);
    first = arena.Floats(64);
    EXPECT_NE(first, kept);
  }
  ScratchArena::Scope again(arena);
  EXPECT_EQ(arena.Floats(64), first);  // reused, and `kept` was not
}

TEST(ScratchArenaTest, LargeBuffersSpanChunksAndAreReused) {
  ScratchArena arena;
  size_t reserved_after_first = 0;
  for (int pass = 0; pass < 3; ++pass) {
    ScratchArena::Scope scope(arena);
    // Like a prompt step: several buffers each larger than a chunk's minimum, then small ones.
    float* big[4];
    for (float*& p : big) {
      p = arena.Floats(size_t{6} << 20);  // 24 MiB
      p[0] = 1.0f;
      p[(size_t{6} << 20) - 1] = 2.0f;
    }
    constexpr size_t kN = size_t{6} << 20;
    for (int i = 0; i < 4; ++i) {
      for (int j = i + 1; j < 4; ++j) {
        EXPECT_TRUE(big[i] + kN <= big[j] || big[j] + kN <= big[i]) << i << " overlaps " << j;
      }
    }
    float* small = arena.Floats(100);
    small[99] = 3.0f;
    if (pass == 0) reserved_after_first = arena.reserved_bytes();
    EXPECT_EQ(arena.reserved_bytes(), reserved_after_first) << "pass " << pass;
  }
  EXPECT_GE(reserved_after_first, size_t{96} << 20);
}

TEST(ScratchArenaTest, EachThreadHasItsOwn) {
  ScratchArena* main_arena = &ScratchArena::ForThisThread();
  ScratchArena* other = nullptr;
  std::thread t([&] { other = &ScratchArena::ForThisThread(); });
  t.join();
  EXPECT_NE(main_arena, other);
  EXPECT_EQ(main_arena, &ScratchArena::ForThisThread());
}

#if defined(__SANITIZE_ADDRESS__)
TEST(ScratchArenaDeathTest, UseAfterScopeIsReportedUnderAddressSanitizer) {
  ScratchArena arena;
  float* stale = nullptr;
  {
    ScratchArena::Scope scope(arena);
    stale = arena.Floats(32);
    stale[0] = 1.0f;
  }
  EXPECT_DEATH({ static_cast<volatile float*>(stale)[0] = 2.0f; }, "use-after-poison");
}

TEST(ScratchArenaTest, MemoryOfADestroyedArenaCanBeMappedAgain) {
  // A pool's worker threads end with their arenas; what the system maps next at those
  // addresses (a model file, say) must be usable, under AddressSanitizer too.
  for (int round = 0; round < 4; ++round) {
    void* chunk = nullptr;
    {
      ScratchArena arena;
      {
        ScratchArena::Scope scope(arena);
        chunk = arena.Floats(16);
      }  // poisoned again here
    }
    HugePageMemory next = HugePageMemory::Map(size_t{16} << 20);
    ASSERT_NE(next.data(), nullptr);
    std::memset(next.data(), 1, next.size());  // reported if stale poison were left behind
    if (next.data() == chunk) return;          // the same addresses were reused: covered
  }
}

TEST(ScratchArenaDeathTest, OverflowIntoTheNextBufferIsReportedUnderAddressSanitizer) {
  ScratchArena arena;
  ScratchArena::Scope scope(arena);
  float* a = arena.Floats(16);
  float* b = arena.Floats(16);
  b[0] = 1.0f;
  EXPECT_DEATH({ static_cast<volatile float*>(a)[16] = 2.0f; }, "use-after-poison");
}
#endif

}  // namespace
}  // namespace dsinfer
