// Matrix products of weights in any supported GGUF type with f32 activations.
//
// y[t][n] = sum_k W[n][k] * x[t][k] for t < n_tokens, n < rows, k < cols: each weight row is
// one output feature (the nn.Linear layout; GGUF ne = [cols, rows]).
//
// Numerics mirror llama.cpp's CPU backend: before the product each activation row is converted
// to the weight type's "vec_dot type" (Q8_0 blocks for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K
// for the K-quants, F16 for F16 weights, BF16 for BF16 weights, none for F32), and the dot
// product runs on the quantized values with the block scales applied as ggml does. This is what
// makes logits agree with llama.cpp's to ~1e-3 instead of ~3e-2 on quantized models.
//
// MatMul picks the fastest implementation for this CPU; reference::MatMul is the scalar ground
// truth (same activation quantization, plain loops). Both are thread-safe for distinct outputs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"
#include "tensor/dtype.h"

namespace dsinfer {

// A 2-D weight matrix (or one expert's slice of a 3-D tensor) viewed in place.
struct WeightMatrix {
  DType type = DType::kF32;
  const uint8_t* data = nullptr;  // rows * row_bytes bytes
  int64_t cols = 0;               // K: elements per row (ne0)
  int64_t rows = 0;               // N: output features (ne1)
  uint64_t row_bytes = 0;         // bytes per row (RowBytes(type, cols))
  // Optional copy of rows [0, rows - rows % kPackRows) in the packed layout of kernels/packed.h
  // (group g at packed + g * kPackRows * row_bytes); MatMul uses it when this CPU has a packed
  // kernel for `type`, and `data` for the remaining rows.
  const uint8_t* packed = nullptr;
};

// Whether MatMul supports `type` as a weight type.
bool MatMulSupports(DType type);

// x: [n_tokens, cols] row-major; y: [n_tokens, rows] row-major (overwritten).
// `pool` may be null (single-threaded). Work is split over output rows.
void MatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool* pool);

// One product of a MatMulMany call: y = W x as in MatMul.
struct MatMulJob {
  WeightMatrix w;
  const float* x = nullptr;  // [n_tokens, w.cols]
  int64_t n_tokens = 0;
  float* y = nullptr;        // [n_tokens, w.rows]; must not overlap another job's x or y
};

// Runs independent products in one parallel sweep: a decoded token has dozens of small products
// per layer (attention heads, experts), and one pass over all of them keeps every thread
// streaming weights instead of waiting at a barrier after each. Jobs that read the same x
// convert it once. Each output equals what MatMul computes for its job alone.
void MatMulMany(const MatMulJob* jobs, size_t n_jobs, ThreadPool* pool);

namespace reference {
void MatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y);
}  // namespace reference

}  // namespace dsinfer
