// Pretokenizer: splits raw text into pre-tokens with an ordered list of regexes (spec §10.4).
//
// Starting from one piece (the whole text), each regex in turn replaces every piece by its
// matches and the unmatched stretches between them ("Isolated" splitting, nothing is dropped).
// Matches never cross piece boundaries; `$` and lookaheads see only the current piece.
// Regexes run on PCRE2 with UTF and UCP (\p{..} and \s follow Unicode, so ASCII '~' is \p{S} as
// in Hugging Face tokenizers), JIT-compiled where available. Invalid UTF-8 in the text never
// matches a regex and is kept as unmatched pieces, so every input byte survives.
//
// Immutable after Create(); Split() is safe to call from many threads at once. Move-only.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dsinfer::tokenizer {

// The regex list llama.cpp uses for a tokenizer.ggml.pre value (spec §10.2-10.3): deepseek-llm,
// deepseek-coder, deepseek-v3, llama-bpe (llama3, llama-v3, falcon3, pixtral), qwen2
// (deepseek-r1-qwen), and "default" (what a GGUF without the key gets). Sets *ignore_merges for
// the LLAMA3 family and *add_bos_default to the pre-type's BOS default.
// NotFound("unknown pre-tokenizer '<name>'") for other names.
Expected<std::vector<std::string>> PretokenizerRegexes(const std::string& name, bool* ignore_merges,
                                                       bool* add_bos_default);

// The regex Hugging Face's ByteLevel pre-tokenizer applies when use_regex is true (GPT-2's).
const std::string& Gpt2ByteLevelRegex();

// A pre-token: a byte range of the text given to Split().
struct PreToken {
  size_t offset;
  size_t length;
};

class Pretokenizer {
 public:
  // Compiles `regexes` (applied in this order). InvalidArgument naming the regex and PCRE2's
  // message when one does not compile.
  static Expected<Pretokenizer> Create(const std::vector<std::string>& regexes);

  Pretokenizer(Pretokenizer&&) noexcept;
  Pretokenizer& operator=(Pretokenizer&&) noexcept;
  ~Pretokenizer();

  // Appends the pre-tokens of `text` to *out, in order; together they cover `text` exactly.
  // Empty text gives no pre-tokens.
  void Split(std::string_view text, std::vector<PreToken>* out) const;

  // Convenience for tests and tools: the pre-tokens as strings.
  std::vector<std::string> SplitToStrings(std::string_view text) const;

  size_t regex_count() const;

 private:
  struct Impl;
  explicit Pretokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsinfer::tokenizer
