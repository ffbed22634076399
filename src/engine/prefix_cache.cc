#include "engine/prefix_cache.h"

#include <algorithm>
#include <string>

#include "base/check.h"

namespace dsinfer::engine {

namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace

BlockHash ChainBlockHash(BlockHash parent, std::span<const int32_t> tokens) {
  uint64_t h = Mix(parent, tokens.size());
  for (int32_t t : tokens) h = Mix(h, static_cast<uint32_t>(t));
  return h;
}

int32_t PrefixCache::Find(BlockHash hash, BlockHash parent, std::span<const int32_t> tokens) const {
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return -1;
  const Entry& e = entries_.at(it->second);
  if (e.parent != parent || !std::equal(e.tokens.begin(), e.tokens.end(), tokens.begin(), tokens.end())) return -1;
  return it->second;
}

bool PrefixCache::Insert(BlockHash hash, BlockHash parent, std::span<const int32_t> tokens, int32_t block) {
  if (by_hash_.count(hash) != 0 || entries_.count(block) != 0) return false;
  by_hash_.emplace(hash, block);
  Entry e;
  e.hash = hash;
  e.parent = parent;
  e.tokens.assign(tokens.begin(), tokens.end());
  entries_.emplace(block, std::move(e));
  return true;
}

bool PrefixCache::is_idle(int32_t block) const {
  auto it = entries_.find(block);
  return it != entries_.end() && it->second.idle;
}

void PrefixCache::MarkIdle(int32_t block) {
  Entry& e = entries_.at(block);
  CHECK(!e.idle) << "block " << block << " is already idle";
  e.idle = true;
  e.idle_pos = idle_.insert(idle_.end(), block);
}

void PrefixCache::MarkInUse(int32_t block) {
  Entry& e = entries_.at(block);
  CHECK(e.idle) << "block " << block << " is not idle";
  idle_.erase(e.idle_pos);
  e.idle = false;
}

int32_t PrefixCache::EvictLeastRecentlyUsed() {
  if (idle_.empty()) return -1;
  const int32_t block = idle_.front();
  idle_.pop_front();
  auto it = entries_.find(block);
  by_hash_.erase(it->second.hash);
  entries_.erase(it);
  return block;
}

Status PrefixCache::CheckConsistency() const {
  if (by_hash_.size() != entries_.size()) {
    return Internal("prefix cache: " + std::to_string(by_hash_.size()) + " hashes but " +
                    std::to_string(entries_.size()) + " cached blocks");
  }
  size_t idle = 0;
  for (const auto& [block, e] : entries_) {
    auto it = by_hash_.find(e.hash);
    if (it == by_hash_.end() || it->second != block) {
      return Internal("prefix cache: block " + std::to_string(block) + " is not indexed by its hash");
    }
    if (e.idle) ++idle;
  }
  if (idle != idle_.size()) {
    return Internal("prefix cache: " + std::to_string(idle_.size()) + " blocks on the idle list but " +
                    std::to_string(idle) + " marked idle");
  }
  for (int32_t b : idle_) {
    auto it = entries_.find(b);
    if (it == entries_.end() || !it->second.idle) {
      return Internal("prefix cache: idle block " + std::to_string(b) + " is not a cached idle block");
    }
  }
  return Status::Ok();
}

}  // namespace dsinfer::engine
