// Percentile math: linear interpolation between closest ranks (NumPy's default), edge cases.
#include <gtest/gtest.h>

#include <vector>

#include "loadtest/percentiles.h"

namespace dsinfer::loadtest {
namespace {

TEST(PercentileTest, InterpolatesBetweenClosestRanksLikeNumpy) {
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(Percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile(v, 50), 2.5);   // numpy.percentile([1,2,3,4], 50)
  EXPECT_DOUBLE_EQ(Percentile(v, 90), 3.7);   // rank 2.7
  EXPECT_DOUBLE_EQ(Percentile(v, 99), 3.97);  // rank 2.97
  EXPECT_DOUBLE_EQ(Percentile(v, 100), 4);
}

TEST(PercentileTest, OneToHundred) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_DOUBLE_EQ(Percentile(v, 50), 50.5);
  EXPECT_DOUBLE_EQ(Percentile(v, 90), 90.1);
  EXPECT_DOUBLE_EQ(Percentile(v, 99), 99.01);
}

TEST(PercentileTest, EmptyAndSingleSamples) {
  EXPECT_EQ(Percentile({}, 50), 0);
  const std::vector<double> one = {7.5};
  EXPECT_EQ(Percentile(one, 0), 7.5);
  EXPECT_EQ(Percentile(one, 99), 7.5);
}

TEST(SummarizeTest, SortsAndSummarizesUnorderedInput) {
  const Distribution d = Summarize({10, 1, 7, 3, 4});
  EXPECT_EQ(d.count, 5u);
  EXPECT_DOUBLE_EQ(d.mean, 5);
  EXPECT_DOUBLE_EQ(d.min, 1);
  EXPECT_DOUBLE_EQ(d.max, 10);
  EXPECT_DOUBLE_EQ(d.p50, 4);
  EXPECT_NEAR(d.p90, 8.8, 1e-12);  // rank 3.6: 7 + 0.6 * (10 - 7)
  EXPECT_NEAR(d.p99, 9.88, 1e-12);
}

TEST(SummarizeTest, EmptySampleIsAllZero) {
  const Distribution d = Summarize({});
  EXPECT_EQ(d.count, 0u);
  EXPECT_EQ(d.mean, 0);
  EXPECT_EQ(d.p99, 0);
}

TEST(SummarizeTest, PercentilesAreMonotonic) {
  std::vector<double> v;
  for (int i = 0; i < 997; ++i) v.push_back((i * 7919) % 1009 * 0.5);
  const Distribution d = Summarize(v);
  EXPECT_LE(d.min, d.p50);
  EXPECT_LE(d.p50, d.p90);
  EXPECT_LE(d.p90, d.p99);
  EXPECT_LE(d.p99, d.max);
}

}  // namespace
}  // namespace dsinfer::loadtest
