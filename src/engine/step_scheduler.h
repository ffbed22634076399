// StepScheduler: decides what one engine step computes (iteration-level continuous batching).
// It runs three named phases over the running list and the waiting queue, with the block
// manager as the only source of truth about memory:
//
//   1. ScheduleDecodes   - running sequences with one token left (decodes) get it, in order.
//   2. SchedulePrefills  - running sequences still in their prompt get a chunk of what is left
//                          of the token budget (chunked prefill), in order. Decodes went first,
//                          so a long prompt never stalls the streams already producing tokens.
//   3. ScheduleWaiting   - waiting sequences start in queue order (priority, then FCFS) while
//                          the budget, the batch size and the free blocks allow; each first
//                          takes the longest cached prefix. Head-of-line: the first one that
//                          does not fit stops the phase. Skipped in a step that preempted.
//
// Reserving blocks for a running sequence may fail; then Preempt (by recomputation) frees the
// blocks of the last sequence in scheduling order and puts it back at its place in the waiting
// queue (with its generated tokens, so it resumes where it stopped). If the victim is the
// sequence itself, it waits; if it is alone and still does not fit, it can never fit and is
// reported in `unfittable` (the engine fails it).
//
// Budget: at most max_num_batched_tokens tokens and max_batch_size sequences per step.
// The scheduler holds only configuration: Schedule() is const and reentrant; all state is in
// its arguments. Not thread-safe with respect to those arguments (the engine thread owns them).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/kv_block_manager.h"
#include "engine/sequence.h"
#include "engine/waiting_queue.h"

namespace dsinfer::engine {

struct SchedulerConfig {
  int max_batch_size = 32;            // sequences per step
  int max_num_batched_tokens = 512;   // tokens per step (prefill chunks plus decodes)
  bool chunked_prefill = true;        // false: a prompt is computed in one step or waits
};

struct ScheduledChunk {
  Sequence* seq = nullptr;
  int32_t n_tokens = 0;               // computes tokens [n_computed, n_computed + n_tokens)
};

struct StepPlan {
  std::vector<ScheduledChunk> chunks;     // decodes, then prefill chunks, then new starts
  std::vector<Sequence*> preempted;       // moved from running back to waiting this step
  std::vector<Sequence*> started;         // moved from waiting to running this step
  std::vector<Sequence*> unfittable;      // removed from running/waiting: cannot fit the pool
  int64_t n_tokens = 0;
  int64_t prefix_query_tokens = 0;        // tokens of the started sequences
  int64_t prefix_hit_tokens = 0;          // of which served from the prefix cache

  bool empty() const { return chunks.empty(); }
};

// The mutable state one Schedule() call works on.
struct ScheduleState {
  std::vector<Sequence*>* running = nullptr;  // in scheduling order (RunsBefore)
  WaitingQueue* waiting = nullptr;
  KvBlockManager* kv = nullptr;
  StepPlan plan;
  int64_t token_budget = 0;
  int seq_budget = 0;
};

class StepScheduler {
 public:
  explicit StepScheduler(SchedulerConfig config);

  const SchedulerConfig& config() const { return config_; }

  // Runs the three phases. `running` must be in scheduling order and stays so.
  StepPlan Schedule(std::vector<Sequence*>* running, WaitingQueue* waiting, KvBlockManager* kv) const;

  // The phases, exposed for unit tests. Each reads and updates `state`.
  void ScheduleDecodes(ScheduleState* state) const;
  void SchedulePrefills(ScheduleState* state) const;
  void ScheduleWaiting(ScheduleState* state) const;
  // Frees `victim`'s blocks, rewinds it to n_computed = 0 and moves it from running to waiting
  // (returning its budget if it was scheduled this step).
  static void Preempt(ScheduleState* state, Sequence* victim);

 private:
  // Schedules up to `n_wanted` tokens of running `seq`, preempting as needed. Returns false
  // when `seq` itself was preempted or found unfittable.
  bool ScheduleRunningSequence(ScheduleState* state, Sequence* seq, int64_t n_wanted) const;

  SchedulerConfig config_;
};

// Inserts `seq` into `running`, keeping scheduling order.
void InsertRunning(std::vector<Sequence*>* running, Sequence* seq);

}  // namespace dsinfer::engine
