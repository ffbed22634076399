// Token-bucket arithmetic and per-client isolation of the rate limiter.
#include <gtest/gtest.h>

#include "server/rate_limiter.h"

namespace dsinfer::server {
namespace {

using Clock = TokenBucket::Clock;
using std::chrono::milliseconds;

TEST(TokenBucketTest, AllowsBurstThenAsksToRetryAfterTheRefillTime) {
  const auto t0 = Clock::time_point() + std::chrono::hours(1);
  TokenBucket b(/*rate_per_s=*/0.5, /*burst=*/2, t0);
  EXPECT_EQ(b.TryTake(t0), 0);
  EXPECT_EQ(b.TryTake(t0), 0);
  EXPECT_EQ(b.TryTake(t0), 2) << "one token takes 2 s at 0.5/s";
  EXPECT_EQ(b.TryTake(t0 + milliseconds(1500)), 1) << "0.75 tokens: 0.5 s left, rounded up";
  EXPECT_EQ(b.TryTake(t0 + milliseconds(2000)), 0);
  EXPECT_FALSE(b.Full(t0 + milliseconds(2000)));
  EXPECT_TRUE(b.Full(t0 + milliseconds(6000)));
}

TEST(TokenBucketTest, NeverHoldsMoreThanTheBurst) {
  const auto t0 = Clock::time_point() + std::chrono::hours(1);
  TokenBucket b(10, 3, t0);
  const auto later = t0 + std::chrono::seconds(100);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.TryTake(later), 0);
  EXPECT_GT(b.TryTake(later), 0);
}

TEST(RateLimiterTest, ClientsHaveSeparateBuckets) {
  RateLimiter limiter(1, 1);
  const auto t0 = Clock::time_point() + std::chrono::hours(1);
  EXPECT_EQ(limiter.TryAcquire("key-a", t0), 0);
  EXPECT_GT(limiter.TryAcquire("key-a", t0), 0);
  EXPECT_EQ(limiter.TryAcquire("key-b", t0), 0);
  EXPECT_EQ(limiter.TryAcquire("key-a", t0 + std::chrono::seconds(1)), 0);
}

TEST(RateLimiterTest, ZeroRateDisablesLimiting) {
  RateLimiter limiter(0, 0);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.TryAcquire("x"), 0);
}

TEST(RateLimiterTest, DefaultBurstIsTheRateButAtLeastOne) {
  RateLimiter limiter(0.2, 0);
  const auto t0 = Clock::time_point() + std::chrono::hours(1);
  EXPECT_EQ(limiter.TryAcquire("k", t0), 0);
  EXPECT_EQ(limiter.TryAcquire("k", t0), 5);
}

}  // namespace
}  // namespace dsinfer::server
