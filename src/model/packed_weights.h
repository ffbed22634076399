// Packing a model's matrices for the packed MatMul kernels (kernels/packed.h).
//
// PackModelWeights copies every matrix whose type has a packed kernel on this CPU into one
// anonymous region backed by transparent huge pages (so a decoded token's scattered expert
// reads miss the TLB far less than on the file's 4 KiB pages) and points the matrices'
// `packed` fields at it; the region lives as long as the weights. The copy is of the same size
// as the packed tensors; the file's pages of fully packed tensors are released from the process
// (they stay in the page cache until the kernel needs the memory; file-backed weights only). Skipped, with a reason, when
// no type has a packed kernel, DSINFER_REPACK=0, or the copy would not fit in available memory.
#pragma once

#include <cstdint>
#include <string>

#include "base/thread_pool.h"
#include "model/weights.h"

namespace dsinfer {

struct PackSummary {
  uint64_t packed_bytes = 0;  // bytes copied into the packed region
  int packed_matrices = 0;    // tensors (stacked ones count once)
  std::string skipped_reason; // non-empty when nothing was packed although something could be
};

// `file_backed`: the matrices point into a read-only file mapping (their pages may be released).
PackSummary PackModelWeights(ModelWeights* weights, ThreadPool& pool, bool file_backed);

}  // namespace dsinfer
