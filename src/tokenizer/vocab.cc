// LoadVocabFromGguf and the helpers shared by both loaders.
#include "tokenizer/vocab.h"

#include <limits>

#include "gguf/reader.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_token_rules.h"

namespace dsinfer::tokenizer {

const char* TokenTypeName(TokenType type) {
  switch (type) {
    case TokenType::kNormal:
      return "normal";
    case TokenType::kUnknown:
      return "unknown";
    case TokenType::kControl:
      return "control";
    case TokenType::kUserDefined:
      return "user_defined";
    case TokenType::kUnused:
      return "unused";
    case TokenType::kByte:
      return "byte";
    case TokenType::kUndefined:
      break;
  }
  return "undefined";
}

namespace {

Expected<const std::vector<gguf::GgufValue>*> GetArray(const gguf::GgufFile& file,
                                                       const std::string& key,
                                                       gguf::ValueType elem_type,
                                                       const char* expected) {
  const gguf::GgufValue* value = file.Find(key);
  if (value == nullptr) return NotFound(file.path() + ": key not found: " + key);
  if (value->type() != gguf::ValueType::kArray ||
      (!value->as_array().empty() && value->elem_type() != elem_type)) {
    return DataLoss(file.path() + ": key " + key + " has type " + value->TypeString() +
                    ", expected " + expected);
  }
  return &value->as_array();
}

TokenType TokenTypeFromGguf(int64_t value) {
  return value >= 1 && value <= 6 ? static_cast<TokenType>(value) : TokenType::kUndefined;
}

// Reads an optional special-token id; ids outside the vocabulary leave *id unchanged.
Status ReadSpecialId(const gguf::GgufFile& file, const std::string& key, int32_t n_vocab,
                     int32_t* id) {
  auto value = file.GetU32Or(key, std::numeric_limits<uint32_t>::max());
  if (!value.ok()) return value.status();
  if (*value < static_cast<uint32_t>(n_vocab)) *id = static_cast<int32_t>(*value);
  return Status::Ok();
}

}  // namespace

Expected<Vocab> LoadVocabFromGguf(const gguf::GgufFile& file) {
  Vocab vocab;
  vocab.source = file.path();
  auto model = file.GetString("tokenizer.ggml.model");
  if (!model.ok()) return model.status();
  if (*model != "gpt2") {
    return Unimplemented(file.path() + ": tokenizer.ggml.model is '" + *model +
                         "'; only 'gpt2' (byte-level BPE) is supported");
  }
  auto pre = file.GetStringOr("tokenizer.ggml.pre", "default");
  if (!pre.ok()) return pre.status();
  vocab.pre_name = *pre;
  bool add_bos_default = false;
  auto regexes = PretokenizerRegexes(vocab.pre_name, &vocab.ignore_merges, &add_bos_default);
  if (!regexes.ok()) return regexes.status().WithPrefix(file.path() + ": tokenizer.ggml.pre");
  vocab.pre_regexes = std::move(regexes).value();

  auto tokens =
      GetArray(file, "tokenizer.ggml.tokens", gguf::ValueType::kString, "an array of strings");
  if (!tokens.ok()) return tokens.status();
  if ((*tokens)->size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return DataLoss(file.path() + ": tokenizer.ggml.tokens has too many entries");
  }
  const auto n_vocab = static_cast<int32_t>((*tokens)->size());
  if (n_vocab == 0) return DataLoss(file.path() + ": tokenizer.ggml.tokens is empty");
  vocab.tokens.reserve(n_vocab);
  for (int32_t id = 0; id < n_vocab; ++id) {
    const std::string& text = (**tokens)[id].as_string();
    vocab.tokens.push_back(text.empty() ? "[EMPTY_" + std::to_string(id) + "]" : text);
  }

  vocab.types.assign(n_vocab, TokenType::kNormal);
  if (file.Find("tokenizer.ggml.token_type") != nullptr) {
    auto types =
        GetArray(file, "tokenizer.ggml.token_type", gguf::ValueType::kInt32, "an array of i32");
    if (!types.ok()) return types.status();
    if ((*types)->size() != vocab.tokens.size()) {
      return DataLoss(file.path() + ": tokenizer.ggml.token_type has " +
                      std::to_string((*types)->size()) + " entries for " + std::to_string(n_vocab) +
                      " tokens");
    }
    for (int32_t id = 0; id < n_vocab; ++id) {
      vocab.types[id] = TokenTypeFromGguf((**types)[id].as_i64());
    }
  }

  auto merges =
      GetArray(file, "tokenizer.ggml.merges", gguf::ValueType::kString, "an array of strings");
  if (!merges.ok()) return merges.status();
  vocab.merges.reserve((*merges)->size());
  for (size_t rank = 0; rank < (*merges)->size(); ++rank) {
    const std::string& merge = (**merges)[rank].as_string();
    const size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string::npos;
    if (space == std::string::npos) {
      return DataLoss(file.path() + ": tokenizer.ggml.merges[" + std::to_string(rank) + "] '" +
                      merge + "' is not two symbols separated by a space");
    }
    vocab.merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
  }

  const std::pair<const char*, int32_t*> special_keys[] = {
      {"tokenizer.ggml.bos_token_id", &vocab.bos_id},
      {"tokenizer.ggml.eos_token_id", &vocab.eos_id},
      {"tokenizer.ggml.eot_token_id", &vocab.eot_id},
      {"tokenizer.ggml.eom_token_id", &vocab.eom_id},
      {"tokenizer.ggml.unknown_token_id", &vocab.unk_id},
      {"tokenizer.ggml.seperator_token_id", &vocab.sep_id},
      {"tokenizer.ggml.padding_token_id", &vocab.pad_id},
  };
  for (const auto& [key, id] : special_keys) {
    DSINFER_RETURN_IF_ERROR(ReadSpecialId(file, key, n_vocab, id));
  }
  auto add_bos = file.GetBoolOr("tokenizer.ggml.add_bos_token", add_bos_default);
  if (!add_bos.ok()) return add_bos.status();
  vocab.add_bos = *add_bos;
  auto add_eos = file.GetBoolOr("tokenizer.ggml.add_eos_token", false);
  if (!add_eos.ok()) return add_eos.status();
  vocab.add_eos = *add_eos;

  FinalizeSpecialTokens(&vocab);
  return vocab;
}

}  // namespace dsinfer::tokenizer
