// Tests of MatMul for every weight type:
//  * reference::MatMul equals an independent double-precision product of the dequantized weight
//    row and the dequantized (quantized) activation row;
//  * every SIMD implementation this CPU has, and the dispatched MatMul, equal the reference up to
//    float summation order (|difference| <= 1e-5 of the sum of |products|);
//  * the SIMD activation quantizers reproduce the reference bytes;
//  * F32 weights match a double dot product; results do not depend on the thread count.

#include "kernels/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/cpu_features.h"
#include "kernels/matmul_kernel.h"
#include "kernels/vec_dot.h"
#include "kernels/x86/matmul_x86.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quant.h"

namespace dsinfer {
namespace {

constexpr DType kWeightTypes[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1,
    DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kQ2_K, DType::kQ3_K,
    DType::kQ4_K, DType::kQ5_K, DType::kQ6_K,
};

std::string TypeParamName(const testing::TestParamInfo<DType>& info) {
  return DTypeName(info.param);
}

std::vector<float> Gaussian(int64_t n, float sigma, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// rows x cols weights of `type`: Gaussian rows quantized with QuantizeRow, or (Q2_K, Q3_K, which
// have no quantizer) random bytes with small finite fp16 scales.
std::vector<uint8_t> RandomWeights(DType type, int64_t rows, int64_t cols, std::mt19937& rng) {
  const uint64_t row_bytes = *RowBytes(type, cols);
  std::vector<uint8_t> w(rows * row_bytes);
  if (CanQuantize(type)) {
    for (int64_t r = 0; r < rows; ++r) {
      const std::vector<float> x = Gaussian(cols, 0.05f, rng);
      QuantizeRow(type, x.data(), w.data() + r * row_bytes, cols);
    }
    return w;
  }
  for (auto& b : w) b = static_cast<uint8_t>(rng());
  std::uniform_real_distribution<float> scale(0.0005f, 0.01f);
  const uint32_t block = Traits(type).type_size;
  for (uint64_t off = 0; off < w.size(); off += block) {
    const uint16_t d = Fp32ToFp16(scale(rng));
    const uint16_t dmin = Fp32ToFp16(scale(rng));
    if (type == DType::kQ2_K) {
      std::memcpy(&w[off + offsetof(BlockQ2_K, d)], &d, 2);
      std::memcpy(&w[off + offsetof(BlockQ2_K, dmin)], &dmin, 2);
    } else {
      std::memcpy(&w[off + offsetof(BlockQ3_K, d)], &d, 2);
    }
  }
  return w;
}

// Row lengths to test: 32-element-block and plain types also get 32 and 96.
std::vector<int64_t> ColCounts(DType type) {
  if (Traits(type).block_size == kQK_K) return {256, 512};
  return {32, 96, 256, 512};
}

// The activation row after conversion, back in f32 (for Q8_1 only the quants times d).
std::vector<float> DequantizeActivation(DType act_type, const std::vector<uint8_t>& a, int64_t n) {
  std::vector<float> out(n);
  if (act_type == DType::kQ8_1) {
    for (int64_t b = 0; b < n / 32; ++b) {
      BlockQ8_1 block;
      std::memcpy(&block, a.data() + b * sizeof(BlockQ8_1), sizeof(block));
      for (int j = 0; j < 32; ++j) out[32 * b + j] = block.qs[j] * Fp16ToFp32(block.d);
    }
  } else {
    reference::DequantizeRow(act_type, a.data(), out.data(), n);
  }
  return out;
}

// The min (offset) of each 32-element block of a Q4_1/Q5_1 row, and the s field of each Q8_1
// block: ggml's product uses m * s for the offset part, s being fp16(d * sum of quants).
struct OffsetTerms {
  std::vector<float> m;
  std::vector<float> s;
};
OffsetTerms Q8_1OffsetTerms(DType type, const uint8_t* w_row, const std::vector<uint8_t>& a,
                            int64_t n) {
  OffsetTerms t;
  for (int64_t b = 0; b < n / 32; ++b) {
    uint16_t m;
    const size_t m_offset = type == DType::kQ4_1 ? offsetof(BlockQ4_1, m) : offsetof(BlockQ5_1, m);
    std::memcpy(&m, w_row + b * Traits(type).type_size + m_offset, 2);
    BlockQ8_1 block;
    std::memcpy(&block, a.data() + b * sizeof(BlockQ8_1), sizeof(block));
    t.m.push_back(Fp16ToFp32(m));
    t.s.push_back(Fp16ToFp32(block.s));
  }
  return t;
}

// The independent product of one weight row and one converted activation row, in double, and
// the sum of |products| that scales the tolerances.
struct Expected {
  double value = 0.0;
  double abs_sum = 0.0;
};
Expected IndependentDot(DType type, const uint8_t* w_row, const std::vector<uint8_t>& act,
                        int64_t n) {
  const DType act_type = VecDotType(type);
  std::vector<float> w(n);
  reference::DequantizeRow(type, w_row, w.data(), n);
  const std::vector<float> x = DequantizeActivation(act_type, act, n);
  Expected e;
  if (act_type == DType::kQ8_1) {
    const OffsetTerms t = Q8_1OffsetTerms(type, w_row, act, n);
    for (int64_t i = 0; i < n; ++i) {
      const double scaled = static_cast<double>(w[i]) - t.m[i / 32];  // q * d
      e.value += scaled * x[i];
      e.abs_sum += std::fabs(static_cast<double>(w[i]) * x[i]);
    }
    for (size_t b = 0; b < t.m.size(); ++b) {
      e.value += static_cast<double>(t.m[b]) * t.s[b];
      e.abs_sum += std::fabs(static_cast<double>(t.m[b]) * t.s[b]);
    }
    return e;
  }
  for (int64_t i = 0; i < n; ++i) {
    e.value += static_cast<double>(w[i]) * x[i];
    e.abs_sum += std::fabs(static_cast<double>(w[i]) * x[i]);
  }
  return e;
}

// One random problem: weights, activations, and the independent expected outputs.
struct Problem {
  DType type;
  int64_t rows, cols, n_tokens;
  std::vector<uint8_t> weights;
  std::vector<float> x;
  std::vector<Expected> expected;  // [n_tokens][rows]

  WeightMatrix matrix() const { return {type, weights.data(), cols, rows, *RowBytes(type, cols)}; }
};

Problem MakeProblem(DType type, int64_t rows, int64_t cols, int64_t n_tokens, std::mt19937& rng) {
  Problem p{type,
            rows,
            cols,
            n_tokens,
            RandomWeights(type, rows, cols, rng),
            Gaussian(n_tokens * cols, 1.0f, rng),
            {}};
  const DType act_type = VecDotType(type);
  std::vector<uint8_t> act(ActivationRowBytes(act_type, cols));
  const uint64_t row_bytes = *RowBytes(type, cols);
  for (int64_t t = 0; t < n_tokens; ++t) {
    reference::ActivationQuantizer(act_type)(p.x.data() + t * cols, act.data(), cols);
    for (int64_t r = 0; r < rows; ++r) {
      p.expected.push_back(IndependentDot(type, p.weights.data() + r * row_bytes, act, cols));
    }
  }
  return p;
}

// Every (rows, cols, n_tokens) shape the tests sweep for `type`.
template <typename Fn>
void ForEachProblem(DType type, Fn&& fn) {
  std::mt19937 rng(7 + static_cast<int>(type));
  for (int64_t cols : ColCounts(type)) {
    for (int64_t rows : {1, 7, 13}) {
      for (int64_t n_tokens : {1, 3, 17}) fn(MakeProblem(type, rows, cols, n_tokens, rng));
    }
  }
}

std::string Shape(const Problem& p) {
  return std::to_string(p.rows) + "x" + std::to_string(p.cols) + ", " + std::to_string(p.n_tokens) +
         " tokens";
}

// |got - want| <= rel * sum|products| (plus a denormal-sized floor) for every output.
void ExpectClose(const Problem& p, const std::vector<float>& got, const std::vector<double>& want,
                 double rel, const std::string& what) {
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = rel * p.expected[i].abs_sum + 1e-30;
    ASSERT_LE(std::fabs(got[i] - want[i]), tol) << what << ", " << Shape(p) << ", output " << i
                                                << ": got " << got[i] << ", want " << want[i];
  }
}

std::vector<double> ExpectedValues(const Problem& p) {
  std::vector<double> v;
  for (const Expected& e : p.expected) v.push_back(e.value);
  return v;
}

std::vector<float> RunReference(const Problem& p) {
  std::vector<float> y(p.n_tokens * p.rows, -1.0f);
  reference::MatMul(p.matrix(), p.x.data(), p.n_tokens, y.data());
  return y;
}

// The SIMD kernels this CPU can run for `type`.
std::vector<MatMulKernel> SimdKernels(DType type) {
  const CpuFeatures& cpu = GetCpuFeatures();
  std::vector<MatMulKernel> kernels;
  if (cpu.avx2) {
    if (DotRowsFn dot = x86::Avx2DotRows(type)) {
      MatMulKernel k = ReferenceMatMulKernel(type);
      k.dot = dot;
      k.name = "avx2";
      kernels.push_back(k);
    }
  }
  auto add_avx512 = [&](DotRowsFn dot, const char* name) {
    if (dot == nullptr) return;
    MatMulKernel k = ReferenceMatMulKernel(type);
    k.dot = dot;
    if (auto q = x86::Avx512ActivationQuantizer(k.activation_type)) k.quantize = q;
    k.name = name;
    kernels.push_back(k);
  };
  if (cpu.avx512 && cpu.avx512_vnni) add_avx512(x86::Avx512DotRows(type), "avx512");
  if (cpu.avx512_bf16 && type == DType::kBF16) add_avx512(x86::Avx512Bf16DotRows(), "avx512_bf16");
  return kernels;
}

class MatMulTest : public testing::TestWithParam<DType> {};

TEST_P(MatMulTest, ReferenceMatchesDequantizedProductInDouble) {
  ForEachProblem(GetParam(), [](const Problem& p) {
    ExpectClose(p, RunReference(p), ExpectedValues(p), 1e-5, "reference");
  });
}

TEST_P(MatMulTest, EverySimdKernelMatchesReference) {
  const DType type = GetParam();
  const std::vector<MatMulKernel> kernels = SimdKernels(type);
  if (kernels.empty()) GTEST_SKIP() << "no SIMD kernel for " << DTypeName(type) << " on this CPU";
  ForEachProblem(type, [&](const Problem& p) {
    const std::vector<float> ref = RunReference(p);
    const std::vector<double> want(ref.begin(), ref.end());
    for (const MatMulKernel& kernel : kernels) {
      std::vector<float> y(ref.size(), -1.0f);
      RunMatMul(p.matrix(), p.x.data(), p.n_tokens, y.data(), nullptr, kernel);
      ExpectClose(p, y, want, 1e-5, kernel.name);
    }
  });
}

TEST_P(MatMulTest, EverySimdKernelHandlesEveryTokenGroupSize) {
  // The kernels are instantiated per token count (1..kMaxDotTokens); the driver passes the
  // remainder of n_tokens as the last group.
  const DType type = GetParam();
  const std::vector<MatMulKernel> kernels = SimdKernels(type);
  if (kernels.empty()) GTEST_SKIP() << "no SIMD kernel for " << DTypeName(type) << " on this CPU";
  std::mt19937 rng(19);
  const int64_t cols = Traits(type).block_size == kQK_K ? 256 : 64;
  for (int64_t n_tokens = 1; n_tokens <= 2 * kMaxDotTokens + 1; ++n_tokens) {
    const Problem p = MakeProblem(type, 3, cols, n_tokens, rng);
    const std::vector<float> ref = RunReference(p);
    for (const MatMulKernel& kernel : kernels) {
      std::vector<float> y(ref.size(), -1.0f);
      RunMatMul(p.matrix(), p.x.data(), p.n_tokens, y.data(), nullptr, kernel);
      ExpectClose(p, y, std::vector<double>(ref.begin(), ref.end()), 1e-5, kernel.name);
    }
  }
}

TEST_P(MatMulTest, DispatchedMatMulMatchesReference) {
  ForEachProblem(GetParam(), [](const Problem& p) {
    const std::vector<float> ref = RunReference(p);
    std::vector<float> y(ref.size(), -1.0f);
    MatMul(p.matrix(), p.x.data(), p.n_tokens, y.data(), nullptr);
    ExpectClose(p, y, std::vector<double>(ref.begin(), ref.end()), 1e-5,
                ChooseMatMulKernel(p.type).name);
  });
}

TEST_P(MatMulTest, ThreadCountDoesNotChangeResults) {
  const DType type = GetParam();
  std::mt19937 rng(11);
  ThreadPool one(1), two(2);
  for (int64_t rows : {1, 2, 29}) {
    for (int64_t n_tokens : {1, 6}) {
      const Problem p = MakeProblem(type, rows, 512, n_tokens, rng);
      std::vector<float> y0(rows * n_tokens), y1(rows * n_tokens), y2(rows * n_tokens);
      MatMul(p.matrix(), p.x.data(), n_tokens, y0.data(), nullptr);
      MatMul(p.matrix(), p.x.data(), n_tokens, y1.data(), &one);
      MatMul(p.matrix(), p.x.data(), n_tokens, y2.data(), &two);
      ASSERT_EQ(0, std::memcmp(y0.data(), y1.data(), y0.size() * sizeof(float))) << Shape(p);
      ASSERT_EQ(0, std::memcmp(y0.data(), y2.data(), y0.size() * sizeof(float))) << Shape(p);
    }
  }
}

TEST_P(MatMulTest, WorksOnRowsAlignedToTwoBytes) {
  // GGUF only guarantees 32-byte tensor starts and rows of block-sized strides; with an offset of
  // 2 bytes every load in the kernels is misaligned.
  const DType type = GetParam();
  std::mt19937 rng(13);
  const Problem p = MakeProblem(type, 5, 512, 5, rng);
  std::vector<uint8_t> shifted(p.weights.size() + 2);
  std::memcpy(shifted.data() + 2, p.weights.data(), p.weights.size());
  WeightMatrix m = p.matrix();
  m.data = shifted.data() + 2;
  const std::vector<float> ref = RunReference(p);
  std::vector<float> y(ref.size(), -1.0f);
  MatMul(m, p.x.data(), p.n_tokens, y.data(), nullptr);
  ExpectClose(p, y, std::vector<double>(ref.begin(), ref.end()), 1e-5, "shifted");
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MatMulTest, testing::ValuesIn(kWeightTypes), TypeParamName);

TEST(MatMulManyTest, EachJobEqualsItsOwnMatMul) {
  // Mixed types and shapes, two jobs reading the same x (one conversion shared), one job with
  // many tiles, and an empty job; any thread count gives each job's MatMul result exactly.
  std::mt19937 rng(17);
  struct Spec {
    DType type;
    int64_t rows, cols, n_tokens;
  };
  const Spec specs[] = {{DType::kQ4_K, 300, 512, 3},  {DType::kQ4_K, 37, 512, 3},
                        {DType::kQ8_0, 2000, 96, 1}, {DType::kF32, 5, 33, 9},
                        {DType::kQ6_K, 0, 256, 2},   {DType::kQ5_0, 65, 128, 11}};
  std::vector<Problem> problems;
  for (const Spec& s : specs) problems.push_back(MakeProblem(s.type, s.rows, s.cols, s.n_tokens, rng));
  problems[1].x = problems[0].x;  // same input as job 0
  ThreadPool one(1), two(2), three(3);
  for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &one, &two, &three}) {
    std::vector<std::vector<float>> want, got;
    std::vector<MatMulJob> jobs;
    for (const Problem& p : problems) {
      want.emplace_back(p.matrix().rows * p.n_tokens);
      MatMul(p.matrix(), p.x.data(), p.n_tokens, want.back().data(), nullptr);
      got.emplace_back(want.back().size(), -1.0f);
    }
    for (size_t i = 0; i < problems.size(); ++i) {
      jobs.push_back({problems[i].matrix(), problems[i].x.data(), problems[i].n_tokens, got[i].data()});
    }
    MatMulMany(jobs.data(), jobs.size(), pool);
    for (size_t i = 0; i < problems.size(); ++i) {
      ASSERT_EQ(want[i], got[i]) << "job " << i << " " << Shape(problems[i]);
    }
  }
}

TEST(MatMulManyTest, ManyTiledJobsGiveEachJobsOwnResultWithAnyThreadCount) {
  // Dozens of jobs of several 64 KiB tiles each: every thread sweeps its own run of tiles and
  // then takes the others' from their backs, so tiles of one job end up on different threads
  // in either direction, and the threads convert the small inputs as their tiles first need
  // them. With a prefill-sized job added, every input is converted before the tiles instead.
  // Three and four threads on a smaller machine also exercise a thread descheduled mid-call.
  std::mt19937 rng(19);
  std::vector<Problem> problems;
  for (int i = 0; i < 37; ++i) {
    const DType type = i % 3 == 0 ? DType::kQ8_0 : DType::kQ4_K;
    problems.push_back(MakeProblem(type, 100 + 7 * i, 1024, 1 + i % 2, rng));
  }
  problems[5].x = problems[4].x;  // one input shared by two jobs
  problems[5].n_tokens = problems[4].n_tokens;
  std::vector<std::vector<float>> want;
  auto expect = [&](const Problem& p) {
    want.emplace_back(p.matrix().rows * p.n_tokens);
    MatMul(p.matrix(), p.x.data(), p.n_tokens, want.back().data(), nullptr);
  };
  for (const Problem& p : problems) expect(p);
  const size_t small_jobs = problems.size();
  problems.push_back(MakeProblem(DType::kQ4_K, 64, 1024, 40, rng));
  expect(problems.back());
  for (size_t n_jobs : {small_jobs, problems.size()}) {
    for (int threads : {2, 3, 4}) {
      ThreadPool pool(threads);
      for (int repeat = 0; repeat < 20; ++repeat) {
        std::vector<std::vector<float>> got;
        std::vector<MatMulJob> jobs;
        for (size_t i = 0; i < n_jobs; ++i) got.emplace_back(want[i].size(), -1.0f);
        for (size_t i = 0; i < n_jobs; ++i) {
          jobs.push_back({problems[i].matrix(), problems[i].x.data(), problems[i].n_tokens, got[i].data()});
        }
        MatMulMany(jobs.data(), jobs.size(), &pool);
        for (size_t i = 0; i < n_jobs; ++i) {
          ASSERT_EQ(want[i], got[i]) << n_jobs << " jobs, " << threads << " threads, job " << i << " "
                                     << Shape(problems[i]);
        }
      }
    }
  }
}

TEST(MatMulF32Test, MatchesDoubleDotProduct) {
  std::mt19937 rng(3);
  ThreadPool two(2);
  for (int64_t cols : {1, 7, 33, 256, 1000}) {
    const int64_t rows = 9, n_tokens = 5;
    const std::vector<float> w = Gaussian(rows * cols, 1.0f, rng);
    const std::vector<float> x = Gaussian(n_tokens * cols, 1.0f, rng);
    const WeightMatrix m{DType::kF32, reinterpret_cast<const uint8_t*>(w.data()), cols, rows,
                         static_cast<uint64_t>(cols * 4)};
    std::vector<float> y(rows * n_tokens);
    MatMul(m, x.data(), n_tokens, y.data(), &two);
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int64_t r = 0; r < rows; ++r) {
        double dot = 0, abs_sum = 0;
        for (int64_t k = 0; k < cols; ++k) {
          dot += static_cast<double>(w[r * cols + k]) * x[t * cols + k];
          abs_sum += std::fabs(static_cast<double>(w[r * cols + k]) * x[t * cols + k]);
        }
        EXPECT_LE(std::fabs(y[t * rows + r] - dot), 1e-6 * abs_sum)
            << "cols " << cols << ", token " << t << ", row " << r;
      }
    }
  }
}

TEST(MatMulSupportTest, SupportsExactlyTheDequantizableWeightTypes) {
  for (DType type : kWeightTypes) EXPECT_TRUE(MatMulSupports(type)) << DTypeName(type);
  for (DType type : {DType::kQ8_1, DType::kQ8_K, DType::kIQ2_XXS, DType::kI32, DType::kMXFP4}) {
    EXPECT_FALSE(MatMulSupports(type)) << DTypeName(type);
  }
}

TEST(ActivationQuantizerTest, Q8_1BlockHoldsScaleAndScaledSum) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = (j % 2 ? -1.0f : 1.0f) * static_cast<float>(j) / 8.0f;
  BlockQ8_1 b;
  reference::ActivationQuantizer(DType::kQ8_1)(x.data(), &b, 32);
  BlockQ8_0 q8_0;
  QuantizeRow(DType::kQ8_0, x.data(), &q8_0, 32);  // same scale and quants as Q8_0
  EXPECT_EQ(b.d, q8_0.d);
  int sum = 0;
  for (int j = 0; j < 32; ++j) {
    EXPECT_EQ(b.qs[j], q8_0.qs[j]) << j;
    sum += b.qs[j];
  }
  const float d = 3.875f / 127;
  EXPECT_EQ(b.s, Fp32ToFp16(static_cast<float>(sum) * d));
}

TEST(ActivationQuantizerTest, SimdQuantizersReproduceReferenceBytes) {
  const CpuFeatures& cpu = GetCpuFeatures();
  if (!cpu.avx512) GTEST_SKIP() << "no AVX-512 on this CPU";
  std::mt19937 rng(17);
  for (DType act_type : {DType::kQ8_0, DType::kQ8_K}) {
    const QuantizeActivationFn fast = x86::Avx512ActivationQuantizer(act_type);
    if (fast == nullptr) continue;
    for (int64_t n : {256, 512, 2048}) {
      for (int rep = 0; rep < 20; ++rep) {
        std::vector<float> x = Gaussian(n, rep % 2 ? 1e-3f : 3.0f, rng);
        if (rep % 5 == 1) x[rng() % n] = 0.0f * x[0];                  // zeros
        if (rep % 5 == 2) std::fill(x.begin(), x.begin() + 64, 0.0f);  // an all-zero block
        if (rep % 5 == 3) {  // ties of opposite sign for the largest magnitude
          x[3] = 7.0f;
          x[40] = -7.0f;
          x[300 % n] = -7.0f;
        }
        if (rep % 5 == 4) {  // values exactly halfway between quants
          for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 255 - 127) * 0.5f;
        }
        const uint64_t bytes = ActivationRowBytes(act_type, n);
        std::vector<uint8_t> want(bytes, 0xAA), got(bytes, 0x55);
        reference::ActivationQuantizer(act_type)(x.data(), want.data(), n);
        fast(x.data(), got.data(), n);
        ASSERT_EQ(0, std::memcmp(want.data(), got.data(), bytes))
            << DTypeName(act_type) << ", n = " << n << ", rep " << rep;
      }
    }
  }
}

}  // namespace
}  // namespace dsinfer
