// A small byte-level BPE vocabulary for unit tests and the benchmark's fallback when the golden
// data is absent (not part of the library; header-only).
//
// ids 0..255: the GPT-2 byte symbols in byte order (id == byte); then one token per merge of
// kTestMerges, in rank order; then the special tokens listed in TestSpecialTokens() (CONTROL,
// except <think> and </think>, which are USER_DEFINED). Pre-tokenizer: deepseek-v3.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/vocab.h"

namespace dsinfer::tokenizer::testing {

inline const std::vector<std::pair<std::string, std::string>>& TestMerges() {
  static const std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "e"}, {"l", "l"},   {"Ġ", "t"}, {"Ġt", "he"},   {"he", "ll"}, {"hell", "o"}, {"Ġ", "w"},
      {"o", "r"}, {"Ġw", "or"}, {"l", "d"}, {"Ġwor", "ld"}, {"Ġ", "Ġ"},   {"ä", "¸"},    {"Ċ", "Ċ"},
  };
  return merges;
}

struct TestSpecialToken {
  std::string text;
  TokenType type;
};

inline const std::vector<TestSpecialToken>& TestSpecialTokens() {
  static const std::vector<TestSpecialToken> specials = {
      {"<｜begin▁of▁sentence｜>", TokenType::kControl},
      {"<｜end▁of▁sentence｜>", TokenType::kControl},
      {"<｜User｜>", TokenType::kControl},
      {"<｜Assistant｜>", TokenType::kControl},
      {"<think>", TokenType::kUserDefined},
      {"</think>", TokenType::kUserDefined},
  };
  return specials;
}

// The vocabulary described above; BOS/EOS are the first two special tokens, add_bos is true.
inline Vocab MakeTestVocab() {
  Vocab v;
  v.source = "test-vocab";
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(ByteToSymbol(static_cast<uint8_t>(b)));
    v.types.push_back(TokenType::kNormal);
  }
  for (const auto& [left, right] : TestMerges()) {
    v.merges.emplace_back(left, right);
    v.tokens.push_back(left + right);
    v.types.push_back(TokenType::kNormal);
  }
  for (const auto& s : TestSpecialTokens()) {
    v.tokens.push_back(s.text);
    v.types.push_back(s.type);
  }
  const int32_t first_special = 256 + static_cast<int32_t>(TestMerges().size());
  v.bos_id = first_special;
  v.eos_id = first_special + 1;
  v.eog_ids = {v.eos_id};
  v.add_bos = true;
  bool add_bos_default = false;
  v.pre_name = "deepseek-v3";
  v.pre_regexes = *PretokenizerRegexes("deepseek-v3", &v.ignore_merges, &add_bos_default);
  return v;
}

inline int32_t TestTokenId(const std::string& text) {
  const Vocab v = MakeTestVocab();
  for (int32_t id = 0; id < v.n_vocab(); ++id) {
    if (v.tokens[id] == text) return id;
  }
  return kNoToken;
}

}  // namespace dsinfer::tokenizer::testing
