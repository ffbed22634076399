// Internal to src/kernels: SIMD versions of the element-wise ops in kernels/ops.h. Call them only
// after GetCpuFeatures() reports their instruction set; kernels/ops.h dispatches to them.
#pragma once

#include <cstdint>

namespace dsinfer::x86 {

using SwiGluFn = void (*)(const float* gate, const float* up, int64_t n, float* out);

// AVX-512F SwiGlu (nullptr where not built): the contract of reference::SwiGlu, with expf
// evaluated by a polynomial within a few ulp of the library's (relative difference < 1e-6).
SwiGluFn Avx512SwiGlu();

}  // namespace dsinfer::x86
