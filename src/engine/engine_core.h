// EngineCore: the single-threaded heart of the engine. It owns the requests, their sequences,
// the running list, the waiting queue and all KV block state, and advances everything by one
// Step() at a time:
//
//   expire deadlines -> schedule (admit from the queue, allocate blocks, preempt) -> build the
//   ForwardBatch -> run it -> sample (fork n > 1 samples at the end of the prompt) -> emit
//   events (stop checks, text, stop strings) -> release finished sequences' blocks -> flush the
//   events to the streams.
//
// Events are pushed to the streams only at the end of a step, after the blocks of finished
// sequences are released, so a caller that sees a `done` event also sees its blocks free.
// Request validation and admission control are the caller's job (Engine does both in Submit).
//
// Thread-safety: none. Engine runs it on its engine thread; tests drive it directly.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/engine_stats.h"
#include "engine/event_stream.h"
#include "engine/kv_block_manager.h"
#include "engine/sequence.h"
#include "engine/step_executor.h"
#include "engine/step_scheduler.h"
#include "engine/text_decoder.h"
#include "engine/waiting_queue.h"

namespace dsinfer::engine {

struct EngineCoreConfig {
  SchedulerConfig scheduler;
  bool enable_prefix_caching = true;
  int64_t max_model_len = 0;             // positions per sequence; > 0
  std::vector<int32_t> eos_token_ids;    // end-of-generation tokens (unless ignore_eos)
  const TextDecoderFactory* text_decoder = nullptr;  // optional; must outlive the core
  bool check_invariants_every_step = false;          // CHECK-fails on a broken invariant
};

// The engine's record of one accepted request (the API-facing GenerateRequest plus progress).
struct RequestState {
  RequestId id = 0;
  GenerateRequest request;
  std::shared_ptr<EventStream> stream;
  uint64_t seed = 0;
  Clock::time_point submitted{};
  Clock::time_point first_scheduled{};
  Clock::time_point first_token{};
  bool scheduled = false;
  bool has_first_token = false;
  bool forked = false;                   // samples 1..n-1 exist
  bool done = false;
  int n_finished = 0;
  Usage usage;
  std::vector<std::unique_ptr<Sequence>> samples;  // [0] from the start, the rest after the fork
};

class EngineCore {
 public:
  // `executor` (not owned) must outlive the core; the block manager mirrors its geometry.
  EngineCore(StepExecutor* executor, EngineCoreConfig config);
  EngineCore(const EngineCore&) = delete;
  EngineCore& operator=(const EngineCore&) = delete;

  // Prefills each prompt and pins its full blocks in the prefix cache for the core's lifetime.
  // Call before the first AddRequest. Fails when prefix caching is off or a prefill fails.
  Status Warmup(const std::vector<std::vector<int32_t>>& prompts);

  // Queues an already validated request; its events go to `stream`.
  void AddRequest(RequestId id, GenerateRequest request, std::shared_ptr<EventStream> stream,
                  Clock::time_point submitted);
  // Finishes every live sample of the request with kCancelled and frees its blocks now.
  // Returns false when the id is unknown or already done.
  bool Cancel(RequestId id);
  // Cancels every request (shutdown).
  void CancelAll();

  // One iteration; does nothing when there is no work.
  void Step();
  bool has_work() const { return !running_.empty() || !waiting_.empty(); }

  size_t num_running() const { return running_.size(); }
  size_t num_waiting() const { return waiting_.size(); }
  size_t num_requests() const { return requests_.size(); }
  int32_t num_pinned_blocks() const;
  EngineStats Stats() const;
  const KvBlockManager& kv() const { return kv_; }

  // Block ownership (CheckBlockOwnership over every sequence and pin) plus the bookkeeping of
  // the running list and waiting queue.
  Status CheckInvariants() const;

 private:
  void ExpireDeadlines(Clock::time_point now);
  void RecordStarts(const StepPlan& plan, Clock::time_point now);
  void ProcessChunk(const ScheduledChunk& chunk, const float* logits_row, Clock::time_point now);
  void ForkSamples(RequestState& r, Sequence& parent);
  void SampleAndEmit(Sequence& seq, const float* logits_row, Clock::time_point now);
  void FinishSequence(Sequence& seq, FinishReason reason, StreamEvent event, Clock::time_point now);
  void FinishRequestSamples(RequestState& r, FinishReason reason, const std::string& error, Clock::time_point now);
  void ReleaseFinished();
  void FlushEvents();
  std::unique_ptr<Sequence> NewSequence(RequestState* request, int sample_index, int priority,
                                        std::vector<int32_t> tokens);

  StepExecutor* executor_;
  EngineCoreConfig config_;
  StepScheduler scheduler_;
  KvBlockManager kv_;

  std::unordered_map<RequestId, std::unique_ptr<RequestState>> requests_;
  std::vector<Sequence*> running_;                 // scheduling order
  WaitingQueue waiting_;
  std::vector<Sequence*> finished_;                // to release at the end of the step
  std::vector<std::unique_ptr<Sequence>> warmup_;  // warm-up prefills in progress
  std::vector<BlockTable> pinned_;                 // warm-up blocks kept cached
  std::vector<std::pair<std::shared_ptr<EventStream>, StreamEvent>> outbox_;
  std::vector<float> logits_;
  Status warmup_status_;

  uint64_t next_sequence_id_ = 1;
  uint64_t next_arrival_ = 1;
  EngineStats counters_;
};

}  // namespace dsinfer::engine
