// Presets for `dsinfer synth`: the published shapes and hyper-parameters of real DeepSeek-family
// models (from their Hugging Face configs), plus `tiny`, the built-in demo model. Users size
// hardware with these before downloading hundreds of gigabytes. Immutable data; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/model_config.h"
#include "model/tensor_layout.h"

namespace dsinfer {

// Llama-3.x RoPE frequency scaling (written as rope_freqs.weight).
struct Llama3RopeScaling {
  float factor = 8.0f;
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  uint32_t original_context = 8192;
};

struct SynthPreset {
  std::string name;
  std::string description;
  ModelConfig config;
  LayoutOptions layout;
  std::optional<Llama3RopeScaling> llama3_rope;
  std::string tokenizer_pre;     // tokenizer.ggml.pre
  std::string default_type;      // recipe used when --type is not given
};

const std::vector<SynthPreset>& SynthPresets();
std::optional<SynthPreset> FindSynthPreset(const std::string& name);

}  // namespace dsinfer
