// Row conversions between f32 and every GGUF weight type dsinfer supports.
//
// DequantizeRow picks the fastest implementation this CPU supports (AVX-512, AVX2, scalar) at
// run time; reference::DequantizeRow is the plain scalar ground truth the fast versions are
// tested against (they must agree bit for bit). QuantizeRow follows llama.cpp's reference
// quantizers (no importance matrix), so a Q8_0 file made by dsinfer is byte-identical to one
// made by llama-quantize. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "tensor/dtype.h"

namespace dsinfer {

// True for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K, Q8_K.
bool CanDequantize(DType type);
// True for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K, Q8_K.
bool CanQuantize(DType type);

// Error naming the tensor and the type when `type` cannot be dequantized (e.g. IQ2_XXS),
// OK otherwise. `what` is the tensor name used in the message.
Status CheckDequantizable(DType type, const std::string& what);

// dst[0..n) = src row of n elements (n a multiple of the block size; CHECKed).
void DequantizeRow(DType type, const void* src, float* dst, int64_t n);

// dst = n elements of src in `type` (n a multiple of the block size; CHECKed).
// Writes RowBytes(type, n) bytes. src should be finite: NaN/inf inputs give unspecified (but
// memory-safe) blocks, as in llama.cpp. Uses llama-quantize's algorithms (no importance matrix);
// byte identity with its output is tested on the golden models for F16, BF16, Q4_0, Q5_0, Q8_0,
// Q4_K, Q5_K and Q6_K.
void QuantizeRow(DType type, const float* src, void* dst, int64_t n);

namespace reference {
// Same contract as DequantizeRow; plain scalar code written from spec §2, the ground truth.
void DequantizeRow(DType type, const void* src, float* dst, int64_t n);
}  // namespace reference

// Name of the implementation DequantizeRow uses for `type` on this CPU ("avx512", "avx2",
// "scalar"; "none" when the type cannot be dequantized), for benchmarks and logs.
const char* DequantizeImplName(DType type);

}  // namespace dsinfer
