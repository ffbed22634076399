#include "engine/kv_sizing.h"

#include <algorithm>
#include <limits>
#include <string>

#include "base/memory_limits.h"

namespace dsinfer::engine {

uint64_t KvBytesPerToken(const KvLayout& layout, DType type) {
  return static_cast<uint64_t>(layout.n_layer) * static_cast<uint64_t>(layout.k_width + layout.v_width) *
         Traits(type).type_size;
}

Expected<int32_t> ResolveKvBlockCount(const KvSizing& sizing, uint64_t bytes_per_token, int block_size,
                                      int max_batch_size, int64_t max_model_len) {
  if (block_size <= 0) return InvalidArgument("block_size must be positive, got " + std::to_string(block_size));
  const uint64_t block_bytes = bytes_per_token * static_cast<uint64_t>(block_size);
  auto from_bytes = [&](uint64_t bytes, const std::string& what) -> Expected<int32_t> {
    const uint64_t n = bytes / block_bytes;
    if (n == 0) {
      return InvalidArgument(what + " of " + std::to_string(bytes) + " bytes is less than one KV block (" +
                             std::to_string(block_bytes) + " bytes)");
    }
    if (n > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
      return InvalidArgument(what + " gives more than 2^31-1 KV blocks");
    }
    return static_cast<int32_t>(n);
  };
  if (sizing.blocks < 0) return InvalidArgument("kv_cache_blocks must be >= 0, got " + std::to_string(sizing.blocks));
  if (sizing.blocks > 0) return sizing.blocks;
  if (sizing.memory_bytes > 0) return from_bytes(sizing.memory_bytes, "kv_cache_memory");
  const uint64_t ram = ReadMemoryLimits().total;
  if (sizing.ram_fraction != 0) {
    if (!(sizing.ram_fraction > 0 && sizing.ram_fraction <= 1)) {
      return InvalidArgument("kv_cache_ram_fraction must be in (0, 1], got " + std::to_string(sizing.ram_fraction));
    }
    if (ram == 0) return InvalidArgument("kv_cache_ram_fraction: the RAM size is unknown");
    return from_bytes(static_cast<uint64_t>(static_cast<double>(ram) * sizing.ram_fraction), "kv_cache_ram_fraction");
  }
  const uint64_t blocks_per_seq = static_cast<uint64_t>((max_model_len + block_size - 1) / block_size);
  uint64_t want = blocks_per_seq * static_cast<uint64_t>(std::max(1, max_batch_size));
  if (ram > 0) want = std::min(want, std::max<uint64_t>(1, ram / 4 / block_bytes));
  want = std::min<uint64_t>(want, static_cast<uint64_t>(std::numeric_limits<int32_t>::max()));
  return static_cast<int32_t>(want);
}

}  // namespace dsinfer::engine
