// Tokenizer: text <-> token ids for byte-level BPE vocabularies (DeepSeek, Llama-3, Qwen2), as
// llama.cpp's llama_tokenize / llama_detokenize do them (spec §10.7-10.9).
//
// Encode(text, add_special, parse_special):
//   1. special tokens are cut out of the text first (SpecialTokenMatcher: longest text first;
//      CONTROL/UNKNOWN only when parse_special, USER_DEFINED always);
//   2. each remaining raw fragment is split by the pre-tokenizer regexes (Pretokenizer);
//   3. each pre-token is byte-level BPE-encoded (BpeModel), through a cache of recent words;
//   4. with add_special, BOS is prepended when the vocabulary's add_bos is set and EOS appended
//      when add_eos is set.
// Any byte string can be encoded (invalid UTF-8 goes through the byte tokens) and
// Decode(Encode(text, false, false), false) == text for vocabularies with all 256 byte tokens.
//
// Thread-safety: immutable after Create() apart from the internally synchronized word cache;
// Encode, Decode and every accessor are safe to call from many threads at once.
// Non-copyable and non-movable (handed out as unique_ptr).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tokenizer/vocab.h"

namespace dsinfer::gguf {
class GgufFile;
}

namespace dsinfer::tokenizer {

class Tokenizer {
 public:
  // Builds the tokenizer. Errors name vocab.source: duplicate token texts, pre-tokenizer regexes
  // that do not compile, token_type/tokens length mismatch.
  static Expected<std::unique_ptr<Tokenizer>> Create(Vocab vocab);
  // LoadVocabFromGguf + Create.
  static Expected<std::unique_ptr<Tokenizer>> FromGguf(const gguf::GgufFile& file);
  // Opens a GGUF file (model or vocab-only) and loads its tokenizer.
  static Expected<std::unique_ptr<Tokenizer>> FromGgufPath(const std::string& path);
  // LoadVocabFromHfJson + Create (`config_path` may be empty).
  static Expected<std::unique_ptr<Tokenizer>> FromHfJson(const std::string& tokenizer_json_path,
                                                         const std::string& config_path = "");

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Token ids of `text` (steps above). `add_special`: add BOS/EOS per the vocabulary;
  // `parse_special`: recognise CONTROL token texts such as "<｜User｜>" in the text.
  std::vector<int32_t> Encode(std::string_view text, bool add_special, bool parse_special) const;

  // The bytes that `ids` stand for: NORMAL tokens through the byte-level alphabet, CONTROL and
  // UNKNOWN tokens as their text unless `skip_special`, USER_DEFINED tokens always as their
  // text; UNUSED/BYTE/UNDEFINED tokens and ids outside [0, n_vocab) render as nothing. The
  // result may be invalid UTF-8 when `ids` end or start inside a character. No space clean-up.
  std::string Decode(std::span<const int32_t> ids, bool skip_special) const;

  // The bytes token `id` renders as (Decode of the single id with skip_special = false).
  std::string TokenPiece(int32_t id) const;
  // Appends the rendering of `id` to *out (the per-token step of Decode).
  void AppendPiece(int32_t id, bool skip_special, std::string* out) const;

  // The vocabulary text of `id` (byte-level alphabet for NORMAL tokens). CHECKs the range.
  const std::string& TokenText(int32_t id) const;
  TokenType token_type(int32_t id) const;  // CHECKs the range
  // The id whose vocabulary text is exactly `text`, or kNoToken.
  int32_t TokenId(std::string_view text) const;
  bool IsValidId(int32_t id) const { return id >= 0 && id < n_vocab(); }
  // True for CONTROL and UNKNOWN tokens (the ones skip_special hides).
  bool IsSpecial(int32_t id) const;
  // True for end-of-generation tokens (EOS, EOT, EOM, ...).
  bool IsEndOfGeneration(int32_t id) const;

  int32_t n_vocab() const;
  int32_t bos_id() const;  // kNoToken when the vocabulary has none
  int32_t eos_id() const;
  int32_t eot_id() const;
  bool add_bos() const;
  bool add_eos() const;
  const Vocab& vocab() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsinfer::tokenizer
