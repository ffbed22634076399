// ModelFootprint: what a model costs to hold and to run, derived from its tensors and
// hyper-parameters: parameter counts, weight bytes read per decoded token (the decode memory
// traffic that bounds CPU speed), and KV-cache bytes per token for the MLA latent layout and
// for a full per-head K/V layout. Pure computation; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "gguf/reader.h"
#include "model/model_config.h"
#include "tensor/dtype.h"

namespace dsinfer {

struct TypeTotals {
  uint64_t tensors = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;
};

struct ModelFootprint {
  uint64_t total_params = 0;
  // Parameters that take part in one token's forward pass: routed experts count k/E of their
  // size, the embedding table one row.
  uint64_t active_params = 0;
  uint64_t weight_bytes = 0;
  // Bytes of weights read to decode one token (same accounting as active_params).
  uint64_t bytes_read_per_token = 0;
  // KV cache per token over all layers, for 2-byte elements (F16/BF16); see KvBytesPerToken.
  uint64_t kv_values_per_token_mla = 0;   // n_layer * (kv_lora_rank + n_rot); 0 if not MLA
  uint64_t kv_values_per_token_full = 0;  // n_layer * H_kv' * (d_k + d_v) of plain attention
  std::map<std::string, TypeTotals> by_type;  // keyed by type name
};

// True for the stacked routed-expert tensors (ffn_{gate,up,down,gate_up}_exps).
bool IsRoutedExpertTensor(const std::string& name);

ModelFootprint ComputeFootprint(const gguf::GgufFile& file, const ModelConfig& config);

}  // namespace dsinfer
