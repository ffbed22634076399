#include "tokenizer/special_token_matcher.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <numeric>
#include <utility>

namespace dsinfer::tokenizer {

SpecialTokenMatcher::SpecialTokenMatcher(std::vector<Entry> entries)
    : entries_(std::move(entries)) {
  nodes_.emplace_back();
  for (size_t e = 0; e < entries_.size(); ++e) {
    const std::string& text = entries_[e].text;
    if (text.empty()) continue;
    any_plain_ = any_plain_ || entries_[e].matched_when_plain;
    first_byte_[static_cast<uint8_t>(text[0])] = true;
    int32_t node = 0;
    for (char c : text) {
      const auto byte = static_cast<uint8_t>(c);
      int32_t child = Child(node, byte);
      if (child < 0) {
        child = static_cast<int32_t>(nodes_.size());
        nodes_[node].children.emplace_back(byte, child);
        nodes_.emplace_back();
      }
      node = child;
    }
    // Two entries with the same text cannot both claim it; the lower id (listed first) wins.
    if (nodes_[node].entry < 0) nodes_[node].entry = static_cast<int32_t>(e);
  }
  std::vector<int32_t> order(entries_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [this](int32_t a, int32_t b) {
    if (entries_[a].text.size() != entries_[b].text.size()) {
      return entries_[a].text.size() > entries_[b].text.size();
    }
    return entries_[a].id < entries_[b].id;
  });
  priority_.resize(entries_.size());
  for (size_t i = 0; i < order.size(); ++i) priority_[order[i]] = static_cast<int32_t>(i);
  claim_order_ = std::move(order);
}

int32_t SpecialTokenMatcher::Child(int32_t node, uint8_t byte) const {
  for (const auto& [b, child] : nodes_[node].children) {
    if (b == byte) return child;
  }
  return -1;
}

void SpecialTokenMatcher::Partition(std::string_view text, bool parse_special,
                                    std::vector<Fragment>* out) const {
  if (text.empty()) return;
  std::vector<Occurrence> found;
  if (parse_special || any_plain_) {
    for (size_t pos = 0; pos < text.size(); ++pos) {
      if (!first_byte_[static_cast<uint8_t>(text[pos])]) continue;
      int32_t node = 0;
      for (size_t i = pos; i < text.size(); ++i) {
        node = Child(node, static_cast<uint8_t>(text[i]));
        if (node < 0) break;
        const int32_t e = nodes_[node].entry;
        if (e >= 0 && (parse_special || entries_[e].matched_when_plain)) {
          found.push_back({priority_[e], pos});
        }
      }
    }
  }
  if (found.empty()) {
    out->push_back({0, text.size(), -1});
    return;
  }
  std::sort(found.begin(), found.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.offset < b.offset;
  });
  std::map<size_t, std::pair<size_t, int32_t>> claimed;  // begin -> (end, entry)
  for (const Occurrence& occ : found) {
    const int32_t e = claim_order_[occ.priority];
    const size_t begin = occ.offset;
    const size_t end = begin + entries_[e].text.size();
    auto after = claimed.upper_bound(begin);
    if (after != claimed.end() && after->first < end) continue;
    if (after != claimed.begin() && std::prev(after)->second.first > begin) continue;
    claimed.emplace_hint(after, begin, std::make_pair(end, e));
  }
  size_t raw_from = 0;
  for (const auto& [begin, claim] : claimed) {
    if (begin > raw_from) out->push_back({raw_from, begin - raw_from, -1});
    out->push_back({begin, claim.first - begin, entries_[claim.second].id});
    raw_from = claim.first;
  }
  if (raw_from < text.size()) out->push_back({raw_from, text.size() - raw_from, -1});
}

}  // namespace dsinfer::tokenizer
