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

#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/cpu_features.h"
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

std::vector<uint8_t> MakeWeights(DType type) {
  const uint64_t row_bytes = *RowBytes(type, kCols);
  constexpr int64_t kDistinctRows = 64;
  std::vector<uint8_t> distinct(row_bytes * kDistinctRows);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> x(kCols);
  for (int64_t r = 0; r < kDistinctRows; ++r) {
    for (auto& v : x) v = normal(rng);
    QuantizeRow(type, x.data(), distinct.data() + r * row_bytes, kCols);
  }
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
