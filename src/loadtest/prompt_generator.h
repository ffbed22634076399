// PromptGenerator: deterministic synthetic prompts of an exact token length. A prompt is a lead
// word followed by words drawn from PromptWords() with a SplitMix64 stream seeded by
// (--seed, request index); with a shared prefix, every prompt starts with the same words
// (drawn once from the seed) worth `shared_prefix_tokens` tokens.
//
// Lengths come from the server's own tokenizer through a TokenCounter: the cost of each word
// with its leading space, and of the lead word as a whole prompt (which includes BOS or the
// chat template). Byte-level BPE tokenizers split text into pre-tokens at spaces, so a prompt's
// count is the sum of those costs and Generate() needs no further server calls; CountExact()
// and GenerateExact() check and, if needed, grow or trim a prompt until the server agrees.
//
// Thread-compatible: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace dsinfer::loadtest {

// Counts tokens the way the server will (an interface so unit tests can use a fake).
class TokenCounter {
 public:
  virtual ~TokenCounter() = default;
  // Tokens of `text` sent as a whole prompt: with BOS, or inside the chat template for chat.
  virtual Expected<int64_t> CountPrompt(const std::string& text) = 0;
  // Tokens of `fragment` alone, with no special tokens and no template.
  virtual Expected<int64_t> CountFragment(const std::string& fragment) = 0;
};

struct GeneratedPrompt {
  std::string text;
  int64_t tokens = 0;  // the count the prompt was built to (the server's count when exact())
};

class PromptGenerator {
 public:
  // Measures word costs through `counter` (one call per word plus one); with counter == nullptr
  // every word counts one token and the lead word two (BOS), an approximation. Errors: the
  // counter's, or a prompt length below what the lead word alone costs.
  static Expected<PromptGenerator> Create(TokenCounter* counter, int64_t prompt_tokens,
                                          int64_t shared_prefix_tokens, uint64_t seed);

  // The prompt of request `index`; the same (seed, index) always gives the same text.
  GeneratedPrompt Generate(uint64_t index) const;

  // Generate(index), then asks `counter` for its real count and appends or removes words until
  // the count is prompt_tokens (at most 16 rounds; `tokens` is then the last count seen).
  Expected<GeneratedPrompt> GenerateExact(uint64_t index, TokenCounter* counter) const;

  bool measured() const { return measured_; }  // costs came from the server's tokenizer
  int64_t prompt_tokens() const { return prompt_tokens_; }
  int64_t head_tokens() const { return head_tokens_; }  // lead word as a whole prompt
  const std::string& shared_prefix() const { return prefix_text_; }

 private:
  PromptGenerator() = default;
  // Appends words worth exactly `target` tokens when possible; returns the tokens appended.
  int64_t Fill(uint64_t stream_seed, int64_t target, std::string* text) const;

  std::vector<std::string> words_;  // usable words (cost > 0)
  std::vector<int64_t> costs_;      // tokens of " " + word
  size_t cheapest_ = 0;             // index of a lowest-cost word
  bool measured_ = false;
  int64_t prompt_tokens_ = 0;
  int64_t head_tokens_ = 0;
  uint64_t seed_ = 0;
  std::string prefix_text_;  // lead word + shared-prefix words
  int64_t prefix_tokens_ = 0;
};

}  // namespace dsinfer::loadtest
