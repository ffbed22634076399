// LoadVocabFromHfJson: Hugging Face tokenizer.json (+ tokenizer_config.json) -> Vocab.
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_token_rules.h"
#include "tokenizer/vocab.h"

namespace dsinfer::tokenizer {

namespace {

using nlohmann::json;

// Ids beyond this are rejected as corrupt (the largest real vocabularies have ~260K entries).
constexpr int64_t kMaxTokenId = 1 << 24;

Expected<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return content.str();
}

Expected<json> ParseJson(const std::string& text, const std::string& name) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    return DataLoss(name + ": invalid JSON: " + e.what());
  }
}

// A string with every ASCII punctuation character backslash-escaped, for use inside a regex.
std::string EscapeRegex(const std::string& literal) {
  std::string out;
  for (char c : literal) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u)) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// Collects the regexes of a pre_tokenizer node into vocab->pre_regexes.
Status CollectPretokenizer(const json& node, const std::string& name, Vocab* vocab,
                           bool* byte_level) {
  if (node.is_null()) return Status::Ok();
  const std::string type = node.value("type", "");
  if (type == "Sequence") {
    for (const json& child : node.at("pretokenizers")) {
      DSINFER_RETURN_IF_ERROR(CollectPretokenizer(child, name, vocab, byte_level));
    }
    return Status::Ok();
  }
  if (type == "Split") {
    const std::string behavior = node.value("behavior", "");
    if (behavior != "Isolated" || node.value("invert", false)) {
      return Unimplemented(name + ": Split pre-tokenizer with behavior '" + behavior + "'" +
                           (node.value("invert", false) ? " and invert" : "") +
                           " is not supported (only Isolated)");
    }
    const json& pattern = node.at("pattern");
    if (pattern.contains("Regex")) {
      vocab->pre_regexes.push_back(pattern.at("Regex").get<std::string>());
    } else if (pattern.contains("String")) {
      vocab->pre_regexes.push_back(EscapeRegex(pattern.at("String").get<std::string>()));
    } else {
      return DataLoss(name + ": Split pre-tokenizer without a Regex or String pattern");
    }
    return Status::Ok();
  }
  if (type == "Digits") {
    vocab->pre_regexes.push_back(node.value("individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)");
    return Status::Ok();
  }
  if (type == "ByteLevel") {
    if (node.value("add_prefix_space", false)) {
      return Unimplemented(name +
                           ": ByteLevel pre-tokenizer with add_prefix_space is not "
                           "supported");
    }
    if (node.value("use_regex", true)) vocab->pre_regexes.push_back(Gpt2ByteLevelRegex());
    *byte_level = true;
    return Status::Ok();
  }
  return Unimplemented(name + ": pre-tokenizer type '" + type + "' is not supported");
}

Status CheckNormalizer(const json& node, const std::string& name) {
  if (node.is_null()) return Status::Ok();
  const std::string type = node.value("type", "");
  if (type == "Sequence") {
    for (const json& child : node.at("normalizers")) {
      DSINFER_RETURN_IF_ERROR(CheckNormalizer(child, name));
    }
    return Status::Ok();
  }
  return Unimplemented(name + ": normalizer '" + type + "' is not supported");
}

Status ReadModel(const json& model, const std::string& name, Vocab* vocab,
                 std::map<int64_t, std::string>* texts) {
  const std::string type = model.value("type", "BPE");
  if (type != "BPE") {
    return Unimplemented(name + ": model type '" + type + "' is not supported (only BPE)");
  }
  if (model.value("byte_fallback", false)) {
    return Unimplemented(name + ": BPE with byte_fallback is not supported");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (model.contains(key) && model.at(key).is_string() &&
        !model.at(key).get<std::string>().empty()) {
      return Unimplemented(name + ": BPE with " + key + " is not supported");
    }
  }
  vocab->ignore_merges = model.value("ignore_merges", false);
  const json& entries = model.at("vocab");
  if (!entries.is_object()) return DataLoss(name + ": model.vocab is not an object");
  for (const auto& [text, id_value] : entries.items()) {
    const int64_t id = id_value.get<int64_t>();
    if (id < 0 || id > kMaxTokenId) {
      return DataLoss(name + ": model.vocab['" + text + "'] has id " + std::to_string(id));
    }
    auto [it, inserted] = texts->emplace(id, text);
    if (!inserted && it->second != text) {
      return DataLoss(name + ": id " + std::to_string(id) + " is both '" + it->second + "' and '" +
                      text + "'");
    }
  }
  const json& merges = model.at("merges");
  vocab->merges.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const json& m = merges[rank];
    if (m.is_array() && m.size() == 2) {
      vocab->merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
      continue;
    }
    const std::string merge = m.is_string() ? m.get<std::string>() : "";
    const size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string::npos;
    if (space == std::string::npos) {
      return DataLoss(name + ": model.merges[" + std::to_string(rank) +
                      "] is not two symbols separated by a space");
    }
    vocab->merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
  }
  return Status::Ok();
}

// The text of a tokenizer_config.json token entry: a string, {"content": ...}, or null ("").
std::string ConfigTokenText(const json& config, const char* key) {
  if (!config.contains(key)) return "";
  const json& v = config.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content")) return v.at("content").get<std::string>();
  return "";
}

Status ReadConfig(const json& config, const std::string& name, Vocab* vocab) {
  std::unordered_map<std::string, int32_t> ids;
  for (int32_t id = 0; id < vocab->n_vocab(); ++id) ids.emplace(vocab->tokens[id], id);
  const std::pair<const char*, int32_t*> keys[] = {
      {"bos_token", &vocab->bos_id},
      {"eos_token", &vocab->eos_id},
      {"pad_token", &vocab->pad_id},
      {"unk_token", &vocab->unk_id},
  };
  for (const auto& [key, id] : keys) {
    const std::string text = ConfigTokenText(config, key);
    if (text.empty()) continue;
    auto it = ids.find(text);
    if (it == ids.end()) {
      return DataLoss(name + ": " + key + " '" + text + "' is not a token of the vocabulary");
    }
    *id = it->second;
  }
  const json& add_bos = config.contains("add_bos_token") ? config.at("add_bos_token") : json();
  const json& add_eos = config.contains("add_eos_token") ? config.at("add_eos_token") : json();
  vocab->add_bos = add_bos.is_boolean() && add_bos.get<bool>();
  vocab->add_eos = add_eos.is_boolean() && add_eos.get<bool>();
  return Status::Ok();
}

Expected<Vocab> ParseTokenizer(const json& root, const std::string& name, const json* config,
                               const std::string& config_name) {
  Vocab vocab;
  vocab.source = name;
  vocab.pre_name = "tokenizer.json";
  if (!root.is_object()) return DataLoss(name + ": not a JSON object");
  DSINFER_RETURN_IF_ERROR(CheckNormalizer(root.value("normalizer", json()), name));
  bool byte_level = false;
  DSINFER_RETURN_IF_ERROR(
      CollectPretokenizer(root.value("pre_tokenizer", json()), name, &vocab, &byte_level));
  if (!byte_level) {
    return Unimplemented(name + ": no ByteLevel pre-tokenizer; only byte-level BPE is supported");
  }
  if (!root.contains("model")) return DataLoss(name + ": no model section");
  std::map<int64_t, std::string> texts;
  DSINFER_RETURN_IF_ERROR(ReadModel(root.at("model"), name, &vocab, &texts));

  std::map<int64_t, TokenType> added_types;
  if (root.contains("added_tokens")) {
    for (const json& t : root.at("added_tokens")) {
      const int64_t id = t.at("id").get<int64_t>();
      const std::string content = t.at("content").get<std::string>();
      if (id < 0 || id > kMaxTokenId) {
        return DataLoss(name + ": added token '" + content + "' has id " + std::to_string(id));
      }
      auto [it, inserted] = texts.emplace(id, content);
      if (!inserted && it->second != content) {
        return DataLoss(name + ": id " + std::to_string(id) + " is both '" + it->second +
                        "' and added token '" + content + "'");
      }
      const bool special = t.value("special", false) || LooksLikeSpecialToken(content);
      added_types[id] = special ? TokenType::kControl : TokenType::kUserDefined;
    }
  }
  if (texts.empty()) return DataLoss(name + ": the vocabulary is empty");
  const int64_t n_vocab = texts.rbegin()->first + 1;
  vocab.tokens.resize(n_vocab);
  vocab.types.assign(n_vocab, TokenType::kUnused);
  for (int64_t id = 0; id < n_vocab; ++id) vocab.tokens[id] = "[PAD" + std::to_string(id) + "]";
  for (const auto& [id, text] : texts) {
    vocab.tokens[id] = text;
    auto added = added_types.find(id);
    vocab.types[id] = added != added_types.end() ? added->second : TokenType::kNormal;
  }
  if (config != nullptr) DSINFER_RETURN_IF_ERROR(ReadConfig(*config, config_name, &vocab));
  FinalizeSpecialTokens(&vocab);
  return vocab;
}

}  // namespace

Expected<Vocab> ParseHfTokenizerJson(const std::string& tokenizer_json,
                                     const std::string& tokenizer_json_name,
                                     const std::string& config_json,
                                     const std::string& config_name) {
  auto root = ParseJson(tokenizer_json, tokenizer_json_name);
  if (!root.ok()) return root.status();
  json config;
  if (!config_json.empty()) {
    auto parsed = ParseJson(config_json, config_name);
    if (!parsed.ok()) return parsed.status();
    config = std::move(parsed).value();
    if (!config.is_object()) return DataLoss(config_name + ": not a JSON object");
  }
  // Structural surprises (a string where an array belongs, ...) surface as json exceptions.
  try {
    return ParseTokenizer(*root, tokenizer_json_name, config_json.empty() ? nullptr : &config,
                          config_name);
  } catch (const json::exception& e) {
    return DataLoss(tokenizer_json_name + ": unexpected structure: " + e.what());
  }
}

Expected<Vocab> LoadVocabFromHfJson(const std::string& tokenizer_json_path,
                                    const std::string& config_path) {
  auto tokenizer_json = ReadFile(tokenizer_json_path);
  if (!tokenizer_json.ok()) return tokenizer_json.status();
  std::string config_json;
  if (!config_path.empty()) {
    auto config = ReadFile(config_path);
    if (!config.ok()) return config.status();
    config_json = std::move(config).value();
  }
  return ParseHfTokenizerJson(*tokenizer_json, tokenizer_json_path, config_json, config_path);
}

}  // namespace dsinfer::tokenizer
