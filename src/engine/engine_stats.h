// EngineStats: a snapshot of the engine's counters and gauges, published by the engine thread
// after every step and command. Plain value type; copies are independent.
#pragma once

#include <cstdint>

namespace dsinfer::engine {

struct EngineStats {
  // Gauges.
  int running = 0;                    // sequences in the running list
  int waiting = 0;                    // sequences in the waiting queue (new and preempted)
  int requests_in_flight = 0;         // accepted and not yet done (including ones still queued)
  int32_t kv_blocks_total = 0;
  int32_t kv_blocks_used = 0;         // owned by sequences or pinned by warm-up
  int32_t kv_blocks_free = 0;         // allocatable now: free plus idle cached
  int32_t kv_blocks_cached_idle = 0;  // of kv_blocks_free: unreferenced but findable by prefix
  int32_t kv_blocks_pinned = 0;       // held by warm-up prompts
  int block_size = 0;
  uint64_t kv_bytes_per_token = 0;    // all layers (576 values per layer for V2-Lite's MLA)

  // Counters since start.
  uint64_t steps = 0;                 // forward passes
  uint64_t prompt_tokens = 0;         // prompt positions computed (recomputation counts again)
  uint64_t generated_tokens = 0;      // tokens sampled
  uint64_t batched_sequences = 0;     // sum over steps of the sequences in the batch
  uint64_t batched_tokens = 0;        // sum over steps of the tokens in the batch
  // Steps in which every sequence computed one token (pure decode, no prompt chunk): their
  // count, tokens and forward-pass seconds give the steady-state decode rate.
  uint64_t decode_steps = 0;
  uint64_t decode_step_tokens = 0;
  double decode_step_seconds = 0;
  int last_batch_sequences = 0;
  int last_batch_tokens = 0;
  int max_batch_sequences = 0;
  uint64_t prefix_cache_queries = 0;  // prompt tokens looked up in the prefix cache
  uint64_t prefix_cache_hits = 0;     // of which found
  uint64_t preemptions = 0;
  uint64_t copy_on_write_blocks = 0;
  uint64_t evicted_blocks = 0;        // idle cached blocks reused for new data
  uint64_t requests_finished = 0;     // all finish reasons
  uint64_t requests_cancelled = 0;    // Cancel or deadline
  uint64_t requests_failed = 0;       // FinishReason::kError
  uint64_t requests_rejected = 0;     // refused by Submit
};

}  // namespace dsinfer::engine
