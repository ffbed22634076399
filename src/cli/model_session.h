// Shared by the commands that evaluate a model directly (logits, run): a loaded model with a
// KV cache for one sequence of up to `max_tokens` tokens and its block table.
#pragma once

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "model/model.h"

namespace dsinfer::cli {

// Parses "1,2,3" or "1 2 3" into ids; errors name the bad entry.
Expected<std::vector<int32_t>> ParseTokenList(const std::string& text);

// Parses a KV element type flag: "f32", "f16" or "bf16".
Expected<DType> ParseKvType(const std::string& text);

// One line on stderr saying what Model::Load packed for the fast kernels (and whether from a
// cache file), or why it did not; nothing when no matrix type has a packed kernel.
void PrintPackSummary(const Model& model);

class SingleSequence {
 public:
  static Expected<std::unique_ptr<SingleSequence>> Create(const Model& model, int max_tokens, DType kv_type);

  // Appends tokens at the current position; returns logits of every row (all) or the last one.
  Status Append(const std::vector<int32_t>& tokens, bool all, ThreadPool& pool, std::vector<float>* logits);
  int64_t position() const { return position_; }

 private:
  SingleSequence(const Model& model, KvCache kv, std::vector<int32_t> table)
      : model_(model), kv_(std::move(kv)), table_(std::move(table)) {}

  const Model& model_;
  KvCache kv_;
  std::vector<int32_t> table_;
  int64_t position_ = 0;
};

}  // namespace dsinfer::cli
