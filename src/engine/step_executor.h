// StepExecutor: the "run" phase seen from the engine: evaluates a ForwardBatch against the KV
// blocks it owns and returns one row of logits per chunk (the chunk's last token), and copies
// blocks for copy-on-write. ModelStepExecutor implements it over a Model and a KvCache; tests
// use a fake that needs no model.
//
// Thread-safety: called only from the engine thread.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "engine/kv_block_manager.h"
#include "model/forward_batch.h"

namespace dsinfer::engine {

class StepExecutor : public BlockCopier {
 public:
  ~StepExecutor() override = default;

  virtual int32_t n_vocab() const = 0;
  // The KV block geometry the engine's block manager must mirror.
  virtual int32_t n_blocks() const = 0;
  virtual int block_size() const = 0;
  virtual uint64_t kv_bytes_per_token() const = 0;

  // Writes batch.logit_rows() rows of n_vocab() floats to *logits. On error nothing was computed
  // and the engine fails the batch's requests.
  virtual Status Forward(const ForwardBatch& batch, std::vector<float>* logits) = 0;
};

}  // namespace dsinfer::engine
