// ScoreRows and AccumulateRows against double-precision loops over random shapes (tails
// included), and the property the batch-invariance of serving rests on: a head's result is
// bit-identical whatever set of heads or range of rows it was computed with.

#include "kernels/attention_rows.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace dsinfer {
namespace {

struct Rows {
  std::vector<float> storage;
  std::vector<const float*> ptrs;
};

// n_rows rows of `stride` floats, stored out of order so the kernels cannot assume contiguity.
Rows RandomRows(int n_rows, int64_t stride, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Rows r;
  r.storage.resize(static_cast<size_t>(n_rows * stride));
  for (float& v : r.storage) v = normal(rng);
  for (int p = 0; p < n_rows; ++p) r.ptrs.push_back(r.storage.data() + ((p * 7) % n_rows) * stride);
  return r;
}

std::vector<float> Gaussian(size_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

TEST(ScoreRowsTest, MatchesDoublePrecision) {
  std::mt19937 rng(3);
  for (int64_t width : {1, 15, 16, 64, 100, 192, 576}) {
    for (int n_heads : {1, 3, 4, 8, 13, 16}) {
      const int n_rows = 37;
      const int64_t offset = 5, q_stride = width + 3;
      Rows rows = RandomRows(n_rows, width + offset, rng);
      const std::vector<float> q = Gaussian(static_cast<size_t>(n_heads * q_stride), rng);
      std::vector<float> scores(static_cast<size_t>(n_heads * n_rows));
      ScoreRows(q.data(), q_stride, n_heads, rows.ptrs.data(), offset, n_rows, width, 0.125f,
                scores.data(), n_rows);
      for (int h = 0; h < n_heads; ++h) {
        for (int p = 0; p < n_rows; ++p) {
          double want = 0, magnitude = 0;
          for (int64_t i = 0; i < width; ++i) {
            const double t = static_cast<double>(q[h * q_stride + i]) * rows.ptrs[p][offset + i];
            want += t;
            magnitude += std::fabs(t);
          }
          want *= 0.125;
          EXPECT_NEAR(scores[h * n_rows + p], want, 1e-6 * magnitude + 1e-6)
              << "width " << width << " heads " << n_heads << " h " << h << " p " << p;
        }
      }
    }
  }
}

TEST(ScoreRowsTest, EachHeadIndependentOfItsGroup) {
  std::mt19937 rng(4);
  const int n_heads = 16, n_rows = 20;
  const int64_t width = 576;
  Rows rows = RandomRows(n_rows, width, rng);
  const std::vector<float> q = Gaussian(static_cast<size_t>(n_heads * width), rng);
  std::vector<float> all(static_cast<size_t>(n_heads * n_rows)), one(static_cast<size_t>(n_rows));
  ScoreRows(q.data(), width, n_heads, rows.ptrs.data(), 0, n_rows, width, 0.5f, all.data(), n_rows);
  for (int h = 0; h < n_heads; ++h) {
    ScoreRows(q.data() + h * width, width, 1, rows.ptrs.data(), 0, n_rows, width, 0.5f, one.data(), n_rows);
    for (int p = 0; p < n_rows; ++p) ASSERT_EQ(one[p], all[h * n_rows + p]) << "head " << h;
  }
}

TEST(AccumulateRowsTest, MatchesDoublePrecision) {
  std::mt19937 rng(5);
  for (int64_t width : {1, 16, 63, 64, 128, 130, 512}) {
    for (int n_heads : {1, 2, 3, 16}) {
      const int n_rows = 29;
      const int64_t offset = 3, out_stride = width + 1, weight_stride = n_rows + 2;
      Rows rows = RandomRows(n_rows, width + offset, rng);
      const std::vector<float> weights = Gaussian(static_cast<size_t>(n_heads * weight_stride), rng);
      std::vector<float> out = Gaussian(static_cast<size_t>(n_heads * out_stride), rng);
      const std::vector<float> before = out;
      AccumulateRows(weights.data(), weight_stride, n_heads, rows.ptrs.data(), offset, n_rows,
                     width, out.data(), out_stride);
      for (int h = 0; h < n_heads; ++h) {
        for (int64_t i = 0; i < width; ++i) {
          double want = before[h * out_stride + i], magnitude = std::fabs(want);
          for (int p = 0; p < n_rows; ++p) {
            const double t = static_cast<double>(weights[h * weight_stride + p]) * rows.ptrs[p][offset + i];
            want += t;
            magnitude += std::fabs(t);
          }
          EXPECT_NEAR(out[h * out_stride + i], want, 1e-6 * magnitude + 1e-6)
              << "width " << width << " heads " << n_heads << " h " << h << " i " << i;
        }
        // The padding between heads is untouched.
        if (h + 1 < n_heads) {
          EXPECT_EQ(out[h * out_stride + width], before[h * out_stride + width]);
        }
      }
    }
  }
}

TEST(AccumulateRowsTest, HeadsAndRowRangesCompose) {
  std::mt19937 rng(6);
  const int n_heads = 5, n_rows = 33;
  const int64_t width = 130;
  Rows rows = RandomRows(n_rows, width, rng);
  const std::vector<float> weights = Gaussian(static_cast<size_t>(n_heads * n_rows), rng);
  std::vector<float> all(static_cast<size_t>(n_heads * width), 0.0f);
  AccumulateRows(weights.data(), n_rows, n_heads, rows.ptrs.data(), 0, n_rows, width, all.data(), width);
  for (int h = 0; h < n_heads; ++h) {
    // One head alone, over rows [0, 10) then [10, n_rows): the same bits.
    std::vector<float> one(static_cast<size_t>(width), 0.0f);
    AccumulateRows(weights.data() + h * n_rows, n_rows, 1, rows.ptrs.data(), 0, 10, width, one.data(), width);
    AccumulateRows(weights.data() + h * n_rows + 10, n_rows, 1, rows.ptrs.data() + 10, 0, n_rows - 10,
                   width, one.data(), width);
    for (int64_t i = 0; i < width; ++i) ASSERT_EQ(one[i], all[h * width + i]) << "head " << h << " i " << i;
  }
}

}  // namespace
}  // namespace dsinfer
