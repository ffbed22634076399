#include "base/cpu_features.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace dsinfer {

namespace {

CpuFeatures Detect() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  f.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512 = f.avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  f.avx512_vnni = f.avx512 && __builtin_cpu_supports("avx512vnni");
  f.avx512_bf16 = f.avx512 && __builtin_cpu_supports("avx512bf16");
#if defined(__clang__) && __clang_major__ < 15
  f.avx_vnni = false;  // clang 14 does not know the "avxvnni" feature name; AVX-512 VNNI covers it
#else
  f.avx_vnni = f.avx2 && __builtin_cpu_supports("avxvnni");
#endif
#endif
  if (const char* pin = std::getenv("DSINFER_CPU")) {
    if (std::strcmp(pin, "scalar") == 0) {
      f = CpuFeatures{};
    } else if (std::strcmp(pin, "avx2") == 0) {
      f.avx512 = f.avx512_vnni = f.avx512_bf16 = false;
    }
  }
  return f;
}

}  // namespace

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures features = Detect();
  return features;
}

const char* CpuFeaturesName() {
  static const std::string name = [] {
    const CpuFeatures& f = GetCpuFeatures();
    std::string s = f.avx512 ? "avx512" : f.avx2 ? "avx2" : "scalar";
    if (f.avx512_vnni) s += " vnni";
    if (f.avx512_bf16) s += " bf16";
    return s;
  }();
  return name.c_str();
}

}  // namespace dsinfer
