// TokenizerTextDecoderFactory: the engine's TextDecoderFactory over the real tokenizer. Each
// sample gets a tokenizer::IncrementalDecoder, so text deltas never end inside a UTF-8
// character that later tokens could complete, and special tokens (CONTROL/UNKNOWN) render as
// nothing when skip_special is set (the default, as the OpenAI API expects).
//
// Thread-safety: Create() is safe from any thread (the Tokenizer is immutable); each decoder is
// used by the engine thread only. The Tokenizer must outlive the factory and every decoder.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/text_decoder.h"
#include "tokenizer/bpe_tokenizer.h"

namespace dsinfer::engine {

class TokenizerTextDecoderFactory : public TextDecoderFactory {
 public:
  explicit TokenizerTextDecoderFactory(const tokenizer::Tokenizer& tokenizer, bool skip_special = true)
      : tokenizer_(tokenizer), skip_special_(skip_special) {}

  std::unique_ptr<TextDecoder> Create() const override;

 private:
  const tokenizer::Tokenizer& tokenizer_;
  bool skip_special_;
};

// The vocabulary's end-of-generation ids (EOS, EOT, EOM and known end-of-turn markers), for
// EngineOptions::eos_token_ids.
std::vector<int32_t> EndOfGenerationIds(const tokenizer::Tokenizer& tokenizer);

}  // namespace dsinfer::engine
