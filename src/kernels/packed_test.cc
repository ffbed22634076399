// Packed (row-interleaved) weights: MatMul on packed matrices equals the scalar reference on the
// same rows for every packed type, row counts with and without a tail of unpacked rows, and
// every token-group size; packing keeps the matrix size; the dispatched kernel uses it.

#include "kernels/packed.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/cpu_features.h"
#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/matmul_kernel.h"
#include "tensor/quant.h"

namespace dsinfer {
namespace {

constexpr DType kPackedTypes[] = {DType::kQ4_K, DType::kQ6_K, DType::kQ5_0, DType::kQ8_0};

std::vector<uint8_t> RandomMatrix(DType type, int64_t rows, int64_t cols, std::mt19937& rng) {
  const uint64_t row_bytes = *RowBytes(type, cols);
  std::vector<uint8_t> w(rows * row_bytes);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::vector<float> x(cols);
  for (int64_t r = 0; r < rows; ++r) {
    for (auto& v : x) v = normal(rng);
    // Some rows with an outlier, so scales and fifth bits take extreme values too.
    if (r % 5 == 0) x[r % cols] = 1.5f;
    QuantizeRow(type, x.data(), w.data() + r * row_bytes, cols);
  }
  return w;
}

class PackedMatMulTest : public testing::TestWithParam<DType> {
 protected:
  void SetUp() override {
    if (!PackedKernelAvailable(GetParam())) {
      GTEST_SKIP() << "no packed kernel for " << DTypeName(GetParam())
                   << " on this CPU (needs AVX-512 VNNI; DSINFER_REPACK=0 disables it)";
    }
  }
};

TEST_P(PackedMatMulTest, DispatchedKernelHasAPackedVariant) {
  EXPECT_NE(ChooseMatMulKernel(GetParam()).packed_dot, nullptr);
}

TEST_P(PackedMatMulTest, MatchesReferenceForEveryShapeAndTokenCount) {
  const DType type = GetParam();
  std::mt19937 rng(21);
  ThreadPool two(2);
  const bool k_quant = Traits(type).block_size == 256;
  const std::vector<int64_t> col_counts = k_quant ? std::vector<int64_t>{256, 768}
                                                  : std::vector<int64_t>{32, 96, 512};
  for (int64_t cols : col_counts) {
    for (int64_t rows : {16, 48, 35}) {
      const std::vector<uint8_t> weights = RandomMatrix(type, rows, cols, rng);
      const uint64_t row_bytes = *RowBytes(type, cols);
      const int64_t packed_rows = rows - rows % kPackRows;
      std::vector<uint8_t> packed(packed_rows * row_bytes);
      PackRows(type, weights.data(), packed_rows, cols, packed.data());
      WeightMatrix w{type, weights.data(), cols, rows, row_bytes};
      WeightMatrix wp = w;
      wp.packed = packed.data();
      for (int64_t n_tokens : {1, 2, 3, 4, 5, 9}) {
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> x(n_tokens * cols);
        for (auto& v : x) v = normal(rng);
        std::vector<float> want(n_tokens * rows), got(n_tokens * rows, -1.0f),
            got2(n_tokens * rows, -2.0f);
        reference::MatMul(w, x.data(), n_tokens, want.data());
        MatMul(wp, x.data(), n_tokens, got.data(), nullptr);
        MatMul(wp, x.data(), n_tokens, got2.data(), &two);
        ASSERT_EQ(got, got2) << "thread count changed the result";
        // Bound on float rounding: a small multiple of the sum of |products|.
        std::vector<float> row(cols);
        for (int64_t r = 0; r < rows; ++r) {
          DequantizeRow(type, weights.data() + r * row_bytes, row.data(), cols);
          for (int64_t t = 0; t < n_tokens; ++t) {
            double magnitude = 0;
            for (int64_t k = 0; k < cols; ++k) magnitude += std::fabs(row[k] * x[t * cols + k]);
            const size_t i = t * rows + r;
            ASSERT_NEAR(got[i], want[i], 2e-5 * magnitude + 1e-6)
                << DTypeName(type) << " rows=" << rows << " cols=" << cols
                << " tokens=" << n_tokens << " row " << r << " token " << t;
          }
        }
      }
    }
  }
}

TEST_P(PackedMatMulTest, TokenResultDoesNotDependOnItsBatch) {
  // The engine's batch invariance: a token computed alone, or in a call of any size at any
  // position (so by each of the kernels for 1..4 tokens), gives the same bits.
  const DType type = GetParam();
  std::mt19937 rng(33);
  const int64_t rows = 16 * 5 + 7, cols = Traits(type).block_size == 256 ? 512 : 96;
  const std::vector<uint8_t> weights = RandomMatrix(type, rows, cols, rng);
  const uint64_t row_bytes = *RowBytes(type, cols);
  std::vector<uint8_t> packed((rows - rows % kPackRows) * row_bytes);
  PackRows(type, weights.data(), rows - rows % kPackRows, cols, packed.data());
  WeightMatrix wp{type, weights.data(), cols, rows, row_bytes};
  wp.packed = packed.data();
  constexpr int64_t kTokens = 11;
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(kTokens * cols);
  for (auto& v : x) v = normal(rng);
  ThreadPool two(2);
  std::vector<float> all(kTokens * rows);
  MatMul(wp, x.data(), kTokens, all.data(), &two);
  for (int64_t first = 0; first < kTokens; ++first) {
    for (int64_t count = 1; first + count <= kTokens && count <= 6; ++count) {
      std::vector<float> part(count * rows);
      MatMul(wp, x.data() + first * cols, count, part.data(), nullptr);
      for (int64_t i = 0; i < count * rows; ++i) {
        ASSERT_EQ(part[i], all[first * rows + i])
            << DTypeName(type) << ": token " << first + i / rows << " row " << i % rows
            << " in a call of " << count << " tokens from token " << first;
      }
    }
  }
}

TEST_P(PackedMatMulTest, PackedRowsAreReallyRead) {
  // Corrupting the packed copy must change the packed rows' results and nothing else.
  const DType type = GetParam();
  std::mt19937 rng(5);
  const int64_t rows = 20, cols = 256;
  const std::vector<uint8_t> weights = RandomMatrix(type, rows, cols, rng);
  const uint64_t row_bytes = *RowBytes(type, cols);
  std::vector<uint8_t> packed(16 * row_bytes);
  PackRows(type, weights.data(), 16, cols, packed.data());
  std::vector<float> x(cols, 0.5f), a(rows), b(rows);
  WeightMatrix wp{type, weights.data(), cols, rows, row_bytes};
  wp.packed = packed.data();
  MatMul(wp, x.data(), 1, a.data(), nullptr);
  for (size_t i = 0; i < packed.size(); i += 7) packed[i] ^= 0x5a;
  MatMul(wp, x.data(), 1, b.data(), nullptr);
  int changed = 0;
  for (int64_t r = 0; r < 16; ++r) changed += a[r] != b[r];
  EXPECT_GT(changed, 8);
  for (int64_t r = 16; r < rows; ++r) EXPECT_EQ(a[r], b[r]) << "tail row " << r;
}

INSTANTIATE_TEST_SUITE_P(PackedTypes, PackedMatMulTest, testing::ValuesIn(kPackedTypes),
                         [](const testing::TestParamInfo<DType>& info) {
                           return std::string(DTypeName(info.param));
                         });

}  // namespace
}  // namespace dsinfer
