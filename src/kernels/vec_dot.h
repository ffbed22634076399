// Internal to src/kernels: the activation side of MatMul and the per-type dot-product kernels.
//
// llama.cpp's CPU backend converts each activation row to the weight type's "vec_dot type"
// before a product (spec §5.7). This header names those types, the Q8_1 block (which only
// activations use), the scalar ground truth of the conversion and of every dot product, and the
// function-pointer types through which MatMul runs an implementation (reference, AVX2, AVX-512).
// Everything here is pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tensor/dtype.h"

namespace dsinfer {

// Q8_1 (activations for Q4_1/Q5_1 weights): y[j] = qs[j] * d, and s = fp16(d * sum(qs)).
struct BlockQ8_1 {
  uint16_t d;
  uint16_t s;
  int8_t qs[32];
};
static_assert(sizeof(BlockQ8_1) == 36);

// The type activations are converted to before a product with `weight_type` weights: Q8_0 for
// Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for Q2_K..Q6_K, F16/BF16/F32 for themselves.
// CHECK-fails for types MatMul does not support.
DType VecDotType(DType weight_type);

// Bytes of one activation row of `n` elements in `vec_dot_type` (n a multiple of its block).
uint64_t ActivationRowBytes(DType vec_dot_type, int64_t n);

// dst = x[0..n) converted to `vec_dot_type` (one of the types VecDotType returns).
using QuantizeActivationFn = void (*)(const float* x, void* dst, int64_t n);

// The most activation rows one DotRowsFn call handles.
inline constexpr int kMaxDotTokens = 8;

// For t < n_x (1..kMaxDotTokens): y[t * y_stride] = dot(w_row, x + t * x_stride), where w_row is
// one weight row of n elements and each x row is an activation row in the weight's vec_dot
// type. Rows need no alignment beyond what GGUF guarantees (2 bytes).
using DotRowsFn = void (*)(int64_t n, const void* w_row, const uint8_t* x, size_t x_stride, int n_x,
                           float* y, size_t y_stride);

// For t < n_x (1..kMaxPackedTokens), r < kPackRows: y[t * y_stride + r] = dot(row r of the
// packed 16-row group at w_group (kernels/packed.h), x + t * x_stride), n elements per row,
// activation rows in the weight's vec_dot type.
inline constexpr int kMaxPackedTokens = 4;
using PackedDotFn = void (*)(int64_t n, const uint8_t* w_group, const uint8_t* x, size_t x_stride,
                             int n_x, float* y, size_t y_stride);

namespace reference {

// Activation conversion with ggml's reference algorithms (quantize_row_q8_0_ref,
// quantize_row_q8_1_ref, quantize_row_q8_K_ref, fp32 -> fp16/bf16 rounding, f32 copy).
QuantizeActivationFn ActivationQuantizer(DType vec_dot_type);

// dot(w_row, x_row) for n elements of `weight_type` weights and an activation row of its
// vec_dot type, computed as ggml's scalar ggml_vec_dot_* functions do (integer block sums,
// block scales applied in the same order, f16/bf16/f32 products summed in double).
float VecDot(DType weight_type, int64_t n, const void* w_row, const void* x_row);

// VecDot for one weight type as a DotRowsFn.
DotRowsFn DotRows(DType weight_type);

}  // namespace reference

}  // namespace dsinfer
