// Internal to src/kernels: the MatMul driver and the implementation it runs. MatMul
// (kernels/matmul.h) picks one MatMulKernel per weight type from the CPU's features; tests and
// benchmarks build kernels for a specific instruction set and run them through RunMatMul.
#pragma once

#include <cstdint>

#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/vec_dot.h"

namespace dsinfer {

// One implementation of MatMul for one weight type.
struct MatMulKernel {
  DType activation_type = DType::kF32;      // VecDotType(weight type)
  QuantizeActivationFn quantize = nullptr;  // f32 -> activation_type (as the reference does)
  DotRowsFn dot = nullptr;                  // weight row x activation rows
  PackedDotFn packed_dot = nullptr;         // packed 16-row group x activation rows, or none
  const char* name = "scalar";              // "scalar", "avx2", "avx512" (for logs, benchmarks)
};

// The kernel MatMul uses for `weight_type` on this CPU (honours DSINFER_CPU; see
// base/cpu_features.h). CHECK-fails if !MatMulSupports(weight_type).
const MatMulKernel& ChooseMatMulKernel(DType weight_type);

// The scalar reference kernel for `weight_type` (reference::ActivationQuantizer + DotRows).
MatMulKernel ReferenceMatMulKernel(DType weight_type);

// MatMul's contract, computed with `kernel`: activations are converted once per call (in
// parallel over tokens), then output rows are cut into tiles of weight rows that fit in L2,
// which the threads of `pool` take in order; each tile is swept once per group of up to
// kMaxDotTokens tokens. Results do not depend on the number of threads.
void RunMatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool* pool,
               const MatMulKernel& kernel);

// MatMulMany's contract with kernels[i] for jobs[i] (kernels[i] must convert activations to
// VecDotType(jobs[i].w.type)).
void RunMatMulMany(const MatMulJob* jobs, const MatMulKernel* const* kernels, size_t n_jobs,
                   ThreadPool* pool);

}  // namespace dsinfer
