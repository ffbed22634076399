// SpinUntil returns once another thread makes the condition true, whether that takes a few
// rounds or long enough for the waiter to have switched to yielding.

#include "base/spin_wait.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace dsinfer {
namespace {

TEST(SpinUntilTest, ReturnsOnceAnotherThreadSetsTheCondition) {
  for (auto delay : {std::chrono::microseconds(0), std::chrono::microseconds(20000)}) {
    std::atomic<bool> ready{false};
    std::atomic<int> checks{0};
    std::thread setter([&] {
      std::this_thread::sleep_for(delay);
      ready.store(true, std::memory_order_release);
    });
    SpinUntil([&] {
      checks.fetch_add(1, std::memory_order_relaxed);
      return ready.load(std::memory_order_acquire);
    });
    EXPECT_TRUE(ready.load());
    setter.join();
    EXPECT_GE(checks.load(), 1);
  }
}

TEST(SpinUntilTest, TrueConditionIsCheckedOnce) {
  int checks = 0;
  SpinUntil([&] { return ++checks > 0; });
  EXPECT_EQ(checks, 1);
}

}  // namespace
}  // namespace dsinfer
