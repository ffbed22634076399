// Model: a loaded GGUF model that evaluates batches of tokens (the forward pass).
//
// Load() maps the file, reads the hyper-parameters, and binds every weight by name with its shape
// checked against the architecture's layout (errors such as
// "blk.3.attn_k_b.weight: expected [64, 256, 4], found [64, 256, 8]"), then packs the matrices
// that have packed kernels on this CPU (model/packed_weights.h). Forward() evaluates the
// new tokens of many sequences at once, reading and writing the KV cache through their block
// tables, and returns logits only for the rows asked for.
//
// Thread-safety: Forward() may be called by one thread at a time (the engine thread); it uses
// the ThreadPool it is given for all heavy work. The weights are immutable and shared.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "gguf/reader.h"
#include "model/forward_batch.h"
#include "model/kv_cache.h"
#include "model/model_config.h"
#include "model/packed_weights.h"
#include "model/routing_trace.h"
#include "model/weights.h"

namespace dsinfer {

class Model {
 public:
  static Expected<std::unique_ptr<Model>> Load(const std::string& path);

  const ModelConfig& config() const { return config_; }
  const gguf::GgufFile& file() const { return file_; }
  const ModelWeights& weights() const { return weights_; }
  // What Load() packed for the fast kernels (model/packed_weights.h).
  const PackSummary& pack_summary() const { return pack_summary_; }

  // Layout of one token's KV rows (MLA latent + rope key for deepseek2 MLA files).
  KvLayout kv_layout() const;

  // Evaluates `batch`; writes batch.logit_rows() rows of n_vocab floats to `logits`.
  // Fails (without touching the cache) when a chunk's block table is too short or references a
  // block outside the cache, or a token id is out of range. `routing`, when given, receives the
  // MoE decisions of this call.
  Status Forward(const ForwardBatch& batch, KvCache& kv, ThreadPool& pool,
                 std::vector<float>* logits, RoutingTrace* routing = nullptr) const;

 private:
  Model(gguf::GgufFile file, ModelConfig config, ModelWeights weights);

  gguf::GgufFile file_;
  ModelConfig config_;
  ModelWeights weights_;
  PackSummary pack_summary_;
};

}  // namespace dsinfer
