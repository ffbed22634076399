// SpecialTokenMatcher: splits raw text into special-token fragments and raw-text fragments the
// way llama.cpp's tokenizer_st_partition does (spec §10.7 step 1): special tokens are taken
// longest text first (equal lengths: lower id first); each one claims, left to right, every
// occurrence that lies entirely inside text not yet claimed. CONTROL and UNKNOWN tokens take part
// only when parse_special is on; USER_DEFINED tokens always do.
//
// Implementation: one pass over the text with a byte trie finds every occurrence of every
// special token, then occurrences are accepted in the order above, so the cost grows with the
// text length and the number of occurrences, not with the number of special tokens.
//
// Immutable after construction; Partition() is safe to call from many threads at once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dsinfer::tokenizer {

class SpecialTokenMatcher {
 public:
  struct Entry {
    int32_t id;
    std::string text;         // non-empty
    bool matched_when_plain;  // true: matched even when parse_special is off (USER_DEFINED)
  };

  // A piece of the partitioned text: a special token (token >= 0) or raw text (token < 0).
  struct Fragment {
    size_t offset;
    size_t length;
    int32_t token;
  };

  SpecialTokenMatcher() = default;
  explicit SpecialTokenMatcher(std::vector<Entry> entries);

  // Appends the fragments of `text` to *out in text order; together they cover `text`.
  void Partition(std::string_view text, bool parse_special, std::vector<Fragment>* out) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> children;  // byte -> node index
    int32_t entry = -1;                                 // entry that ends here
  };
  struct Occurrence {
    int32_t priority;  // position of the entry in claiming order (0 = claims first)
    size_t offset;
  };

  int32_t Child(int32_t node, uint8_t byte) const;

  std::vector<Entry> entries_;
  std::vector<int32_t> priority_;     // entry index -> position in claiming order
  std::vector<int32_t> claim_order_;  // position in claiming order -> entry index
  std::vector<Node> nodes_;           // nodes_[0] is the root
  std::array<bool, 256> first_byte_{};
  bool any_plain_ = false;
};

}  // namespace dsinfer::tokenizer
