// EngineOptions: every knob of the engine in one struct (the server fills it from its config
// file, environment and flags). Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/kv_sizing.h"
#include "engine/step_scheduler.h"
#include "engine/text_decoder.h"
#include "tensor/dtype.h"

namespace dsinfer::engine {

struct EngineOptions {
  SchedulerConfig scheduler;            // max_batch_size, max_num_batched_tokens, chunked prefill
  int max_waiting_requests = 256;       // Submit refuses with kResourceExhausted beyond this
  int block_size = 16;                  // token slots per KV block
  KvSizing kv_sizing;                   // blocks, kv_cache_memory bytes or RAM fraction
  DType kv_type = DType::kF16;          // F32, F16 or BF16
  int64_t max_model_len = 0;            // positions per sequence; 0: the model's n_ctx_train
  bool enable_prefix_caching = true;
  // Token-id prompts prefilled at start-up whose full blocks stay cached ("KV cache warm-up").
  std::vector<std::vector<int32_t>> warmup_prompts;
  // End-of-generation tokens; absent: the GGUF's tokenizer.ggml eos/eot/eom ids.
  std::optional<std::vector<int32_t>> eos_token_ids;
  // Optional detokenizer for text deltas and stop strings; not owned, must outlive the engine.
  const TextDecoderFactory* text_decoder = nullptr;
  // Run CheckInvariants after every step (tests; CHECK-fails on a broken invariant).
  bool check_invariants_every_step = false;
};

}  // namespace dsinfer::engine
