// KvCache: the key/value storage of all sequences, as a pool of fixed-size blocks of token slots.
//
// A sequence owns an ordered list of block ids (its block table); the token at position p lives
// in block table[p / block_size], slot p % block_size. Within a block, each layer keeps
// block_size rows of k_width values (and v_width values when V is stored separately). For
// deepseek2 MLA files a row is the normalised latent followed by the roped shared key
// (kv_lora_rank + n_rot values) and there is no V; for the other architectures K and V hold
// H_kv heads each. Elements are stored as F32, F16 or BF16 and read back as f32.
//
// This class only stores; who owns which block is the engine's business (block pool, prefix
// cache). Not thread-safe for concurrent writes to the same row; distinct rows may be written
// and read from different threads. Move-only.
#pragma once

#include <cstdint>
#include <vector>

#include "base/huge_page_memory.h"
#include "base/status.h"
#include "tensor/dtype.h"

namespace dsinfer {

struct KvLayout {
  int n_layer = 0;
  int64_t k_width = 0;  // values per token per layer in K rows
  int64_t v_width = 0;  // values per token per layer in V rows (0: V is a prefix of K)
};

class KvCache {
 public:
  // Allocates n_blocks * block_size token slots for every layer. `type` is F32, F16 or BF16.
  static Expected<KvCache> Create(const KvLayout& layout, int block_size, int n_blocks, DType type);

  KvCache(KvCache&&) noexcept = default;
  KvCache& operator=(KvCache&&) noexcept = default;
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  const KvLayout& layout() const { return layout_; }
  int block_size() const { return block_size_; }
  int n_blocks() const { return n_blocks_; }
  DType type() const { return type_; }
  // Bytes of cache per token over all layers (K and V).
  uint64_t bytes_per_token() const;
  uint64_t total_bytes() const { return total_bytes_; }

  // Stores f32 values into the K (or V) row of (layer, block, slot), converting to the type.
  void WriteK(int layer, int block, int slot, const float* values);
  void WriteV(int layer, int block, int slot, const float* values);

  // Returns the row as f32: a pointer into the cache for F32, else `scratch` (k_width or
  // v_width floats) filled by conversion.
  const float* ReadK(int layer, int block, int slot, float* scratch) const;
  const float* ReadV(int layer, int block, int slot, float* scratch) const;

 private:
  KvCache() = default;
  uint8_t* RowPtr(int layer, int block, int slot, bool v) const;

  KvLayout layout_;
  int block_size_ = 0;
  int n_blocks_ = 0;
  DType type_ = DType::kF32;
  uint64_t elem_bytes_ = 4;
  uint64_t block_bytes_ = 0;   // one block, all layers
  uint64_t layer_bytes_ = 0;   // one block, one layer (K then V)
  uint64_t total_bytes_ = 0;
  // On 2 MiB pages where the kernel allows: attention reads each sequence's rows block by block
  // from all over the pool, and with 4 KiB pages every 4 KiB of rows was a TLB miss (6% of a
  // 16-sequence V2-Lite step went to reading F16 rows).
  HugePageMemory storage_;
};

}  // namespace dsinfer
