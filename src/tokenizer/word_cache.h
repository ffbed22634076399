// WordCache: remembers the BPE result of recently seen pre-tokens, so text with repeated words
// is encoded once per distinct word. Bounded: each of its shards is cleared when full, and long
// words are not cached. Internally synchronized: safe to use from many threads at once (one
// mutex per shard, so concurrent Encode calls rarely wait on each other).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dsinfer::tokenizer {

class WordCache {
 public:
  static constexpr size_t kMaxWordBytes = 128;
  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxEntriesPerShard = 8192;

  // Appends the cached ids of `word` to *out and returns true, or returns false.
  bool Lookup(std::string_view word, std::vector<int32_t>* out) const;

  // Stores ids[0..n) as the encoding of `word` (ignored for words over kMaxWordBytes).
  void Insert(std::string_view word, const int32_t* ids, size_t n);

 private:
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::vector<int32_t>, TextHash, std::equal_to<>> map;
  };
  static size_t ShardOf(size_t hash) { return (hash >> 7) % kShards; }

  std::array<Shard, kShards> shards_;
};

inline bool WordCache::Lookup(std::string_view word, std::vector<int32_t>* out) const {
  if (word.size() > kMaxWordBytes) return false;
  const size_t hash = TextHash{}(word);
  const Shard& shard = shards_[ShardOf(hash)];
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(word);
  if (it == shard.map.end()) return false;
  out->insert(out->end(), it->second.begin(), it->second.end());
  return true;
}

inline void WordCache::Insert(std::string_view word, const int32_t* ids, size_t n) {
  if (word.size() > kMaxWordBytes) return;
  Shard& shard = shards_[ShardOf(TextHash{}(word))];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.map.size() >= kMaxEntriesPerShard) shard.map.clear();
  shard.map.emplace(std::string(word), std::vector<int32_t>(ids, ids + n));
}

}  // namespace dsinfer::tokenizer
