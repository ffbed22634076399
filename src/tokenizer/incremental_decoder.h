// IncrementalDecoder: turns a stream of token ids into text deltas for streaming output.
//
// Push(id) appends the token's bytes (Tokenizer::AppendPiece) and returns the text that became
// complete: everything except a trailing incomplete UTF-8 sequence, which is held back until
// later tokens complete it. So a delta never ends inside a multi-byte character that could still
// be completed; bytes that can never form a valid character (stray continuation bytes, invalid
// lead bytes) are passed through as they come. Finish() returns whatever is still held back
// (a character the stream ended in the middle of). For any ids, the concatenation of every Push
// delta and Finish() equals Tokenizer::Decode(ids, skip_special).
//
// One decoder per stream. Not thread-safe (one thread at a time); the Tokenizer must outlive it.
#pragma once

#include <cstdint>
#include <string>

#include "tokenizer/bpe_tokenizer.h"

namespace dsinfer::tokenizer {

class IncrementalDecoder {
 public:
  // `skip_special`: CONTROL/UNKNOWN tokens (e.g. <｜end▁of▁sentence｜>) produce no text.
  IncrementalDecoder(const Tokenizer& tokenizer, bool skip_special)
      : tokenizer_(&tokenizer), skip_special_(skip_special) {}

  // The newly complete text after appending token `id` (often empty mid-character).
  std::string Push(int32_t id);

  // Ends the stream: returns the held-back bytes (possibly an incomplete character) and resets.
  std::string Finish();

  // Bytes currently held back waiting for the rest of a character (at most 3).
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  bool skip_special_;
  std::string pending_;
};

// Length of the trailing part of `bytes` that is an incomplete but still completable UTF-8
// sequence (0..3). Pure; thread-safe.
size_t IncompleteUtf8Suffix(const std::string& bytes);

}  // namespace dsinfer::tokenizer
