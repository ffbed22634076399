// Vocab: everything a byte-level BPE tokenizer needs, as loaded from a GGUF file or from a
// Hugging Face tokenizer.json. Plain data (copyable, thread-compatible); Tokenizer::Create
// turns it into lookup structures.
//
// Both loaders follow llama.cpp's reading of the data (spec §3.6, §10.1, §10.8):
//  * token ids index `tokens`; an empty token text becomes "[EMPTY_<id>]";
//  * CONTROL, USER_DEFINED and UNKNOWN tokens are "special": they are matched in raw text
//    before pre-tokenization (CONTROL/UNKNOWN only when parse_special is on);
//  * merges are kept in rank order (index 0 = highest priority);
//  * if no EOT id is given, the first token whose text is a known end-of-turn marker becomes
//    EOT and is made CONTROL; `eog_ids` lists every end-of-generation token.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace dsinfer::gguf {
class GgufFile;
}

namespace dsinfer::tokenizer {

// llama.cpp token types (tokenizer.ggml.token_type values).
enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// "normal", "unknown", "control", "user_defined", "unused", "byte" or "undefined".
const char* TokenTypeName(TokenType type);

// No such token (e.g. a vocabulary without a BOS token).
inline constexpr int32_t kNoToken = -1;

struct Vocab {
  std::string source;               // the file it came from, for error messages
  std::vector<std::string> tokens;  // id -> text (byte-level alphabet, or plain special text)
  std::vector<TokenType> types;     // id -> type; same length as tokens
  std::vector<std::pair<std::string, std::string>> merges;  // rank -> (left, right)

  // Pre-tokenizer: the name it was selected by ("deepseek-v3", or "tokenizer.json" for the
  // Split regexes of a tokenizer.json) and the regexes applied in order (spec §10.3-10.4).
  std::string pre_name;
  std::vector<std::string> pre_regexes;
  bool ignore_merges = false;  // a pre-token that is itself a token is emitted whole (LLAMA3)

  int32_t bos_id = kNoToken;
  int32_t eos_id = kNoToken;
  int32_t eot_id = kNoToken;
  int32_t eom_id = kNoToken;
  int32_t unk_id = kNoToken;
  int32_t sep_id = kNoToken;
  int32_t pad_id = kNoToken;
  std::vector<int32_t> eog_ids;  // end-of-generation tokens (EOS, EOT, EOM and known markers)

  bool add_bos = false;  // Encode(add_special = true) prepends BOS
  bool add_eos = false;  // Encode(add_special = true) appends EOS

  int32_t n_vocab() const { return static_cast<int32_t>(tokens.size()); }
};

// Reads the tokenizer.ggml.* keys of `file`. Errors (naming the file and key): model other than
// "gpt2", unknown tokenizer.ggml.pre (the name is quoted), missing or mistyped tokens/merges,
// token_type of the wrong length, duplicate token texts. Special ids outside the vocabulary are
// ignored, as llama.cpp does. A missing tokenizer.ggml.pre selects llama.cpp's "default" regexes.
Expected<Vocab> LoadVocabFromGguf(const gguf::GgufFile& file);

// Reads a Hugging Face tokenizer.json (BPE model, byte-level pre-tokenizer made of Split regexes
// with behavior "Isolated" and/or ByteLevel) and, when `config_path` is not empty, its
// tokenizer_config.json (bos_token, eos_token, pad_token, add_bos_token, add_eos_token).
// Added tokens become CONTROL when marked special or when their text looks special
// (<|...|>, <｜...｜>), USER_DEFINED otherwise, as convert_hf_to_gguf.py does; ids without a
// token become "[PAD<id>]" UNUSED. Their lstrip/rstrip/single_word flags are not applied.
// Unsupported features (normalizers, byte_fallback, other pre-tokenizers) are errors naming them.
Expected<Vocab> LoadVocabFromHfJson(const std::string& tokenizer_json_path,
                                    const std::string& config_path = "");

// Same, from file contents already in memory; the names are used in error messages.
Expected<Vocab> ParseHfTokenizerJson(const std::string& tokenizer_json,
                                     const std::string& tokenizer_json_name,
                                     const std::string& config_json,
                                     const std::string& config_name);

}  // namespace dsinfer::tokenizer
