#include "tensor/half.h"

#include <cmath>
#include <cstring>

// The binary16 conversions are the portable bit-manipulation algorithms ggml uses when the
// compiler gives it no F16C instructions (ggml_compute_fp16_to_fp32 / ggml_compute_fp32_to_fp16,
// originally from the FP16 library by Marat Dukhan). For every finite value and infinity they
// give the same result as the F16C instructions (round to nearest even, gradual underflow);
// f32 -> f16 turns every NaN into the canonical quiet NaN 0x7E00 with the input's sign.

namespace dsinfer {

namespace {

inline float FloatFromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

inline uint32_t BitsFromFloat(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

}  // namespace

float Fp16ToFp32(uint16_t h) {
  const uint32_t w = static_cast<uint32_t>(h) << 16;
  const uint32_t sign = w & 0x80000000u;
  const uint32_t two_w = w + w;  // exponent and mantissa, shifted up by one (sign dropped)

  // Normal numbers, infinities and NaNs: put the 5-bit exponent into the f32 exponent field,
  // offset so that one multiplication by 2^-112 rebiases it (and leaves inf/NaN as they are).
  const uint32_t exp_offset = 0xE0u << 23;
  const float exp_scale = 0x1.0p-112f;
  const float normalized_value = FloatFromBits((two_w >> 4) + exp_offset) * exp_scale;

  // Subnormals: build 0.5 + mantissa * 2^-24 exactly, then subtract 0.5.
  const uint32_t magic_mask = 126u << 23;
  const float magic_bias = 0.5f;
  const float denormalized_value = FloatFromBits((two_w >> 17) | magic_mask) - magic_bias;

  const uint32_t denormalized_cutoff = 1u << 27;
  const uint32_t result = sign | (two_w < denormalized_cutoff ? BitsFromFloat(denormalized_value)
                                                              : BitsFromFloat(normalized_value));
  return FloatFromBits(result);
}

uint16_t Fp32ToFp16(float f) {
  // Scaling up then down by powers of two makes the FPU do the rounding to 10 mantissa bits
  // (round to nearest even) and produce infinity for values beyond the binary16 range.
  const float scale_to_inf = 0x1.0p+112f;
  const float scale_to_zero = 0x1.0p-110f;
  float base = (std::fabs(f) * scale_to_inf) * scale_to_zero;

  const uint32_t w = BitsFromFloat(f);
  const uint32_t shl1_w = w + w;
  const uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1_w & 0xFF000000u;
  if (bias < 0x71000000u) bias = 0x71000000u;

  base = FloatFromBits((bias >> 1) + 0x07800000u) + base;
  const uint32_t bits = BitsFromFloat(base);
  const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
  const uint32_t mantissa_bits = bits & 0x00000FFFu;
  const uint32_t nonsign = exp_bits + mantissa_bits;
  return static_cast<uint16_t>((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

uint16_t Fp32ToBf16(float f) {
  const uint32_t u = BitsFromFloat(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) {
    return static_cast<uint16_t>((u >> 16) | 64);  // NaN: keep sign and payload, force quiet
  }
  return static_cast<uint16_t>((u + (0x7FFFu + ((u >> 16) & 1))) >> 16);
}

}  // namespace dsinfer
