// Internal to the model layer: what one Forward() call shares between its stages (the token
// rows of the flattened batch with their positions and block tables, weights, cache, pool).
#pragma once

#include <cstdint>
#include <vector>

#include "base/scratch_arena.h"
#include "base/thread_pool.h"
#include "model/attention_params.h"
#include "model/kv_cache.h"
#include "model/model_config.h"
#include "model/routing_trace.h"
#include "model/weights.h"

namespace dsinfer {

struct TokenRow {
  int64_t pos = 0;
  const int32_t* block_table = nullptr;
};

struct ForwardState {
  const ModelConfig& config;
  const ModelWeights& weights;
  const AttentionParams& attn;
  KvCache& kv;
  ThreadPool& pool;
  std::vector<TokenRow> rows;  // one per token of the batch, in batch order
  RoutingTrace* routing_trace = nullptr;  // filled by MoeFfn when set
  // The calling thread's scratch; each stage opens a Scope and carves its buffers from it.
  ScratchArena& scratch = ScratchArena::ForThisThread();
  int64_t n_tokens() const { return static_cast<int64_t>(rows.size()); }
};

// Stage functions: `h` and `out` are [n_tokens x n_embd]; `out` is overwritten.
void MlaAttention(const ForwardState& s, int layer, const float* h, float* out);
void DenseAttention(const ForwardState& s, int layer, const float* h, float* out);
void DenseFfn(const ForwardState& s, const LayerWeights& L, const float* h, float* out);
void MoeFfn(const ForwardState& s, int layer, const float* h, float* out);

// Causal attention over a sequence's cached positions [0, pos]. Query heads share KV heads in
// groups of n_head / n_kv_head. K rows hold n_kv_head heads of k_head_width values; V rows
// likewise with v_head_width, or, when v_in_k, V is the first v_head_width values of each K head.
struct AttentionShape {
  int n_head = 0;
  int n_kv_head = 0;
  int64_t q_stride = 0;   // distance between consecutive heads' queries
  int64_t dot_width = 0;  // values in each q·k product
  int64_t k_head_width = 0;
  int64_t v_head_width = 0;
  bool v_in_k = false;
};

// All heads of all tokens of the batch on the pool; token t's queries start at q + t *
// q_token_stride and its output at out + t * out_token_stride (heads contiguous).
void AttendBatch(const ForwardState& s, int layer, const AttentionShape& shape, const float* q,
                 int64_t q_token_stride, float* out, int64_t out_token_stride);

}  // namespace dsinfer
