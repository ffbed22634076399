// A byte-level BPE vocabulary for generated models: the 256 GPT-2 byte symbols, merges for
// common English words, DeepSeek's special tokens, and (when a preset needs a given vocabulary
// size) UNUSED filler tokens. Every merge's result is a token, so the vocabulary is a valid
// llama.cpp "gpt2" tokenizer. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dsinfer {

struct SynthVocab {
  std::vector<std::string> tokens;
  std::vector<int32_t> token_types;  // llama.cpp token types: 1 normal, 3 control, 5 unused
  std::vector<std::string> merges;   // "A B", highest priority first
  uint32_t bos_id = 0;
  uint32_t eos_id = 0;
};

// `size` 0 means "as small as the content allows"; otherwise the vocabulary is padded to
// exactly `size` tokens (which must leave room for the content; CHECKed).
SynthVocab BuildSynthVocab(uint32_t size);

}  // namespace dsinfer
