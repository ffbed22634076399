// The input of one model step: new tokens of several sequences, each at its own positions and
// with its own block table into the KvCache. Plain data; the caller owns the arrays.
#pragma once

#include <cstdint>
#include <vector>

namespace dsinfer {

struct SequenceChunk {
  const int32_t* tokens = nullptr;
  int n_tokens = 0;
  // Position of tokens[0]; the sequence's earlier positions [0, start_pos) are already cached.
  int64_t start_pos = 0;
  // Block ids covering positions [0, start_pos + n_tokens).
  const int32_t* block_table = nullptr;
  int n_blocks = 0;
  // Which rows get logits: all tokens of the chunk, or only the last one.
  bool all_logits = false;
};

struct ForwardBatch {
  std::vector<SequenceChunk> sequences;

  int64_t total_tokens() const {
    int64_t n = 0;
    for (const auto& s : sequences) n += s.n_tokens;
    return n;
  }
  // Rows of logits Forward() returns, in sequence order, tokens in order within a sequence.
  int64_t logit_rows() const {
    int64_t n = 0;
    for (const auto& s : sequences) n += s.all_logits ? s.n_tokens : (s.n_tokens > 0 ? 1 : 0);
    return n;
  }
};

}  // namespace dsinfer
