// ModelStepExecutor: the StepExecutor over a real Model: owns the KvCache (n_blocks blocks of
// block_size token slots in the model's layout: MLA latent + rope key for deepseek2, K/V per
// head otherwise) and runs Model::Forward on the caller's ThreadPool.
//
// Thread-safety: engine thread only. The Model and the ThreadPool must outlive it, and nothing
// else may run ParallelFor on that pool while the engine lives.
#pragma once

#include <memory>

#include "base/thread_pool.h"
#include "engine/step_executor.h"
#include "model/kv_cache.h"
#include "model/model.h"

namespace dsinfer::engine {

// Copies every layer's K (and V) rows of block `src` into block `dst` through the public KvCache
// row API. Exact for every element type (the f32 round trip of F16/BF16 values is lossless).
void CopyKvBlock(KvCache& kv, int32_t src, int32_t dst);

class ModelStepExecutor : public StepExecutor {
 public:
  static Expected<std::unique_ptr<ModelStepExecutor>> Create(const Model& model, ThreadPool& pool, int block_size,
                                                              int32_t n_blocks, DType kv_type);

  int32_t n_vocab() const override { return static_cast<int32_t>(model_.config().n_vocab); }
  int32_t n_blocks() const override { return kv_.n_blocks(); }
  int block_size() const override { return kv_.block_size(); }
  uint64_t kv_bytes_per_token() const override { return kv_.bytes_per_token(); }

  Status Forward(const ForwardBatch& batch, std::vector<float>* logits) override;
  void CopyBlock(int32_t src, int32_t dst) override { CopyKvBlock(kv_, src, dst); }

 private:
  ModelStepExecutor(const Model& model, ThreadPool& pool, KvCache kv)
      : model_(model), pool_(pool), kv_(std::move(kv)) {}

  const Model& model_;
  ThreadPool& pool_;
  KvCache kv_;
};

}  // namespace dsinfer::engine
