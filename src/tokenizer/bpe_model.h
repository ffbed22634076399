// BpeModel: byte-level BPE for one pre-token (spec §10.5-10.6).
//
// The pre-token's bytes start as one symbol each (the GPT-2 byte symbols); then, repeatedly, the
// adjacent pair with the lowest merge rank is merged (ties: leftmost), until no adjacent pair
// has a rank. Symbols are token ids, so merging is a table lookup on id pairs; merge parts or
// results that are not tokens get internal ids above the vocabulary, and a final symbol that is
// not a token is emitted as the byte tokens of its bytes (bytes without a token are dropped, as
// in llama.cpp). With ignore_merges (LLAMA3), a pre-token that is itself a token is emitted
// whole. Cost O(n log n) in the pre-token length.
//
// Immutable after Build(); EncodeWord() is safe to call from many threads at once. Move-only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "tokenizer/vocab.h"

namespace dsinfer::tokenizer {

class BpeModel {
 public:
  // DataLoss naming vocab.source for duplicate token texts.
  static Expected<BpeModel> Build(const Vocab& vocab);

  BpeModel(BpeModel&&) noexcept = default;
  BpeModel& operator=(BpeModel&&) noexcept = default;
  BpeModel(const BpeModel&) = delete;
  BpeModel& operator=(const BpeModel&) = delete;

  // Appends the token ids of `word` (the raw bytes of one pre-token) to *out.
  void EncodeWord(std::string_view word, std::vector<int32_t>* out) const;

  // The id of the token whose vocabulary text is `text`, or kNoToken.
  int32_t TokenId(std::string_view text) const;

  size_t merge_count() const { return merges_.size(); }

 private:
  BpeModel() = default;

  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Merge {
    int32_t rank;
    int32_t result;  // may be an internal id >= n_vocab_
  };
  static uint64_t PairKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  const Merge* FindMerge(int32_t left, int32_t right) const;
  void AppendSymbol(int32_t id, std::string_view bytes, std::vector<int32_t>* out) const;

  int32_t n_vocab_ = 0;
  bool ignore_merges_ = false;
  std::unordered_map<std::string, int32_t, TextHash, std::equal_to<>> token_to_id_;
  std::unordered_map<uint64_t, Merge> merges_;
  std::array<int32_t, 256> byte_symbol_{};  // byte -> id of its one-symbol token (or internal)
};

}  // namespace dsinfer::tokenizer
