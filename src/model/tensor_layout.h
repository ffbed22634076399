// The tensors an architecture's GGUF file contains, with their exact shapes (spec §4), derived
// from a ModelConfig. Used to generate models (synth) and to validate files on load, so both
// sides agree with llama.cpp's loader by construction. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace dsinfer {

struct TensorSpec {
  std::string name;
  std::vector<int64_t> ne;  // ggml order
  // Generation hints for synthetic weights.
  enum class Init { kMatrix, kNorm, kEmbedding, kRouter, kBias, kRopeFreqs } init = Init::kMatrix;
  int64_t fan_in = 1;       // for kMatrix: the input width (scale 1/sqrt(fan_in))
};

struct LayoutOptions {
  bool tied_embeddings = false;  // no output.weight (qwen2 small models)
  bool rope_freqs = false;       // llama3-style rope_freqs.weight
  bool qkv_bias = false;         // qwen2 q/k/v biases
  bool expert_bias = false;      // deepseek2 exp_probs_b.bias (V3 sigmoid routing)
};

// Tensors in the order convert_hf_to_gguf writes them (globals, then layer by layer).
std::vector<TensorSpec> ExpectedTensors(const ModelConfig& config, const LayoutOptions& options);

// "[64, 256, 4]".
std::string ShapeToString(const std::vector<int64_t>& ne);

}  // namespace dsinfer
