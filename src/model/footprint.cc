#include "model/footprint.h"

#include <cstdio>

namespace dsinfer {

bool IsRoutedExpertTensor(const std::string& name) {
  return name.find("_exps.") != std::string::npos;
}

ModelFootprint ComputeFootprint(const gguf::GgufFile& file, const ModelConfig& c) {
  ModelFootprint fp;
  for (const gguf::TensorInfo& t : file.tensors()) {
    const uint64_t n = static_cast<uint64_t>(t.n_elements());
    fp.total_params += n;
    fp.weight_bytes += t.nbytes;
    TypeTotals& tt = fp.by_type[DTypeName(t.type)];
    tt.tensors++;
    tt.elements += n;
    tt.bytes += t.nbytes;

    uint64_t active = n, read = t.nbytes;
    if (IsRoutedExpertTensor(t.name) && c.n_expert > 0) {
      active = n / c.n_expert * c.n_expert_used;
      read = t.nbytes / c.n_expert * c.n_expert_used;
    } else if (t.name == "token_embd.weight" && t.ne[1] > 0) {
      // A lookup reads one row; the table still counts as active parameters, as model cards do.
      read = t.nbytes / static_cast<uint64_t>(t.ne[1]);
    }
    // MTP blocks are not part of the trunk's forward pass.
    if (c.n_nextn_layer > 0 && t.name.rfind("blk.", 0) == 0) {
      unsigned layer = 0;
      if (std::sscanf(t.name.c_str(), "blk.%u.", &layer) == 1 && layer >= c.n_layer) {
        active = 0;
        read = 0;
      }
    }
    fp.active_params += active;
    fp.bytes_read_per_token += read;
  }
  if (c.arch == Architecture::kDeepseek2) {
    const uint64_t d_nope = c.head_dim_k - c.n_rot;
    if (c.is_mla) fp.kv_values_per_token_mla = uint64_t{c.n_layer} * (c.kv_lora_rank + c.n_rot);
    // Decompressed per-head K (nope + rope) and V, as a non-MLA engine would cache them.
    fp.kv_values_per_token_full =
        uint64_t{c.n_layer} * c.n_head * (d_nope + c.n_rot + c.head_dim_v);
  } else {
    fp.kv_values_per_token_full =
        uint64_t{c.n_layer} * c.n_head_kv * (c.head_dim_k + c.head_dim_v);
  }
  return fp;
}

}  // namespace dsinfer
