// CpuFeatures: which x86 SIMD extensions this CPU and OS support, detected once at start-up.
// Kernels pick their implementation from it at run time. Thread-safe (immutable after init).
#pragma once

namespace dsinfer {

struct CpuFeatures {
  bool avx2 = false;       // AVX2 + FMA + F16C
  bool avx512 = false;     // AVX-512 F, BW, VL, DQ
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
  bool avx_vnni = false;
};

// Detected features, possibly lowered by the DSINFER_CPU environment variable
// ("scalar", "avx2", "avx512") so tests and benchmarks can pin an implementation.
const CpuFeatures& GetCpuFeatures();

// Short description such as "avx512 vnni bf16" for logs and benchmark reports.
const char* CpuFeaturesName();

}  // namespace dsinfer
