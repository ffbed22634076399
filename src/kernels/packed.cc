// Packed layouts (see packed.h). Per 16-row group and per block column, in this order:
//
// Q4_K (2304 bytes per 256 columns): d[16] fp16, dmin[16] fp16, then the three 32-bit words of
//   each row's 12 packed scale/min bytes as three arrays u0[16], u1[16], u2[16], then for each
//   pair p of 32-quant sub-blocks (2p, 2p+1) and each group g of 4 quants, 64 bytes: row r's
//   bytes qs[32p + 4g .. 32p + 4g + 3] at 4r (low nibbles: sub-block 2p, high: 2p + 1).
// Q8_0 (544 bytes per 32 columns): d[16] fp16, then for each group g of 4 quants, 64 bytes: row
//   r's qs[4g .. 4g + 3] XOR 0x80 (as unsigned bytes) at 4r.
// Q6_K (3360 bytes per 256 columns): d[16] fp16, scales[16 sub-blocks][16 rows] int8, then for
//   each sub-block j of 16 quants three 64-byte vectors A, B, H holding u = q + 32 (6 bits) of
//   quants 16j + 4k + i (group k < 4) of row r at byte 4r + i: A low/high nibbles: low 4 bits of
//   groups 0/1, B: of groups 2/3, H: the top 2 bits of groups 0, 1, 2, 3 in bits 0-1, 2-3, 4-5, 6-7.
// Q5_0 (352 bytes per 32 columns): d[16] fp16, then eight 64-bit masks, (g, low/high) for g < 4:
//   bit 4r + i is the fifth bit of quant 4g + i (low) or 16 + 4g + i (high) of row r, then for
//   each g < 4, 64 bytes: row r's qs[4g .. 4g + 3] at 4r (low nibbles: quants 4g.., high: 16 + 4g..).

#include "kernels/packed.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/check.h"
#include "base/cpu_features.h"
#include "tensor/quant.h"

namespace dsinfer {

namespace {

void PackQ4_K(const uint8_t* const* rows, int64_t blocks, uint8_t* dst) {
  constexpr size_t kBlock = 144;
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* out = dst + b * kBlock * kPackRows;
    for (int64_t r = 0; r < kPackRows; ++r) {
      const uint8_t* blk = rows[r] + b * kBlock;
      std::memcpy(out + 2 * r, blk, 2);               // d
      std::memcpy(out + 32 + 2 * r, blk + 2, 2);      // dmin
      std::memcpy(out + 64 + 4 * r, blk + 4, 4);      // scales bytes 0..3
      std::memcpy(out + 128 + 4 * r, blk + 8, 4);     // 4..7
      std::memcpy(out + 192 + 4 * r, blk + 12, 4);    // 8..11
      const uint8_t* qs = blk + 16;
      for (int p = 0; p < 4; ++p) {
        for (int g = 0; g < 8; ++g) {
          std::memcpy(out + 256 + p * 512 + g * 64 + 4 * r, qs + 32 * p + 4 * g, 4);
        }
      }
    }
  }
}

void PackQ8_0(const uint8_t* const* rows, int64_t blocks, uint8_t* dst) {
  constexpr size_t kBlock = 34;
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* out = dst + b * kBlock * kPackRows;
    for (int64_t r = 0; r < kPackRows; ++r) {
      const uint8_t* blk = rows[r] + b * kBlock;
      std::memcpy(out + 2 * r, blk, 2);
      for (int g = 0; g < 8; ++g) {
        uint32_t word;
        std::memcpy(&word, blk + 2 + 4 * g, 4);
        word ^= 0x80808080u;
        std::memcpy(out + 32 + g * 64 + 4 * r, &word, 4);
      }
    }
  }
}

// The 6-bit value (q + 32) of element e of a Q6_K block (as dequantize_row_q6_K reads it).
int Q6_KValue(const uint8_t* blk, int e) {
  const uint8_t* ql = blk;
  const uint8_t* qh = blk + 128;
  const int h = e / 128, quadrant = (e % 128) / 32, l = e % 32;
  const uint8_t low = ql[64 * h + l + 32 * (quadrant & 1)];
  const int nibble = quadrant < 2 ? (low & 0xF) : (low >> 4);
  const int high = (qh[32 * h + l] >> (2 * quadrant)) & 3;
  return nibble | (high << 4);
}

void PackQ6_K(const uint8_t* const* rows, int64_t blocks, uint8_t* dst) {
  constexpr size_t kBlock = 210;
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* out = dst + b * kBlock * kPackRows;
    for (int64_t r = 0; r < kPackRows; ++r) {
      const uint8_t* blk = rows[r] + b * kBlock;
      std::memcpy(out + 2 * r, blk + 208, 2);
      for (int j = 0; j < 16; ++j) out[32 + j * 16 + r] = blk[192 + j];
      for (int j = 0; j < 16; ++j) {
        uint8_t* a = out + 288 + j * 192;
        uint8_t* bb = a + 64;
        uint8_t* h = a + 128;
        for (int i = 0; i < 4; ++i) {
          int u[4];
          for (int k = 0; k < 4; ++k) u[k] = Q6_KValue(blk, 16 * j + 4 * k + i);
          a[4 * r + i] = static_cast<uint8_t>((u[0] & 0xF) | ((u[1] & 0xF) << 4));
          bb[4 * r + i] = static_cast<uint8_t>((u[2] & 0xF) | ((u[3] & 0xF) << 4));
          h[4 * r + i] = static_cast<uint8_t>((u[0] >> 4) | ((u[1] >> 4) << 2) | ((u[2] >> 4) << 4) |
                                              ((u[3] >> 4) << 6));
        }
      }
    }
  }
}

void PackQ5_0(const uint8_t* const* rows, int64_t blocks, uint8_t* dst) {
  constexpr size_t kBlock = 22;
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* out = dst + b * kBlock * kPackRows;
    uint64_t masks[8] = {};
    for (int64_t r = 0; r < kPackRows; ++r) {
      const uint8_t* blk = rows[r] + b * kBlock;
      std::memcpy(out + 2 * r, blk, 2);
      uint32_t qh;
      std::memcpy(&qh, blk + 2, 4);
      for (int g = 0; g < 4; ++g) {
        std::memcpy(out + 96 + g * 64 + 4 * r, blk + 6 + 4 * g, 4);
        masks[2 * g] |= static_cast<uint64_t>((qh >> (4 * g)) & 0xF) << (4 * r);
        masks[2 * g + 1] |= static_cast<uint64_t>((qh >> (16 + 4 * g)) & 0xF) << (4 * r);
      }
    }
    std::memcpy(out + 32, masks, sizeof(masks));
  }
}

bool RepackDisabled() {
  const char* v = std::getenv("DSINFER_REPACK");
  return v != nullptr && std::string_view(v) == "0";
}

}  // namespace

bool HasPackedLayout(DType type) {
  return type == DType::kQ4_K || type == DType::kQ5_0 || type == DType::kQ8_0 ||
         type == DType::kQ6_K;
}

bool PackedKernelAvailable(DType type) {
  static const bool disabled = RepackDisabled();
  if (disabled || !HasPackedLayout(type)) return false;
  const CpuFeatures& cpu = GetCpuFeatures();
  return cpu.avx512 && cpu.avx512_vnni;
}

void PackRows(DType type, const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst) {
  CHECK(HasPackedLayout(type)) << "no packed layout for " << DTypeName(type);
  CHECK(rows % kPackRows == 0) << "packing " << rows << " rows, not a multiple of " << kPackRows;
  const uint64_t row_bytes = *RowBytes(type, static_cast<uint64_t>(cols));
  const int64_t blocks = cols / Traits(type).block_size;
  for (int64_t g = 0; g < rows / kPackRows; ++g) {
    const uint8_t* group_rows[kPackRows];
    for (int64_t r = 0; r < kPackRows; ++r) group_rows[r] = src + (g * kPackRows + r) * row_bytes;
    uint8_t* out = dst + g * kPackRows * row_bytes;
    switch (type) {
      case DType::kQ4_K: PackQ4_K(group_rows, blocks, out); break;
      case DType::kQ8_0: PackQ8_0(group_rows, blocks, out); break;
      case DType::kQ5_0: PackQ5_0(group_rows, blocks, out); break;
      case DType::kQ6_K: PackQ6_K(group_rows, blocks, out); break;
      default: CHECK(false) << "unreachable";
    }
  }
}

}  // namespace dsinfer
