// Packing a model's matrices for the packed MatMul kernels (kernels/packed.h).
//
// PackModelWeights copies every matrix whose type has a packed kernel on this CPU into one
// region (anonymous memory backed by transparent huge pages, or a cache file, see PackOptions)
// and points the matrices' `packed` fields at it; the region lives as long as the weights. The
// copy is of the same size as the packed tensors. The file's pages of fully packed tensors are
// released from the process (file-backed weights only) and stay in the page cache, which makes
// the next load faster, unless the file and the copy together exceed the memory the process may
// use (the machine's, or a container's limit: base/memory_limits.h); then they are reclaimed as
// soon as they are packed, so that free memory rather than a full page cache serves the rest of
// the copy and it gets 2 MiB pages. Skipped, with a reason, when no type has a packed kernel,
// DSINFER_REPACK=0, or the copy would not fit in available memory (a container's headroom
// included).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/thread_pool.h"
#include "model/weights.h"

namespace dsinfer {

struct PackOptions {
  // The matrices point into a read-only mapping of this file (their pages may be released).
  bool file_backed = false;
  std::string source_path;  // the model file, for the cache key
  // Directory for cache files of packed weights; empty: none. Large models' packed weights are
  // written there once ("<file>.<key>.packed", key = source path, size, mtime and layout) and
  // later loads map the file instead of packing again; processes that load the same model
  // share its pages.
  std::string cache_dir;
  // Only packed copies of at least this size get a cache file (small ones pack in well under a
  // second).
  uint64_t min_cached_bytes = uint64_t{256} << 20;
  // Reclaim the file's pages from the page cache as they are packed: unset decides by size
  // (when the file and the copy together exceed the machine's memory); tests force either way.
  std::optional<bool> evict_source_pages;
};

// The cache directory from the environment: $DSINFER_CACHE_DIR, none when unset or "off".
// The cache trades decode speed for load time: the packed copy then lives in the page cache on
// 4 KiB pages, and a decoded token's 1.5 GB stream (V2-Lite) misses the TLB on every page, while
// anonymous memory gets 2 MiB pages (Q4_K GEMV from DRAM, 2 threads: 55 vs 34 GB/s); it saves
// the packing on every start (V2-Lite on this VM: 40 s -> under 2 s) and lets processes that
// serve the same file share one copy.
std::string DefaultPackCacheDir();

struct PackSummary {
  uint64_t packed_bytes = 0;  // bytes copied into the packed region
  int packed_matrices = 0;    // tensors (stacked ones count once)
  std::string skipped_reason; // non-empty when nothing was packed although something could be
  bool from_cache = false;    // the packed weights were mapped from an existing cache file
  // The model file's pages were reclaimed from the page cache as they were packed, because the
  // file and the copy together exceed the memory the process may use (see PackModelWeights).
  bool evicted_source_pages = false;
  std::string cache_path;     // the cache file used or written, if any
};

PackSummary PackModelWeights(ModelWeights* weights, ThreadPool& pool, const PackOptions& options);

}  // namespace dsinfer
