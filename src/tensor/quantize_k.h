// Internal to src/tensor: the K-quant quantizers (llama.cpp's quantize_row_q{4,5,6}_K_ref) and
// the rounding helper they share with Q8_K. Use QuantizeRow (tensor/quant.h) from outside.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace dsinfer {

// Round to nearest, ties to even, for |v| < 2^22 (ggml's nearest_int, including its float trick).
// Larger magnitudes saturate to +-2^22 instead of returning ggml's garbage (only reachable with
// degenerate scales; every caller clamps the result to a small range afterwards).
int NearestInt(float v);

// dst = n elements (a multiple of 256) as Q4_K / Q5_K / Q6_K blocks.
void QuantizeRowQ4_K(const float* x, void* dst, int64_t n);
void QuantizeRowQ5_K(const float* x, void* dst, int64_t n);
void QuantizeRowQ6_K(const float* x, void* dst, int64_t n);

}  // namespace dsinfer
