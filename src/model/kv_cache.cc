#include "model/kv_cache.h"

#include <cstring>

#include "tensor/half.h"
#include "tensor/quant.h"

namespace dsinfer {

Expected<KvCache> KvCache::Create(const KvLayout& layout, int block_size, int n_blocks, DType type) {
  if (type != DType::kF32 && type != DType::kF16 && type != DType::kBF16) {
    return InvalidArgument(std::string("KV cache type must be F32, F16 or BF16, not ") + DTypeName(type));
  }
  if (block_size <= 0 || n_blocks <= 0 || layout.n_layer <= 0 || layout.k_width <= 0) {
    return InvalidArgument("KV cache needs positive block size, block count and row width");
  }
  KvCache c;
  c.layout_ = layout;
  c.block_size_ = block_size;
  c.n_blocks_ = n_blocks;
  c.type_ = type;
  c.elem_bytes_ = Traits(type).type_size;
  c.layer_bytes_ = static_cast<uint64_t>(block_size) * (layout.k_width + layout.v_width) * c.elem_bytes_;
  c.block_bytes_ = c.layer_bytes_ * static_cast<uint64_t>(layout.n_layer);
  const uint64_t total = c.block_bytes_ * static_cast<uint64_t>(n_blocks);
  c.storage_ = HugePageMemory::Map(total);
  if (c.storage_.data() == nullptr) {
    return ResourceExhausted("cannot allocate " + std::to_string(total) + " bytes of KV cache");
  }
  // Commit the whole pool now, as serving engines do: running out of memory should happen at
  // start-up, not under load when the last blocks are first written.
  std::memset(c.storage_.data(), 0, total);
  c.total_bytes_ = total;
  return c;
}

uint64_t KvCache::bytes_per_token() const {
  return static_cast<uint64_t>(layout_.n_layer) * (layout_.k_width + layout_.v_width) * elem_bytes_;
}

uint8_t* KvCache::RowPtr(int layer, int block, int slot, bool v) const {
  DCHECK(layer >= 0 && layer < layout_.n_layer);
  DCHECK(block >= 0 && block < n_blocks_);
  DCHECK(slot >= 0 && slot < block_size_);
  uint64_t off = static_cast<uint64_t>(block) * block_bytes_ + static_cast<uint64_t>(layer) * layer_bytes_;
  if (v) {
    off += static_cast<uint64_t>(block_size_) * layout_.k_width * elem_bytes_ +
           static_cast<uint64_t>(slot) * layout_.v_width * elem_bytes_;
  } else {
    off += static_cast<uint64_t>(slot) * layout_.k_width * elem_bytes_;
  }
  return static_cast<uint8_t*>(storage_.data()) + off;
}

namespace {

void Store(DType type, const float* src, int64_t n, uint8_t* dst) {
  if (type == DType::kF32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * 4);
    return;
  }
  auto* out = reinterpret_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) out[i] = type == DType::kF16 ? Fp32ToFp16(src[i]) : Fp32ToBf16(src[i]);
}

const float* Load(DType type, const uint8_t* src, int64_t n, float* scratch) {
  if (type == DType::kF32) return reinterpret_cast<const float*>(src);
  DequantizeRow(type, src, scratch, n);  // vectorized, bit-exact F16/BF16 -> F32
  return scratch;
}

}  // namespace

void KvCache::WriteK(int layer, int block, int slot, const float* values) {
  Store(type_, values, layout_.k_width, RowPtr(layer, block, slot, false));
}

void KvCache::WriteV(int layer, int block, int slot, const float* values) {
  CHECK(layout_.v_width > 0) << "this cache stores no V rows";
  Store(type_, values, layout_.v_width, RowPtr(layer, block, slot, true));
}

const float* KvCache::ReadK(int layer, int block, int slot, float* scratch) const {
  return Load(type_, RowPtr(layer, block, slot, false), layout_.k_width, scratch);
}

const float* KvCache::ReadV(int layer, int block, int slot, float* scratch) const {
  CHECK(layout_.v_width > 0) << "this cache stores no V rows";
  return Load(type_, RowPtr(layer, block, slot, true), layout_.v_width, scratch);
}

}  // namespace dsinfer
