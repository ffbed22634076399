// Conversions between f32 and the 16-bit float formats stored in GGUF (IEEE binary16, bfloat16).
// Bit-exact with ggml: f32->f16 rounds to nearest even; f32->bf16 rounds to nearest even and
// keeps NaNs quiet. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>

namespace dsinfer {

float Fp16ToFp32(uint16_t h);
uint16_t Fp32ToFp16(float f);

inline float Bf16ToFp32(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}
uint16_t Fp32ToBf16(float f);

}  // namespace dsinfer
