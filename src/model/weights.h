// ModelWeights: every weight of a model bound in place to the memory-mapped file.
// Matrices are WeightMatrix views (no copies); 1-D tensors (norms, biases, rope factors) are
// small f32 copies. Binding checks each tensor against the architecture's layout
// (tensor_layout.h) and fails with "<name>: expected [a, b], found [c, d]" on a mismatch or
// "missing tensor <name>". Immutable after binding; safe to share across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"
#include "gguf/reader.h"
#include "kernels/matmul.h"
#include "model/model_config.h"
#include "model/tensor_layout.h"

namespace dsinfer {

// A 3-D weight tensor of `count` stacked matrices (experts, or heads for attn_k_b/attn_v_b).
struct StackedMatrix {
  WeightMatrix first;  // slice 0
  int64_t count = 0;
  WeightMatrix Slice(int64_t i) const {
    WeightMatrix m = first;
    const uint64_t offset = static_cast<uint64_t>(i) * static_cast<uint64_t>(first.rows) * first.row_bytes;
    m.data += offset;
    if (m.packed != nullptr) m.packed += offset;
    return m;
  }
};

struct LayerWeights {
  std::vector<float> attn_norm, ffn_norm;
  // llama / qwen2 / deepseek attention.
  WeightMatrix wq, wk, wv, wo;
  std::vector<float> bq, bk, bv;  // empty when absent
  // deepseek2 MLA attention (wq is used when there is no q-LoRA).
  WeightMatrix wq_a, wq_b, wkv_a, wkv_b;
  std::vector<float> q_a_norm, kv_a_norm;
  StackedMatrix wk_b, wv_b;  // per head: [r_kv x d_nope] and [d_v x r_kv]
  // Dense FFN.
  WeightMatrix ffn_gate, ffn_up, ffn_down;
  // Mixture of experts.
  WeightMatrix router;              // [E x D]
  std::vector<float> expert_bias;   // exp_probs_b, empty when absent
  StackedMatrix gate_exps, up_exps, down_exps;
  WeightMatrix gate_shexp, up_shexp, down_shexp;  // rows == 0 when there are no shared experts
};

struct ModelWeights {
  LayoutOptions layout;
  WeightMatrix token_embd;         // [V x D]
  WeightMatrix output;             // [V x D] (token_embd when tied)
  std::vector<float> output_norm;
  std::vector<float> rope_freqs;   // empty when absent
  std::vector<LayerWeights> layers;
  // Owns the packed copies the matrices' `packed` fields point to (model/packed_weights.h).
  std::shared_ptr<void> packed_storage;
};

// Binds the weights of `file`. May refine `config` from tensor presence (q-LoRA vs attn_q,
// legacy attn_kv_b vs split k_b/v_b), as llama.cpp does.
Expected<ModelWeights> BindWeights(const gguf::GgufFile& file, ModelConfig* config);

}  // namespace dsinfer
