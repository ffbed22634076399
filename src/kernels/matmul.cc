// MatMul: per-type kernel selection (AVX-512 > AVX2 > scalar, once per process) and the driver
// that converts activations and sweeps weight rows in cache-sized tiles over the thread pool.

#include "kernels/matmul.h"

#include <algorithm>
#include <array>
#include <vector>

#include "base/check.h"
#include "base/cpu_features.h"
#include "kernels/matmul_kernel.h"
#include "kernels/x86/matmul_x86.h"

namespace dsinfer {

namespace {

constexpr DType kSupported[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1,
    DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kQ2_K, DType::kQ3_K,
    DType::kQ4_K, DType::kQ5_K, DType::kQ6_K,
};

constexpr size_t kMaxTypeId = 64;  // larger than every ggml type id in DType

// Weight bytes swept per tile: small enough to stay in L2 while every token group reuses it.
constexpr uint64_t kTileBytes = 128 * 1024;

MatMulKernel BestKernel(DType weight_type) {
  MatMulKernel kernel = ReferenceMatMulKernel(weight_type);
  const CpuFeatures& cpu = GetCpuFeatures();
  if (cpu.avx512 && cpu.avx512_vnni) {
    DotRowsFn dot = weight_type == DType::kBF16 && cpu.avx512_bf16
                        ? x86::Avx512Bf16DotRows()
                        : x86::Avx512DotRows(weight_type);
    if (dot != nullptr) {
      kernel.dot = dot;
      kernel.name = "avx512";
      if (QuantizeActivationFn q = x86::Avx512ActivationQuantizer(kernel.activation_type)) {
        kernel.quantize = q;
      }
      return kernel;
    }
  }
  if (cpu.avx2) {
    if (DotRowsFn dot = x86::Avx2DotRows(weight_type)) {
      kernel.dot = dot;
      kernel.name = "avx2";
    }
  }
  return kernel;
}

std::array<MatMulKernel, kMaxTypeId> ChooseKernels() {
  std::array<MatMulKernel, kMaxTypeId> table{};
  for (DType type : kSupported) table[static_cast<size_t>(type)] = BestKernel(type);
  return table;
}

// Scratch for the converted activations of the calling thread; grows, never shrinks.
std::vector<uint8_t>& ActivationScratch() {
  thread_local std::vector<uint8_t> scratch;
  return scratch;
}

// Everything one MatMul call's workers share, read-only. The lambdas handed to ParallelFor
// capture only a pointer to it, so std::function stores them without allocating.
struct MatMulCall {
  const WeightMatrix* w;
  const float* x;
  int64_t n_tokens;
  float* y;
  const MatMulKernel* kernel;
  uint64_t activation_bytes;
  const uint8_t* activations;  // [n_tokens][activation_bytes]
  int64_t tile_rows;
};

void ConvertActivations(const MatMulCall& c, uint8_t* out, size_t begin, size_t end) {
  for (size_t t = begin; t < end; ++t) {
    c.kernel->quantize(c.x + t * c.w->cols, out + t * c.activation_bytes, c.w->cols);
  }
}

// Output rows [begin, end): tiles of tile_rows weight rows, each swept once per token group.
void SweepRows(const MatMulCall& c, int64_t begin, int64_t end) {
  const WeightMatrix& w = *c.w;
  for (int64_t r0 = begin; r0 < end; r0 += c.tile_rows) {
    const int64_t r1 = std::min(r0 + c.tile_rows, end);
    for (int64_t t0 = 0; t0 < c.n_tokens; t0 += kMaxDotTokens) {
      const int n_x = static_cast<int>(std::min<int64_t>(kMaxDotTokens, c.n_tokens - t0));
      const uint8_t* xt = c.activations + t0 * c.activation_bytes;
      for (int64_t r = r0; r < r1; ++r) {
        c.kernel->dot(w.cols, w.data + r * w.row_bytes, xt, c.activation_bytes, n_x,
                      c.y + t0 * w.rows + r, static_cast<size_t>(w.rows));
      }
    }
  }
}

}  // namespace

bool MatMulSupports(DType type) {
  return std::find(std::begin(kSupported), std::end(kSupported), type) != std::end(kSupported);
}

const MatMulKernel& ChooseMatMulKernel(DType weight_type) {
  CHECK(MatMulSupports(weight_type))
      << "MatMul: unsupported weight type " << DTypeName(weight_type);
  static const std::array<MatMulKernel, kMaxTypeId> table = ChooseKernels();
  return table[static_cast<size_t>(weight_type)];
}

MatMulKernel ReferenceMatMulKernel(DType weight_type) {
  MatMulKernel kernel;
  kernel.activation_type = VecDotType(weight_type);
  kernel.quantize = reference::ActivationQuantizer(kernel.activation_type);
  kernel.dot = reference::DotRows(weight_type);
  kernel.name = "scalar";
  return kernel;
}

void RunMatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool* pool,
               const MatMulKernel& kernel) {
  CHECK(MatMulSupports(w.type)) << "MatMul: unsupported weight type " << DTypeName(w.type);
  CHECK(w.row_bytes == RowBytes(w.type, w.cols))
      << "MatMul: row_bytes " << w.row_bytes << " does not match " << w.cols << " "
      << DTypeName(w.type) << " elements";
  if (n_tokens <= 0 || w.rows <= 0) return;
  const bool parallel = pool != nullptr && pool->num_threads() > 1;

  MatMulCall call{
      .w = &w,
      .x = x,
      .n_tokens = n_tokens,
      .y = y,
      .kernel = &kernel,
      .activation_bytes = ActivationRowBytes(kernel.activation_type, w.cols),
      .activations = reinterpret_cast<const uint8_t*>(x),
      .tile_rows = std::max<int64_t>(
          1, static_cast<int64_t>(kTileBytes / std::max<uint64_t>(w.row_bytes, 1))),
  };

  // Activations in the vec_dot type; F32 weights use x as it is.
  if (kernel.activation_type != DType::kF32) {
    std::vector<uint8_t>& scratch = ActivationScratch();
    const uint64_t bytes = n_tokens * call.activation_bytes;
    if (scratch.size() < bytes) scratch.resize(bytes);
    uint8_t* out = scratch.data();
    if (parallel && n_tokens > 1) {
      pool->ParallelFor(static_cast<size_t>(n_tokens), [c = &call, out](int, size_t b, size_t e) {
        ConvertActivations(*c, out, b, e);
      });
    } else {
      ConvertActivations(call, out, 0, static_cast<size_t>(n_tokens));
    }
    call.activations = out;
  }

  if (parallel && w.rows > 1) {
    pool->ParallelFor(static_cast<size_t>(w.rows), [c = &call](int, size_t b, size_t e) {
      SweepRows(*c, static_cast<int64_t>(b), static_cast<int64_t>(e));
    });
  } else {
    SweepRows(call, 0, w.rows);
  }
}

void MatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool* pool) {
  RunMatMul(w, x, n_tokens, y, pool, ChooseMatMulKernel(w.type));
}

}  // namespace dsinfer
