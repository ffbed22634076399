// Internal to src/tensor: the x86 SIMD dequantizers, one set per instruction set. Exposed so that
// tests and benchmarks can run each implementation directly; everything else goes through
// DequantizeRow (tensor/quant.h), which picks one at run time.
//
// The getters themselves are compiled with the instruction set's flags: call them (and the
// functions they return) only after GetCpuFeatures() reports that instruction set. Each returned
// function has the contract of reference::DequantizeRow for its type (n a multiple of the block
// size, not checked again) and produces bit-identical results.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace dsinfer::x86 {

using DequantizeRowFn = void (*)(const void* src, float* dst, int64_t n);

// AVX2 + FMA + F16C version for `type`, or nullptr when there is none (other types, or a build
// for another architecture).
DequantizeRowFn Avx2Dequantizer(DType type);

// AVX-512 (F, BW, VL, DQ) version for `type`, or nullptr when there is none.
DequantizeRowFn Avx512Dequantizer(DType type);

}  // namespace dsinfer::x86
