#include "tokenizer/bpe_model.h"

#include <algorithm>

#include "tokenizer/byte_level.h"

namespace dsinfer::tokenizer {

namespace {

// One symbol of the word being merged: a doubly linked list over the word's bytes.
struct Symbol {
  int32_t id;      // token id (or internal id); -1 once merged into its left neighbour
  uint32_t begin;  // byte range in the word
  uint32_t end;
  int32_t prev;  // index of the previous live symbol, -1 at the start
  int32_t next;  // index of the next live symbol, -1 at the end
};

// A mergeable adjacent pair, valid while both symbols still have these ids and are adjacent.
struct Candidate {
  int32_t rank;
  int32_t left;
  int32_t right;
  int32_t left_id;
  int32_t right_id;
  int32_t result;
};

// Min-heap order on (rank, left position): lowest rank first, then leftmost.
bool LaterCandidate(const Candidate& a, const Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

}  // namespace

Expected<BpeModel> BpeModel::Build(const Vocab& vocab) {
  BpeModel m;
  m.n_vocab_ = vocab.n_vocab();
  m.ignore_merges_ = vocab.ignore_merges;
  m.token_to_id_.reserve(vocab.tokens.size());
  for (int32_t id = 0; id < m.n_vocab_; ++id) {
    auto [it, inserted] = m.token_to_id_.emplace(vocab.tokens[id], id);
    if (!inserted) {
      return DataLoss(vocab.source + ": token text '" + vocab.tokens[id] + "' appears twice (ids " +
                      std::to_string(it->second) + " and " + std::to_string(id) + ")");
    }
  }
  // Strings that merges mention but the vocabulary lacks get ids from n_vocab upwards.
  std::unordered_map<std::string, int32_t, TextHash, std::equal_to<>> internal_ids;
  auto id_of = [&](std::string_view text) -> int32_t {
    if (auto it = m.token_to_id_.find(text); it != m.token_to_id_.end()) return it->second;
    if (auto it = internal_ids.find(text); it != internal_ids.end()) return it->second;
    const int32_t id = m.n_vocab_ + static_cast<int32_t>(internal_ids.size());
    internal_ids.emplace(std::string(text), id);
    return id;
  };
  for (int b = 0; b < 256; ++b) m.byte_symbol_[b] = id_of(ByteToSymbol(static_cast<uint8_t>(b)));
  m.merges_.reserve(vocab.merges.size());
  std::string joined;
  for (size_t rank = 0; rank < vocab.merges.size(); ++rank) {
    const auto& [left, right] = vocab.merges[rank];
    joined.assign(left).append(right);
    const int32_t left_id = id_of(left);
    const int32_t right_id = id_of(right);
    const int32_t result = id_of(joined);
    // A repeated pair keeps its first (highest-priority) rank.
    m.merges_.emplace(PairKey(left_id, right_id), Merge{static_cast<int32_t>(rank), result});
  }
  return m;
}

int32_t BpeModel::TokenId(std::string_view text) const {
  auto it = token_to_id_.find(text);
  return it == token_to_id_.end() ? kNoToken : it->second;
}

const BpeModel::Merge* BpeModel::FindMerge(int32_t left, int32_t right) const {
  auto it = merges_.find(PairKey(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

void BpeModel::AppendSymbol(int32_t id, std::string_view bytes, std::vector<int32_t>* out) const {
  if (id < n_vocab_) {
    out->push_back(id);
    return;
  }
  for (char c : bytes) {
    const int32_t byte_id = byte_symbol_[static_cast<uint8_t>(c)];
    if (byte_id < n_vocab_) out->push_back(byte_id);
  }
}

void BpeModel::EncodeWord(std::string_view word, std::vector<int32_t>* out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (auto it = token_to_id_.find(EncodeByteLevel(word)); it != token_to_id_.end()) {
      out->push_back(it->second);
      return;
    }
  }
  if (word.size() == 1) {
    AppendSymbol(byte_symbol_[static_cast<uint8_t>(word[0])], word, out);
    return;
  }
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<Candidate> heap;
  symbols.clear();
  heap.clear();
  const auto n = static_cast<int32_t>(word.size());
  for (int32_t i = 0; i < n; ++i) {
    symbols.push_back({byte_symbol_[static_cast<uint8_t>(word[i])], static_cast<uint32_t>(i),
                       static_cast<uint32_t>(i + 1), i - 1, i + 1 < n ? i + 1 : -1});
  }
  auto consider = [&](int32_t left) {
    const int32_t right = symbols[left].next;
    if (right < 0) return;
    if (const Merge* m = FindMerge(symbols[left].id, symbols[right].id)) {
      heap.push_back({m->rank, left, right, symbols[left].id, symbols[right].id, m->result});
      std::push_heap(heap.begin(), heap.end(), LaterCandidate);
    }
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), LaterCandidate);
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol& left = symbols[c.left];
    if (left.id != c.left_id || left.next != c.right || symbols[c.right].id != c.right_id) {
      continue;  // stale: one of the two symbols has been merged since
    }
    Symbol& right = symbols[c.right];
    left.id = c.result;
    left.end = right.end;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    right.id = -1;
    if (left.prev >= 0) consider(left.prev);
    consider(c.left);
  }
  for (int32_t i = 0; i >= 0; i = symbols[i].next) {
    const Symbol& s = symbols[i];
    AppendSymbol(s.id, word.substr(s.begin, s.end - s.begin), out);
  }
}

}  // namespace dsinfer::tokenizer
