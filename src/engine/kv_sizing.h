// How many KV blocks the engine gets: from an explicit block count, a byte budget, or a fraction
// of RAM (the first one given wins), else enough for max_batch_size sequences of the full
// context, capped at a quarter of RAM. RAM is what the process may use: the machine's, or its
// container's memory limit when lower (base/memory_limits.h). Thread-safe.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "model/kv_cache.h"
#include "tensor/dtype.h"

namespace dsinfer::engine {

struct KvSizing {
  int32_t blocks = 0;        // exact block count
  uint64_t memory_bytes = 0; // --kv-cache-memory
  double ram_fraction = 0;   // of RAM (as above), in (0, 1]
};

// Bytes of one token's KV rows over all layers (what KvCache::bytes_per_token reports).
uint64_t KvBytesPerToken(const KvLayout& layout, DType type);

// Errors name the option: a budget smaller than one block, a fraction outside (0, 1], or more
// than 2^31-1 blocks.
Expected<int32_t> ResolveKvBlockCount(const KvSizing& sizing, uint64_t bytes_per_token, int block_size,
                                      int max_batch_size, int64_t max_model_len);

}  // namespace dsinfer::engine
