// BlockTable: the KV blocks of one owner (a sequence, or a warm-up pin), in position order:
// the token at position p lives in blocks[p / block_size]. Each entry is one reference counted
// by the BlockPool; the table is changed only through KvBlockManager, which keeps the counts
// right. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/prefix_cache.h"

namespace dsinfer::engine {

struct BlockTable {
  std::vector<int32_t> blocks;
  // Chained hashes of the leading full blocks whose KV is written (blocks[0, hashes.size())).
  // Those blocks are offered to the prefix cache and never written again.
  std::vector<BlockHash> hashes;

  bool empty() const { return blocks.empty(); }
};

}  // namespace dsinfer::engine
