#include "model/attention_params.h"

#include <cmath>

namespace dsinfer {

AttentionParams MakeAttentionParams(const ModelConfig& c, const float* freq_factors) {
  AttentionParams p;
  RopeParams& r = p.rope;
  r.n_dims = static_cast<int>(c.n_rot);
  r.neox = c.rope_neox;
  r.freq_base = c.rope_freq_base;
  r.freq_scale = c.rope_scaling == RopeScaling::kNone ? 1.0f : 1.0f / c.rope_scaling_factor;
  r.ext_factor = c.rope_scaling == RopeScaling::kYarn ? 1.0f : 0.0f;
  r.n_ctx_orig = static_cast<int>(c.rope_orig_ctx);
  r.freq_factors = freq_factors;

  // Runtime attention factor, as llama_context resolves it.
  float attn_factor = 1.0f;
  if (r.ext_factor != 0.0f) {
    const float s = 1.0f / r.freq_scale;
    auto g = [s](float mu) { return s <= 1.0f ? 1.0f : 1.0f + 0.1f * mu * std::log(s); };
    if (c.yarn_log_multiplier != 0.0f) {
      const float mu_all = c.yarn_log_multiplier;
      const float mu = (c.arch == Architecture::kDeepseek2 && mu_all != 1.0f) ? mu_all : 1.0f;
      attn_factor = g(mu) / g(mu_all);
    } else {
      attn_factor = g(1.0f);
    }
    attn_factor *= 1.0f / (1.0f + 0.1f * std::log(s));
  }
  attn_factor *= c.rope_attn_factor;
  r.attn_factor = attn_factor;

  if (c.arch == Architecture::kDeepseek2) {
    const float ln_inv_scale = std::log(1.0f / r.freq_scale);
    const float attn_factor_org = attn_factor * (1.0f + 0.1f * ln_inv_scale);
    const float mscale = attn_factor_org * (1.0f + 0.1f * c.yarn_log_multiplier * ln_inv_scale);
    p.kq_scale = mscale * mscale / std::sqrt(static_cast<float>(c.head_dim_k));
  } else {
    p.kq_scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim_k));
  }
  return p;
}

}  // namespace dsinfer
