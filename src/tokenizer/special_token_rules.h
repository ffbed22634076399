// Rules shared by the vocabulary loaders for special tokens, following llama.cpp
// (llama_vocab::impl::load) and convert_hf_to_gguf.py (does_token_look_special).
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "tokenizer/vocab.h"

namespace dsinfer::tokenizer {

// True for added-token texts the GGUF converter marks CONTROL even when the tokenizer.json does
// not mark them special: "<|...|>", "<｜...｜>" (U+FF5C), "<unused...>", "<pad>", "<mask>",
// "<2mass>", "[@BOS@]".
bool LooksLikeSpecialToken(std::string_view text);

// Completes the special-token fields of a loaded vocabulary: when eot_id is unset, the first id
// whose text is a known end-of-turn marker becomes EOT and is made CONTROL; eog_ids is set to
// EOS, EOT, EOM and every token whose text is a known end-of-generation marker.
void FinalizeSpecialTokens(Vocab* vocab);

}  // namespace dsinfer::tokenizer
