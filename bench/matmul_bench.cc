// MatMul throughput per weight type: bytes of weights per second (SetBytesProcessed counts the
// weight matrix once per call) and tokens per second (items).
//
// Working set: a 2048 x 2048 weight matrix (Gaussian rows quantized with QuantizeRow, 64
// distinct rows tiled) and random activations. Shapes: GEMV (1 token, the decode case) and GEMM
// (32 and 128 tokens, prompt processing) and the 2-4 tokens an expert gets in batched decoding.
// Implementations:
//   BM_MatMulFast/<type>/tokens:<n>/threads:<t>   MatMul, the dispatched kernel (label: its ISA);
//   BM_MatMulPacked/...                           MatMul on row-interleaved weights (packed.h);
//   BM_MatMulReference/...                        the same driver with the scalar reference
//                                                 kernel (reference::MatMul is single-threaded);
//   BM_MatMulAvx2/...                             the AVX2 kernel directly, when the CPU has it.
//
// BM_MlaHeads/{k_b,v_b}/threads:<t>: MLA's 16 per-head absorbed products of one token (Q8_0,
// 70 KB each) in one MatMulMany, where per-call overhead rather than bandwidth decides.
//
// BM_MoeExperts/[TYPE/]<case>/threads:<t>: one MatMulMany over the gate and up products of a
// step's active experts, as the MoE layer issues it, on DeepSeek-V2-Lite's shapes (64 experts of
// 1408 x 2048, Q4_K, or Q8_0/Q5_0/Q6_K, packed on huge pages: 208-393 MB, from DRAM).
// Cases:
// "decode" (one token, 6 experts) and "batch16" (16 sequences: 51 experts, the token counts per
// expert measured on the synth model: 22 experts with 1 token, 17 with 2, 8 with 3, 3 with 4,
// 1 with 5); the "_shared" cases add the two shared experts (one 2816-row product per projection
// for every token) to the same call, as the model does. Bytes are those of the products run.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/cpu_features.h"
#include "base/huge_page_memory.h"
#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/matmul_kernel.h"
#include "kernels/packed.h"
#include "kernels/x86/matmul_x86.h"
#include "tensor/quant.h"

namespace dsinfer {
namespace {

constexpr int64_t kRows = 2048;
constexpr int64_t kCols = 2048;

constexpr DType kTypes[] = {DType::kQ4_K, DType::kQ5_0, DType::kQ8_0, DType::kQ6_K, DType::kF16};

// `rows` Gaussian rows of `cols` values quantized to `type`, back to back.
std::vector<uint8_t> RandomRows(DType type, int64_t rows, int64_t cols, uint32_t seed) {
  const uint64_t row_bytes = *RowBytes(type, cols);
  std::vector<uint8_t> out(row_bytes * rows);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> x(cols);
  for (int64_t r = 0; r < rows; ++r) {
    for (auto& v : x) v = normal(rng);
    QuantizeRow(type, x.data(), out.data() + r * row_bytes, cols);
  }
  return out;
}

std::vector<uint8_t> MakeWeights(DType type) {
  const uint64_t row_bytes = *RowBytes(type, kCols);
  constexpr int64_t kDistinctRows = 64;
  const std::vector<uint8_t> distinct = RandomRows(type, kDistinctRows, kCols, 5);
  std::vector<uint8_t> matrix(row_bytes * kRows);
  for (int64_t r = 0; r < kRows; ++r) {
    std::memcpy(matrix.data() + r * row_bytes, distinct.data() + (r % kDistinctRows) * row_bytes,
                row_bytes);
  }
  return matrix;
}

void RunMatMulBench(benchmark::State& state, DType type, const MatMulKernel* kernel,
                    int64_t n_tokens, int threads, bool packed = false) {
  const std::vector<uint8_t> weights = MakeWeights(type);
  WeightMatrix w{type, weights.data(), kCols, kRows, *RowBytes(type, kCols)};
  std::vector<uint8_t> packed_weights;
  if (packed) {
    packed_weights.resize(weights.size());
    PackRows(type, weights.data(), kRows, kCols, packed_weights.data());
    w.packed = packed_weights.data();
  }
  std::mt19937 rng(9);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n_tokens * kCols);
  for (auto& v : x) v = normal(rng);
  std::vector<float> y(n_tokens * kRows);
  std::unique_ptr<ThreadPool> pool = threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr;
  for (auto _ : state) {
    if (kernel == nullptr) {
      MatMul(w, x.data(), n_tokens, y.data(), pool.get());
    } else {
      RunMatMul(w, x.data(), n_tokens, y.data(), pool.get(), *kernel);
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(weights.size()));
  state.SetItemsProcessed(state.iterations() * n_tokens);
  state.SetLabel(std::string(kernel == nullptr ? ChooseMatMulKernel(type).name : kernel->name) +
                 (packed ? " packed" : ""));
}

// Token counts per active expert of one MoE step (see the header comment).
std::vector<int64_t> ExpertTokenCounts(const std::string& name) {
  if (name == "decode" || name == "decode_shared") return std::vector<int64_t>(6, 1);
  std::vector<int64_t> counts;
  for (auto [tokens, experts] : {std::pair{1, 22}, {2, 17}, {3, 8}, {4, 3}, {5, 1}}) {
    counts.insert(counts.end(), experts, tokens);
  }
  return counts;
}

void RunMoeBench(benchmark::State& state, DType kType, const std::string& name, int threads) {
  constexpr int64_t kExperts = 64, kFfn = 1408, kEmbd = 2048;
  const uint64_t row_bytes = *RowBytes(kType, kEmbd);
  const uint64_t matrix_bytes = kFfn * row_bytes;
  // Distinct random-looking rows (a tiled pattern would read the same bytes over and over).
  const std::vector<uint8_t> source = RandomRows(kType, kFfn, kEmbd, 3);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  const bool shared = name == "batch16_shared" || name == "decode_shared";
  const int64_t shared_tokens = name == "decode_shared" ? 1 : 16;
  HugePageMemory packed = HugePageMemory::Map((2 * kExperts + 4) * matrix_bytes);
  if (packed.data() == nullptr) return state.SkipWithError("cannot map the expert weights");
  auto* base = static_cast<uint8_t*>(packed.data());
  for (int64_t m = 0; m < 2 * kExperts + 4; ++m) {
    PackRows(kType, source.data(), kFfn, kEmbd, base + m * matrix_bytes);
    base[m * matrix_bytes + 100] ^= static_cast<uint8_t>(m);  // no two matrices alike
  }
  const std::vector<int64_t> counts = ExpertTokenCounts(name);
  int64_t total_tokens = 0;
  for (int64_t n : counts) total_tokens += n;
  std::vector<float> x(total_tokens * kEmbd), y(2 * total_tokens * kFfn), ys(2 * 16 * 2 * kFfn);
  for (auto& v : x) v = normal(rng) * 50.0f;
  std::unique_ptr<ThreadPool> pool = threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr;
  std::vector<int> order(kExperts);
  for (int e = 0; e < kExperts; ++e) order[e] = e;
  std::vector<MatMulJob> jobs;
  for (auto _ : state) {
    // A different active set each step, as routing gives, in ascending expert order.
    state.PauseTiming();
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<int> active(order.begin(), order.begin() + static_cast<long>(counts.size()));
    std::sort(active.begin(), active.end());
    jobs.clear();
    int64_t row0 = 0;
    for (size_t i = 0; i < active.size(); ++i) {
      for (int which = 0; which < 2; ++which) {
        const uint8_t* m = base + (which * kExperts + active[i]) * matrix_bytes;
        WeightMatrix w{kType, m, kEmbd, kFfn, row_bytes};
        w.packed = m;
        jobs.push_back({w, x.data() + row0 * kEmbd, counts[i],
                        y.data() + (which * total_tokens + row0) * kFfn});
      }
      row0 += counts[i];
    }
    if (shared) {
      // The two shared experts as one 2816-row product per projection, for every token.
      for (int which = 0; which < 2; ++which) {
        const uint8_t* m = base + (2 * kExperts + 2 * which) * matrix_bytes;
        WeightMatrix w{kType, m, kEmbd, 2 * kFfn, row_bytes};
        w.packed = m;
        jobs.push_back({w, x.data(), shared_tokens, ys.data() + which * 16 * 2 * kFfn});
      }
    }
    state.ResumeTiming();
    MatMulMany(jobs.data(), jobs.size(), pool.get());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>((2 * counts.size() + (shared ? 4 : 0)) * matrix_bytes));
  state.SetItemsProcessed(state.iterations() * total_tokens);
}

// MLA's absorbed per-head products for one decoded token: 16 heads' attn_k_b slices (512 x 128)
// or attn_v_b slices (128 x 512), Q8_0 packed, each head with its own input, in one MatMulMany
// (70 KB per head: call overhead, not bandwidth, decides).
void RunHeadsBench(benchmark::State& state, bool v_b, int threads) {
  constexpr int kHeads = 16;
  const int64_t rows = v_b ? 128 : 512, cols = v_b ? 512 : 128;
  constexpr DType kType = DType::kQ8_0;
  const uint64_t row_bytes = *RowBytes(kType, cols);
  const std::vector<uint8_t> data = RandomRows(kType, kHeads * rows, cols, 4);
  std::vector<uint8_t> packed(data.size());
  std::mt19937 rng(4);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  PackRows(kType, data.data(), kHeads * rows, cols, packed.data());
  std::vector<float> x(kHeads * cols), y(kHeads * rows);
  for (auto& v : x) v = normal(rng) * 50.0f;
  std::vector<MatMulJob> jobs;
  for (int h = 0; h < kHeads; ++h) {
    WeightMatrix w{kType, data.data() + h * rows * row_bytes, cols, rows, row_bytes};
    w.packed = packed.data() + h * rows * row_bytes;
    jobs.push_back({w, x.data() + h * cols, 1, y.data() + h * rows});
  }
  std::unique_ptr<ThreadPool> pool = threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr;
  for (auto _ : state) {
    MatMulMany(jobs.data(), jobs.size(), pool.get());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}

void RegisterAll() {
  const CpuFeatures& cpu = GetCpuFeatures();
  for (DType type : kTypes) {
    // Kernels live as long as the process; the benchmarks keep pointers to them.
    const MatMulKernel* reference = new MatMulKernel(ReferenceMatMulKernel(type));
    const MatMulKernel* avx2 = nullptr;
    if (cpu.avx2 && x86::Avx2DotRows(type) != nullptr) {
      auto* k = new MatMulKernel(ReferenceMatMulKernel(type));
      k->dot = x86::Avx2DotRows(type);
      k->name = "avx2";
      avx2 = k;
    }
    for (int64_t n_tokens : {1, 2, 4, 32, 128}) {
      for (int threads : {1, 2}) {
        const std::string suffix = std::string("/") + DTypeName(type) +
                                   "/tokens:" + std::to_string(n_tokens) +
                                   "/threads:" + std::to_string(threads);
        auto add = [&](const std::string& name, const MatMulKernel* kernel) {
          benchmark::RegisterBenchmark((name + suffix).c_str(),
                                       [=](benchmark::State& state) {
                                         RunMatMulBench(state, type, kernel, n_tokens, threads);
                                       })
              ->Unit(benchmark::kMicrosecond)
              ->UseRealTime();
        };
        add("BM_MatMulFast", nullptr);
        if (PackedKernelAvailable(type)) {
          benchmark::RegisterBenchmark(("BM_MatMulPacked" + suffix).c_str(),
                                       [=](benchmark::State& state) {
                                         RunMatMulBench(state, type, nullptr, n_tokens, threads,
                                                        /*packed=*/true);
                                       })
              ->Unit(benchmark::kMicrosecond)
              ->UseRealTime();
        }
        add("BM_MatMulReference", reference);
        if (avx2 != nullptr) add("BM_MatMulAvx2", avx2);
      }
    }
  }
  if (PackedKernelAvailable(DType::kQ8_0)) {
    for (bool v_b : {false, true}) {
      for (int threads : {1, 2}) {
        benchmark::RegisterBenchmark(
            (std::string("BM_MlaHeads/") + (v_b ? "v_b" : "k_b") + "/threads:" + std::to_string(threads)).c_str(),
            [=](benchmark::State& state) { RunHeadsBench(state, v_b, threads); })
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
  // Q4_K keeps the names without a type; the others add it. Q8_0 is the Q8_0 file's experts;
  // Q5_0 and Q6_K on the same shapes measure how those kernels stream (the Q4_K_M file uses
  // them for 2048 x 1408 down projections and the output matrix).
  for (DType type : {DType::kQ4_K, DType::kQ8_0, DType::kQ5_0, DType::kQ6_K}) {
    if (!PackedKernelAvailable(type)) continue;
    const std::string prefix = std::string("BM_MoeExperts/") +
                               (type == DType::kQ4_K ? "" : std::string(DTypeName(type)) + "/");
    for (const char* name : {"decode", "decode_shared", "batch16", "batch16_shared"}) {
      for (int threads : {1, 2}) {
        benchmark::RegisterBenchmark(
            (prefix + name + "/threads:" + std::to_string(threads)).c_str(),
            [=](benchmark::State& state) { RunMoeBench(state, type, name, threads); })
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace dsinfer

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  dsinfer::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
