#include "model/model_config.h"

#include <string>

namespace dsinfer {

const char* ArchitectureName(Architecture arch) {
  switch (arch) {
    case Architecture::kLlama: return "llama";
    case Architecture::kQwen2: return "qwen2";
    case Architecture::kDeepseek: return "deepseek";
    case Architecture::kDeepseek2: return "deepseek2";
  }
  return "?";
}

namespace {

// Reads a key that llama.cpp accepts as a u32 scalar or a u32 array with one entry per layer.
// dsinfer needs uniform layers, so an array must hold one repeated value.
Expected<uint32_t> GetU32OrUniformArray(const gguf::GgufFile& f, const std::string& key,
                                        uint32_t fallback, uint32_t n_layer) {
  const gguf::GgufValue* v = f.Find(key);
  if (v == nullptr) return fallback;
  if (v->type() != gguf::ValueType::kArray) return f.GetU32(key);
  const auto& arr = v->as_array();
  if (v->elem_type() != gguf::ValueType::kUint32 && v->elem_type() != gguf::ValueType::kInt32) {
    return InvalidArgument(f.path() + ": key " + key + " is an array of " +
                           gguf::ValueTypeName(v->elem_type()) + ", expected u32");
  }
  if (arr.size() != n_layer) {
    return InvalidArgument(f.path() + ": key " + key + " has " + std::to_string(arr.size()) +
                           " entries, expected one per layer (" + std::to_string(n_layer) + ")");
  }
  if (arr.empty()) return fallback;
  int64_t first = arr[0].as_i64();
  for (const auto& e : arr) {
    if (e.as_i64() != first) {
      return Unimplemented(f.path() + ": key " + key +
                           " varies between layers; dsinfer supports uniform layers only");
    }
  }
  if (first < 0) return InvalidArgument(f.path() + ": key " + key + " is negative");
  return static_cast<uint32_t>(first);
}

Status Invalid(const gguf::GgufFile& f, const std::string& what) {
  return InvalidArgument(f.path() + ": " + what);
}

}  // namespace

Expected<ModelConfig> ReadModelConfig(const gguf::GgufFile& f) {
  ModelConfig c;
  DSINFER_ASSIGN_OR_RETURN(std::string arch, f.GetString("general.architecture"));
  if (arch == "llama") {
    c.arch = Architecture::kLlama;
  } else if (arch == "qwen2") {
    c.arch = Architecture::kQwen2;
    c.rope_neox = true;
  } else if (arch == "deepseek") {
    c.arch = Architecture::kDeepseek;
  } else if (arch == "deepseek2") {
    c.arch = Architecture::kDeepseek2;
  } else {
    return Unimplemented(f.path() + ": architecture '" + arch +
                         "' is not supported (supported: llama, qwen2, deepseek, deepseek2)");
  }
  const std::string p = arch + ".";
  DSINFER_ASSIGN_OR_RETURN(c.name, f.GetStringOr("general.name", ""));
  DSINFER_ASSIGN_OR_RETURN(uint32_t block_count, f.GetU32(p + "block_count"));
  DSINFER_ASSIGN_OR_RETURN(c.n_nextn_layer, f.GetU32Or(p + "nextn_predict_layers", 0));
  if (c.n_nextn_layer > block_count) {
    return Invalid(f, "nextn_predict_layers " + std::to_string(c.n_nextn_layer) +
                          " > block_count " + std::to_string(block_count));
  }
  c.n_layer = block_count - c.n_nextn_layer;
  if (c.n_layer == 0 || c.n_layer > 4096) {
    return Invalid(f, "block_count " + std::to_string(block_count) + " is out of range");
  }
  DSINFER_ASSIGN_OR_RETURN(c.n_ctx_train, f.GetU32(p + "context_length"));
  DSINFER_ASSIGN_OR_RETURN(c.n_embd, f.GetU32(p + "embedding_length"));
  DSINFER_ASSIGN_OR_RETURN(c.n_ff, GetU32OrUniformArray(f, p + "feed_forward_length", 0, block_count));
  DSINFER_ASSIGN_OR_RETURN(c.n_head, GetU32OrUniformArray(f, p + "attention.head_count", 0, block_count));
  DSINFER_ASSIGN_OR_RETURN(c.n_head_kv,
                           GetU32OrUniformArray(f, p + "attention.head_count_kv", c.n_head, block_count));
  if (c.n_embd == 0 || c.n_head == 0) return Invalid(f, "embedding_length and head_count must be > 0");
  if (c.n_head_kv == 0 || c.n_head % c.n_head_kv != 0) {
    return Invalid(f, "head_count " + std::to_string(c.n_head) +
                          " is not a multiple of head_count_kv " + std::to_string(c.n_head_kv));
  }
  DSINFER_ASSIGN_OR_RETURN(uint32_t key_length, f.GetU32Or(p + "attention.key_length", c.n_embd / c.n_head));
  DSINFER_ASSIGN_OR_RETURN(uint32_t value_length,
                           f.GetU32Or(p + "attention.value_length", c.n_embd / c.n_head));
  c.head_dim_k = key_length;
  c.head_dim_v = value_length;
  DSINFER_ASSIGN_OR_RETURN(c.rms_eps, f.GetF32(p + "attention.layer_norm_rms_epsilon"));

  DSINFER_ASSIGN_OR_RETURN(c.n_rot, f.GetU32Or(p + "rope.dimension_count", key_length));
  DSINFER_ASSIGN_OR_RETURN(c.rope_freq_base, f.GetF32Or(p + "rope.freq_base", 10000.0f));
  DSINFER_ASSIGN_OR_RETURN(std::string scaling, f.GetStringOr(p + "rope.scaling.type", "linear"));
  DSINFER_ASSIGN_OR_RETURN(float factor, f.GetF32Or(p + "rope.scaling.factor", 0.0f));
  if (factor == 0.0f) {
    DSINFER_ASSIGN_OR_RETURN(factor, f.GetF32Or(p + "rope.scale_linear", 0.0f));
  }
  c.rope_scaling_factor = factor == 0.0f ? 1.0f : factor;
  if (scaling == "none") {
    c.rope_scaling = RopeScaling::kNone;
  } else if (scaling == "linear") {
    c.rope_scaling = c.rope_scaling_factor == 1.0f ? RopeScaling::kNone : RopeScaling::kLinear;
  } else if (scaling == "yarn") {
    c.rope_scaling = RopeScaling::kYarn;
  } else {
    return Unimplemented(f.path() + ": rope.scaling.type '" + scaling + "' is not supported");
  }
  DSINFER_ASSIGN_OR_RETURN(c.rope_orig_ctx,
                           f.GetU32Or(p + "rope.scaling.original_context_length", c.n_ctx_train));
  DSINFER_ASSIGN_OR_RETURN(c.rope_attn_factor, f.GetF32Or(p + "rope.scaling.attn_factor", 1.0f));

  DSINFER_ASSIGN_OR_RETURN(c.n_expert, f.GetU32Or(p + "expert_count", 0));
  DSINFER_ASSIGN_OR_RETURN(c.n_expert_used, f.GetU32Or(p + "expert_used_count", 0));
  DSINFER_ASSIGN_OR_RETURN(c.n_expert_group, f.GetU32Or(p + "expert_group_count", 0));
  DSINFER_ASSIGN_OR_RETURN(c.n_expert_group_used, f.GetU32Or(p + "expert_group_used_count", 0));
  if (c.n_expert > 512) return Invalid(f, "expert_count " + std::to_string(c.n_expert) + " > 512");
  if (c.n_expert_used > c.n_expert) {
    return Invalid(f, "expert_used_count " + std::to_string(c.n_expert_used) + " > expert_count " +
                          std::to_string(c.n_expert));
  }
  if (c.n_expert > 0 && c.n_expert_used == 0) return Invalid(f, "expert_used_count must be > 0");
  if (c.n_expert_group > 1) {
    if (c.n_expert % c.n_expert_group != 0) {
      return Invalid(f, "expert_count is not a multiple of expert_group_count");
    }
    if (c.n_expert_group_used == 0 || c.n_expert_group_used > c.n_expert_group) {
      return Invalid(f, "expert_group_used_count must be in [1, expert_group_count]");
    }
  }

  if (c.arch == Architecture::kDeepseek || c.arch == Architecture::kDeepseek2) {
    DSINFER_ASSIGN_OR_RETURN(c.n_leading_dense, f.GetU32Or(p + "leading_dense_block_count", 0));
    DSINFER_ASSIGN_OR_RETURN(c.n_ff_exp, f.GetU32Or(p + "expert_feed_forward_length", 0));
    DSINFER_ASSIGN_OR_RETURN(c.n_expert_shared, f.GetU32Or(p + "expert_shared_count", 0));
    DSINFER_ASSIGN_OR_RETURN(c.expert_weights_scale, f.GetF32Or(p + "expert_weights_scale", 0.0f));
    if (c.n_expert > 0 && c.n_ff_exp == 0) {
      return Invalid(f, "expert_feed_forward_length is required for a mixture-of-experts model");
    }
  }
  if (c.arch == Architecture::kDeepseek2) {
    DSINFER_ASSIGN_OR_RETURN(c.expert_weights_norm, f.GetBoolOr(p + "expert_weights_norm", false));
    DSINFER_ASSIGN_OR_RETURN(uint32_t gating, f.GetU32Or(p + "expert_gating_func", 1));
    if (gating != 1 && gating != 2) {
      return Unimplemented(f.path() + ": expert_gating_func " + std::to_string(gating) +
                           " is not supported (1 = softmax, 2 = sigmoid)");
    }
    c.gating = static_cast<ExpertGating>(gating);
    DSINFER_ASSIGN_OR_RETURN(c.q_lora_rank, f.GetU32Or(p + "attention.q_lora_rank", 0));
    DSINFER_ASSIGN_OR_RETURN(c.kv_lora_rank, f.GetU32(p + "attention.kv_lora_rank"));
    DSINFER_ASSIGN_OR_RETURN(uint32_t k_mla, f.GetU32Or(p + "attention.key_length_mla", 0));
    DSINFER_ASSIGN_OR_RETURN(uint32_t v_mla, f.GetU32Or(p + "attention.value_length_mla", 0));
    c.is_mla = k_mla != 0 && v_mla != 0;
    if (c.is_mla) {
      c.head_dim_k = k_mla;
      c.head_dim_v = v_mla;
    }
    DSINFER_ASSIGN_OR_RETURN(float log_mul, f.GetF32Or(p + "rope.scaling.yarn_log_multiplier", 0.0f));
    c.yarn_log_multiplier = log_mul / 0.1f;
    if (c.n_rot >= c.head_dim_k) {
      return Invalid(f, "rope.dimension_count " + std::to_string(c.n_rot) +
                            " must be smaller than the query/key head size " +
                            std::to_string(c.head_dim_k));
    }
  } else if (c.arch == Architecture::kLlama && c.n_rot != c.head_dim_k) {
    return Invalid(f, "rope.dimension_count " + std::to_string(c.n_rot) +
                          " must equal the head size " + std::to_string(c.head_dim_k));
  }
  if (c.n_leading_dense > c.n_layer) {
    return Invalid(f, "leading_dense_block_count exceeds block_count");
  }

  if (const gguf::GgufValue* tokens = f.Find("tokenizer.ggml.tokens");
      tokens != nullptr && tokens->type() == gguf::ValueType::kArray) {
    c.n_vocab = static_cast<uint32_t>(tokens->as_array().size());
  } else if (const gguf::TensorInfo* emb = f.FindTensor("token_embd.weight")) {
    c.n_vocab = static_cast<uint32_t>(emb->ne[1]);
  }
  return c;
}

}  // namespace dsinfer
