// Internal to src/kernels: the x86 SIMD dot-product kernels and activation quantizers, one set
// per instruction set. Exposed so that tests and benchmarks can run each implementation directly;
// everything else goes through MatMul (kernels/matmul.h), which picks one at run time.
//
// Each getter is compiled with its instruction set's flags: call it (and the functions it
// returns) only after GetCpuFeatures() reports that instruction set. A returned DotRowsFn has the
// contract of reference::DotRows for its type and differs from it only by float summation order
// (the integer block sums are exact); a returned activation quantizer produces the reference's
// bytes exactly.
#pragma once

#include "kernels/vec_dot.h"
#include "tensor/dtype.h"

namespace dsinfer::x86 {

// AVX2 + FMA + F16C dot kernel for `weight_type`, or nullptr when there is none.
DotRowsFn Avx2DotRows(DType weight_type);

// AVX-512 F/BW/VL/DQ + VNNI dot kernel for `weight_type`, or nullptr (BF16 widened to f32 here;
// Avx512Bf16DotRows is the faster choice where the CPU has AVX512_BF16).
DotRowsFn Avx512DotRows(DType weight_type);

// The K-quant part of Avx512DotRows (Q2_K..Q6_K), defined in dot_avx512_k.cc; nullptr for
// other types.
DotRowsFn Avx512KQuantDotRows(DType weight_type);

// AVX-512 BF16 dot kernel for BF16 weights (needs CpuFeatures::avx512_bf16 as well).
DotRowsFn Avx512Bf16DotRows();

// AVX-512 F/BW/VL/DQ + VNNI kernel for packed 16-row groups of `weight_type` (Q4_K, Q6_K,
// Q5_0, Q8_0; kernels/packed.h), or nullptr.
PackedDotFn Avx512PackedDotRows(DType weight_type);

// AVX-512 F/BW/VL/DQ activation quantizer for `vec_dot_type` (Q8_0, Q8_K), or nullptr.
QuantizeActivationFn Avx512ActivationQuantizer(DType vec_dot_type);

}  // namespace dsinfer::x86
