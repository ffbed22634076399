// Quantization recipes ("Q4_K_M", "Q8_0", ...) and the per-tensor type choice that llama.cpp's
// llama-quantize makes for them: which tensors stay F32 (1-D tensors, norms, the MoE router),
// which get more bits (output, some attn_v / ffn_down layers, attn_output of 8-expert models),
// and the 32-block fallbacks for rows that are not a multiple of 256. Matching these choices
// is what makes our files interchangeable with llama.cpp's. Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gguf/reader.h"
#include "model/model_config.h"
#include "tensor/dtype.h"

namespace dsinfer {

struct QuantRecipe {
  const char* name;       // "Q4_K_M"
  uint32_t file_type;     // llama_ftype value stored in general.file_type
  DType base;             // type of most weights
  bool mixed;             // applies llama.cpp's per-tensor heuristics (quantized recipes)
};

// Recipes `dsinfer quantize --type` accepts, in help order.
const std::vector<QuantRecipe>& QuantRecipes();
// Case-insensitive lookup; nullopt for unknown names.
std::optional<QuantRecipe> FindQuantRecipe(const std::string& name);

struct TensorPlan {
  size_t tensor_index;   // into the `tensors` vector given to PlanQuantization
  DType type;            // output type
  bool fallback;         // the preferred type did not fit the row length
};

// Decides the output type of every tensor and the output order (llama.cpp's: non-layer
// tensors by name, then layers in numeric order, each by name). A row length that fits neither
// the chosen type nor its 32-block fallback is stored as F16 (llama.cpp refuses such tensors).
// Only names, types, n_dims and shapes of `tensors` are used (data may be null), so a model
// that is being generated can be planned before any weight exists.
Expected<std::vector<TensorPlan>> PlanQuantization(const std::vector<gguf::TensorInfo>& tensors,
                                                   const ModelConfig& config,
                                                   const QuantRecipe& recipe);

}  // namespace dsinfer
