// Dequantization throughput per weight type, in bytes of f32 output per second.
//
// Working set: a 4096 x 4096-element matrix of each type (realistic contents: Gaussian weights
// quantized with QuantizeRow; random quants with typical scales for Q2_K/Q3_K). Two shapes:
//   BM_Dequant<impl>/<type>/matrix  dequantizes the whole matrix into a 64 MiB f32 buffer
//                                   (bound by memory bandwidth for the fast paths);
//   BM_Dequant<impl>/<type>/row     dequantizes every row into the same 16 KiB buffer, as a
//                                   matmul tile would (bound by the dequantizer itself).
// Implementations: fast (DequantizeRow, the dispatched path; its label names the ISA),
// reference (the scalar ground truth), and avx2 / avx512 directly when the CPU has them.

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/cpu_features.h"
#include "tensor/half.h"
#include "tensor/quant.h"
#include "tensor/x86/dequant_x86.h"

namespace dsinfer {
namespace {

constexpr int64_t kRows = 4096;
constexpr int64_t kCols = 4096;

constexpr DType kTypes[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1,
    DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kQ2_K, DType::kQ3_K,
    DType::kQ4_K, DType::kQ5_K, DType::kQ6_K, DType::kQ8_K,
};

// kRows x kCols elements of `type`: 64 distinct rows, tiled (building all rows with the K-quant
// searches would dominate the benchmark's start-up).
std::vector<uint8_t> MakeMatrix(DType type) {
  const uint64_t row_bytes = *RowBytes(type, kCols);
  constexpr int64_t kDistinctRows = 64;
  std::vector<uint8_t> distinct(row_bytes * kDistinctRows);
  std::mt19937 rng(5);
  if (CanQuantize(type)) {
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> x(kCols);
    for (int64_t r = 0; r < kDistinctRows; ++r) {
      for (auto& v : x) v = normal(rng);
      QuantizeRow(type, x.data(), distinct.data() + r * row_bytes, kCols);
    }
  } else {  // Q2_K / Q3_K: random quants, fp16 scales of 0.001 (no subnormal arithmetic)
    for (auto& b : distinct) b = static_cast<uint8_t>(rng());
    const uint32_t block = Traits(type).type_size;
    const uint16_t scale = Fp32ToFp16(0.001f);
    for (uint64_t off = 0; off < distinct.size(); off += block) {
      if (type == DType::kQ2_K) {  // d, dmin at the end
        std::memcpy(&distinct[off + block - 4], &scale, 2);
        std::memcpy(&distinct[off + block - 2], &scale, 2);
      } else {  // Q3_K: d at the end
        std::memcpy(&distinct[off + block - 2], &scale, 2);
      }
    }
  }
  std::vector<uint8_t> matrix(row_bytes * kRows);
  for (int64_t r = 0; r < kRows; ++r) {
    std::memcpy(matrix.data() + r * row_bytes, distinct.data() + (r % kDistinctRows) * row_bytes,
                row_bytes);
  }
  return matrix;
}

using RowFn = void (*)(DType type, const void* src, float* dst, int64_t n);

void RunDequant(benchmark::State& state, DType type, RowFn fn, bool whole_matrix) {
  const std::vector<uint8_t> matrix = MakeMatrix(type);
  const uint64_t row_bytes = *RowBytes(type, kCols);
  std::vector<float> out(whole_matrix ? kRows * kCols : kCols);
  for (auto _ : state) {
    for (int64_t r = 0; r < kRows; ++r) {
      float* dst = whole_matrix ? out.data() + r * kCols : out.data();
      fn(type, matrix.data() + r * row_bytes, dst, kCols);
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kRows * kCols * static_cast<int64_t>(sizeof(float)));
}

// The per-ISA functions, adapted to RowFn (looked up per call; the lookup is a switch).
void Avx2Row(DType type, const void* src, float* dst, int64_t n) {
  x86::Avx2Dequantizer(type)(src, dst, n);
}
void Avx512Row(DType type, const void* src, float* dst, int64_t n) {
  x86::Avx512Dequantizer(type)(src, dst, n);
}

void RegisterAll() {
  const CpuFeatures& cpu = GetCpuFeatures();
  for (DType type : kTypes) {
    for (bool whole_matrix : {true, false}) {
      const std::string suffix =
          std::string("/") + DTypeName(type) + (whole_matrix ? "/matrix" : "/row");
      benchmark::RegisterBenchmark(("BM_DequantFast" + suffix).c_str(),
                                   [=](benchmark::State& state) {
                                     state.SetLabel(DequantizeImplName(type));
                                     RunDequant(state, type, DequantizeRow, whole_matrix);
                                   })
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("BM_DequantReference" + suffix).c_str(), [=](benchmark::State&
                                                                                     state) {
        RunDequant(state, type, reference::DequantizeRow, whole_matrix);
      })->Unit(benchmark::kMillisecond);
      if (cpu.avx2 && x86::Avx2Dequantizer(type) != nullptr) {
        benchmark::RegisterBenchmark(
            ("BM_DequantAvx2" + suffix).c_str(),
            [=](benchmark::State& state) { RunDequant(state, type, Avx2Row, whole_matrix); })
            ->Unit(benchmark::kMillisecond);
      }
      if (cpu.avx512 && x86::Avx512Dequantizer(type) != nullptr) {
        benchmark::RegisterBenchmark(
            ("BM_DequantAvx512" + suffix).c_str(),
            [=](benchmark::State& state) { RunDequant(state, type, Avx512Row, whole_matrix); })
            ->Unit(benchmark::kMillisecond);
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
