#include "tokenizer/special_token_rules.h"

#include <algorithm>

namespace dsinfer::tokenizer {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// llama.cpp's end-of-turn candidates (used when the file names no EOT token).
constexpr std::string_view kEndOfTurnTexts[] = {
    "<|eot_id|>",         "<|im_end|>", "<|end|>", "<end_of_turn>",
    "<|endoftext|>",      "<EOT>",      "_<EOT>",  "<｜end▁of▁sentence｜>",
    "<end_of_utterance>",
};

// llama.cpp's end-of-generation texts (always added to the EOG set).
constexpr std::string_view kEndOfGenerationTexts[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<｜end▁of▁sentence｜>",
};

template <size_t N>
bool IsOneOf(std::string_view text, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), text) != std::end(list);
}

}  // namespace

bool LooksLikeSpecialToken(std::string_view text) {
  if (text == "<pad>" || text == "<mask>" || text == "<2mass>" || text == "[@BOS@]") return true;
  if (StartsWith(text, "<|") && EndsWith(text, "|>")) return true;
  if (StartsWith(text, "<｜") && EndsWith(text, "｜>")) return true;
  return StartsWith(text, "<unused") && EndsWith(text, ">");
}

void FinalizeSpecialTokens(Vocab* vocab) {
  const int32_t n = vocab->n_vocab();
  if (vocab->eot_id == kNoToken) {
    for (int32_t id = 0; id < n; ++id) {
      if (IsOneOf(vocab->tokens[id], kEndOfTurnTexts)) {
        vocab->eot_id = id;
        vocab->types[id] = TokenType::kControl;
        break;
      }
    }
  }
  std::vector<int32_t> eog;
  for (int32_t id : {vocab->eos_id, vocab->eot_id, vocab->eom_id}) {
    if (id != kNoToken) eog.push_back(id);
  }
  for (int32_t id = 0; id < n; ++id) {
    if (IsOneOf(vocab->tokens[id], kEndOfGenerationTexts)) eog.push_back(id);
  }
  std::sort(eog.begin(), eog.end());
  eog.erase(std::unique(eog.begin(), eog.end()), eog.end());
  vocab->eog_ids = std::move(eog);
}

}  // namespace dsinfer::tokenizer
