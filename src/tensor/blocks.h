// Byte layouts of the quantized block formats of GGUF (spec §2; ggml's ggml-common.h).
// fp16 fields are stored as their raw IEEE binary16 bits. The structs contain only byte-sized or
// naturally aligned fields in the on-disk order, so sizeof() equals the on-disk block size; code
// that reads blocks from a file should memcpy them (or read fields through byte pointers), since a
// row is only guaranteed to be aligned to 2 bytes. Pure data; thread-safe.
#pragma once

#include <cstdint>

namespace dsinfer {

inline constexpr int kQK4_0 = 32;  // elements per Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 block
inline constexpr int kQK_K = 256;  // elements per K-quant super-block

// Q4_0: y[j] = ((qs[j] & 15) - 8) * d, y[j+16] = ((qs[j] >> 4) - 8) * d.
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[16];
};
// Q4_1: y = q * d + m (q the 4-bit value, same element order as Q4_0).
struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[16];
};
// Q5_0: 5th bit of element j (j < 16) is bit j of the little-endian qh word, of element j+16 bit
// j+16; y = (q - 16) * d.
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[16];
};
// Q5_1: as Q5_0 with y = q * d + m.
struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[16];
};
// Q8_0: y[j] = qs[j] * d.
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[32];
};
// Q2_K: scales[i] low nibble = scale, high nibble = min of group i of 16 elements.
struct BlockQ2_K {
  uint8_t scales[16];
  uint8_t qs[64];
  uint16_t d;
  uint16_t dmin;
};
// Q3_K: 16 signed 6-bit scales packed in scales[12]; hmask holds the 3rd bit.
struct BlockQ3_K {
  uint8_t hmask[32];
  uint8_t qs[64];
  uint8_t scales[12];
  uint16_t d;
};
// Q4_K: eight 6-bit (scale, min) pairs packed in scales[12] (see GetScaleMinK4).
struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qs[128];
};
// Q5_K: as Q4_K plus a 5th bit per element in qh.
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[32];
  uint8_t qs[128];
};
// Q6_K: 4 low bits in ql, 2 high bits in qh, 16 int8 scales.
struct BlockQ6_K {
  uint8_t ql[128];
  uint8_t qh[64];
  int8_t scales[16];
  uint16_t d;
};
// Q8_K: f32 scale, int8 quants, and the sum of each group of 16 quants.
struct BlockQ8_K {
  float d;
  int8_t qs[256];
  int16_t bsums[16];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block (spec §2.5).
inline void GetScaleMinK4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4);
    *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

}  // namespace dsinfer
