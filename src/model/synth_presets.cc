#include "model/synth_presets.h"

namespace dsinfer {

namespace {

ModelConfig Deepseek2(uint32_t layers, uint32_t d, uint32_t heads, uint32_t q_lora, uint32_t kv_lora,
                      uint32_t nope, uint32_t rope, uint32_t dv, uint32_t ff, uint32_t ff_exp,
                      uint32_t experts, uint32_t used, uint32_t shared, uint32_t dense,
                      uint32_t groups, uint32_t groups_used, ExpertGating gating, bool norm,
                      float scale, float mscale_all_dim, uint32_t vocab) {
  ModelConfig c;
  c.arch = Architecture::kDeepseek2;
  c.n_layer = layers;
  c.n_embd = d;
  c.n_head = heads;
  c.n_head_kv = 1;
  c.head_dim_k = nope + rope;
  c.head_dim_v = dv;
  c.n_rot = rope;
  c.n_ff = ff;
  c.n_ff_exp = ff_exp;
  c.n_expert = experts;
  c.n_expert_used = used;
  c.n_expert_shared = shared;
  c.n_leading_dense = dense;
  c.n_expert_group = groups;
  c.n_expert_group_used = groups_used;
  c.gating = gating;
  c.expert_weights_norm = norm;
  c.expert_weights_scale = scale;
  c.is_mla = true;
  c.q_lora_rank = q_lora;
  c.kv_lora_rank = kv_lora;
  c.n_vocab = vocab;
  c.n_ctx_train = 163840;
  c.rms_eps = 1e-6f;
  c.rope_freq_base = 10000.0f;
  c.rope_scaling = RopeScaling::kYarn;
  c.rope_scaling_factor = 40.0f;
  c.rope_orig_ctx = 4096;
  c.yarn_log_multiplier = mscale_all_dim;
  return c;
}

ModelConfig Dense(Architecture arch, uint32_t layers, uint32_t d, uint32_t heads, uint32_t kv_heads,
                  uint32_t ff, uint32_t vocab, uint32_t ctx, float base, float eps) {
  ModelConfig c;
  c.arch = arch;
  c.n_layer = layers;
  c.n_embd = d;
  c.n_head = heads;
  c.n_head_kv = kv_heads;
  c.head_dim_k = c.head_dim_v = c.n_rot = d / heads;
  c.n_ff = ff;
  c.n_vocab = vocab;
  c.n_ctx_train = ctx;
  c.rope_freq_base = base;
  c.rms_eps = eps;
  c.rope_neox = arch == Architecture::kQwen2;
  return c;
}

std::vector<SynthPreset> Build() {
  std::vector<SynthPreset> p;
  const auto kSoftmax = ExpertGating::kSoftmax, kSigmoid = ExpertGating::kSigmoid;
  {
    SynthPreset s{"tiny", "built-in demo model: DeepSeek-V3-style MLA with q-LoRA and sigmoid-routed experts, a few MB",
                  Deepseek2(4, 256, 4, 128, 128, 32, 32, 32, 512, 128, 8, 2, 1, 1, 2, 1, kSigmoid,
                            true, 2.5f, 1.0f, 0),
                  {}, std::nullopt, "deepseek-v3", "Q8_0"};
    s.config.n_ctx_train = 4096;
    s.config.rope_scaling_factor = 4.0f;
    s.config.rope_orig_ctx = 1024;
    s.layout.expert_bias = true;
    p.push_back(s);
  }
  p.push_back({"deepseek-v2-lite", "DeepSeek-V2-Lite (15.7B total, 2.4B active; MLA without q-LoRA, 64 experts)",
               Deepseek2(27, 2048, 16, 0, 512, 128, 64, 128, 10944, 1408, 64, 6, 2, 1, 1, 1, kSoftmax,
                         false, 1.0f, 0.707f, 102400),
               {}, std::nullopt, "deepseek-llm", "Q4_K_M"});
  p.push_back({"deepseek-v2", "DeepSeek-V2 / V2.5 (236B total, 21B active; 160 experts)",
               Deepseek2(60, 5120, 128, 1536, 512, 128, 64, 128, 12288, 1536, 160, 6, 2, 1, 8, 3,
                         kSoftmax, false, 16.0f, 0.707f, 102400),
               {}, std::nullopt, "deepseek-llm", "Q4_K_M"});
  {
    SynthPreset s{"deepseek-v3", "DeepSeek-V3 / R1 (671B total, 37B active; 256 sigmoid-routed experts)",
                  Deepseek2(61, 7168, 128, 1536, 512, 128, 64, 128, 18432, 2048, 256, 8, 1, 3, 8, 4,
                            kSigmoid, true, 2.5f, 1.0f, 129280),
                  {}, std::nullopt, "deepseek-v3", "Q4_K_M"};
    s.layout.expert_bias = true;
    p.push_back(s);
  }
  p.push_back({"deepseek-llm-7b", "DeepSeek-LLM 7B (dense llama architecture)",
               Dense(Architecture::kLlama, 30, 4096, 32, 32, 11008, 102400, 4096, 10000.0f, 1e-6f), {},
               std::nullopt, "deepseek-llm", "Q4_K_M"});
  {
    SynthPreset s{"deepseek-r1-distill-qwen-1.5b", "DeepSeek-R1-Distill-Qwen-1.5B (qwen2 architecture)",
                  Dense(Architecture::kQwen2, 28, 1536, 12, 2, 8960, 151936, 131072, 10000.0f, 1e-6f),
                  {}, std::nullopt, "deepseek-r1-qwen", "Q4_K_M"};
    s.layout.qkv_bias = true;
    p.push_back(s);
  }
  {
    SynthPreset s{"deepseek-r1-distill-llama-8b", "DeepSeek-R1-Distill-Llama-8B (llama 3.1 architecture)",
                  Dense(Architecture::kLlama, 32, 4096, 32, 8, 14336, 128256, 131072, 500000.0f, 1e-5f),
                  {}, Llama3RopeScaling{}, "llama-bpe", "Q4_K_M"};
    s.layout.rope_freqs = true;
    p.push_back(s);
  }
  return p;
}

}  // namespace

const std::vector<SynthPreset>& SynthPresets() {
  static const std::vector<SynthPreset> presets = Build();
  return presets;
}

std::optional<SynthPreset> FindSynthPreset(const std::string& name) {
  for (const auto& p : SynthPresets()) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

}  // namespace dsinfer
