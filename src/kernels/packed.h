// Row-interleaved ("packed") weights for the decode-speed kernels.
//
// Decoding a token reads every active weight once, so MatMul's speed limit is memory bandwidth,
// and a kernel that handles one row at a time spends most of its instructions on per-block
// bookkeeping (scale unpacking, horizontal sums) rather than on products. Packing interleaves
// groups of kPackRows rows block by block, so one 512-bit integer dot-product instruction
// covers four quants of each of 16 rows, the activation operand is a broadcast from memory,
// each row's running sum stays in its own vector lane, and block scales of all 16 rows unpack
// together. A packed group occupies exactly the bytes of its 16 source rows (same offsets per
// group), so packing never changes how many bytes a token reads.
//
// Packed kernels give the same integer block sums as the reference, with the block scales
// applied per block in float (only the float summation order differs from the reference), and
// read the same activation rows as the unpacked kernels of the type.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace dsinfer {

inline constexpr int64_t kPackRows = 16;

// Whether MatMul on this CPU has a packed kernel for `type` and packing is not disabled with
// DSINFER_REPACK=0 (for comparisons). Packing weights of other types is pointless.
bool PackedKernelAvailable(DType type);

// Whether `type` has a packed layout at all (independent of the CPU): Q4_K, Q6_K, Q5_0, Q8_0.
bool HasPackedLayout(DType type);

// Packs rows [0, rows) of a matrix of `cols`-element rows of `type` (rows % kPackRows == 0,
// HasPackedLayout(type)): dst receives rows * RowBytes(type, cols) bytes; group g of 16 rows
// starts at g * 16 * row_bytes. src and dst must not overlap.
void PackRows(DType type, const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst);

}  // namespace dsinfer
