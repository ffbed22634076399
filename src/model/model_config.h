// ModelConfig: the hyper-parameters of a supported architecture, read from GGUF metadata with
// llama.cpp's key names, types and defaults (spec §3). One struct for all four architectures;
// fields that an architecture does not use keep their zero defaults.
// Plain value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "gguf/reader.h"

namespace dsinfer {

enum class Architecture { kLlama, kQwen2, kDeepseek, kDeepseek2 };

// "llama", "qwen2", "deepseek", "deepseek2".
const char* ArchitectureName(Architecture arch);

enum class RopeScaling { kNone, kLinear, kYarn };
enum class ExpertGating { kSoftmax = 1, kSigmoid = 2 };

struct ModelConfig {
  Architecture arch = Architecture::kLlama;
  std::string name;              // general.name, informational

  uint32_t n_layer = 0;          // trunk depth (block_count minus MTP blocks)
  uint32_t n_nextn_layer = 0;    // DeepSeek MTP blocks at the end (not part of the trunk)
  uint32_t n_embd = 0;           // D
  uint32_t n_head = 0;           // H
  uint32_t n_head_kv = 0;        // H_kv (1 for MLA files)
  uint32_t head_dim_k = 0;       // d_k for dense archs, d_qk for deepseek2
  uint32_t head_dim_v = 0;       // d_v
  uint32_t n_ff = 0;             // dense FFN width
  uint32_t n_vocab = 0;          // length of tokenizer.ggml.tokens (or token_embd rows)
  uint32_t n_ctx_train = 0;
  float rms_eps = 1e-6f;

  // RoPE.
  uint32_t n_rot = 0;
  float rope_freq_base = 10000.0f;
  RopeScaling rope_scaling = RopeScaling::kNone;
  float rope_scaling_factor = 1.0f;  // the "factor" (freq_scale = 1/factor)
  uint32_t rope_orig_ctx = 0;        // YaRN original context length
  float rope_attn_factor = 1.0f;
  float yarn_log_multiplier = 0.0f;  // mscale_all_dim (stored value / 0.1)
  bool rope_neox = false;            // NEOX (half-split) pairing; NORM (adjacent) otherwise

  // Mixture of experts (0 experts = dense).
  uint32_t n_expert = 0;
  uint32_t n_expert_used = 0;
  uint32_t n_expert_shared = 0;
  uint32_t n_ff_exp = 0;
  uint32_t n_leading_dense = 0;
  uint32_t n_expert_group = 0;
  uint32_t n_expert_group_used = 0;
  ExpertGating gating = ExpertGating::kSoftmax;
  bool expert_weights_norm = false;
  float expert_weights_scale = 0.0f;  // 0 = no scaling

  // DeepSeek-V2/V3 Multi-head Latent Attention.
  bool is_mla = false;        // key_length_mla and value_length_mla present (split k_b / v_b)
  uint32_t q_lora_rank = 0;   // 0 = plain attn_q (V2-Lite); decided by tensor presence too
  uint32_t kv_lora_rank = 0;

  bool is_moe() const { return n_expert > 0; }
  bool is_moe_layer(uint32_t layer) const { return is_moe() && layer >= n_leading_dense; }
};

// Reads and checks the hyper-parameters. Errors name the file and the key, e.g.
// "model.gguf: key deepseek2.expert_count has type i32, expected u32" or
// "model.gguf: expert_used_count 9 > expert_count 8".
Expected<ModelConfig> ReadModelConfig(const gguf::GgufFile& file);

}  // namespace dsinfer
