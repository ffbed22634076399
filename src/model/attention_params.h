// RoPE parameters and the attention softmax scale that llama.cpp derives for a model
// (spec §5.4 resolution of runtime parameters, §8.3 YaRN bookkeeping for deepseek2).
// Pure; thread-safe.
#pragma once

#include "kernels/ops.h"
#include "model/model_config.h"

namespace dsinfer {

struct AttentionParams {
  RopeParams rope;        // for q/k (dense) or the decoupled rope parts (deepseek2)
  float kq_scale = 1.0f;  // multiplies q·k before the softmax
};

// `freq_factors` (rope_freqs.weight, n_rot/2 values) may be null; it must outlive the result.
AttentionParams MakeAttentionParams(const ModelConfig& config, const float* freq_factors);

}  // namespace dsinfer
