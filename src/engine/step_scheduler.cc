#include "engine/step_scheduler.h"

#include <algorithm>

#include "base/check.h"

namespace dsinfer::engine {

namespace {

ScheduledChunk* FindChunk(StepPlan* plan, const Sequence* seq) {
  for (auto& c : plan->chunks) {
    if (c.seq == seq) return &c;
  }
  return nullptr;
}

void RemoveRunning(std::vector<Sequence*>* running, Sequence* seq) {
  auto it = std::find(running->begin(), running->end(), seq);
  CHECK(it != running->end()) << "sequence " << seq->id << " is not running";
  running->erase(it);
}

}  // namespace

void InsertRunning(std::vector<Sequence*>* running, Sequence* seq) {
  auto it = std::upper_bound(running->begin(), running->end(), seq,
                             [](const Sequence* a, const Sequence* b) { return RunsBefore(*a, *b); });
  running->insert(it, seq);
}

StepScheduler::StepScheduler(SchedulerConfig config) : config_(config) {
  CHECK(config_.max_batch_size > 0) << "max_batch_size must be positive";
  CHECK(config_.max_num_batched_tokens > 0) << "max_num_batched_tokens must be positive";
}

StepPlan StepScheduler::Schedule(std::vector<Sequence*>* running, WaitingQueue* waiting, KvBlockManager* kv) const {
  ScheduleState state;
  state.running = running;
  state.waiting = waiting;
  state.kv = kv;
  state.token_budget = config_.max_num_batched_tokens;
  state.seq_budget = config_.max_batch_size;
  ScheduleDecodes(&state);
  SchedulePrefills(&state);
  if (state.plan.preempted.empty()) ScheduleWaiting(&state);
  return std::move(state.plan);
}

void StepScheduler::Preempt(ScheduleState* state, Sequence* victim) {
  StepPlan& plan = state->plan;
  if (ScheduledChunk* c = FindChunk(&plan, victim)) {
    state->token_budget += c->n_tokens;
    state->seq_budget += 1;
    plan.n_tokens -= c->n_tokens;
    plan.chunks.erase(plan.chunks.begin() + (c - plan.chunks.data()));
  }
  state->kv->Free(&victim->blocks);
  victim->n_computed = 0;
  victim->n_preemptions++;
  victim->state = SequenceState::kWaiting;
  RemoveRunning(state->running, victim);
  state->waiting->Push(victim);
  plan.preempted.push_back(victim);
}

bool StepScheduler::ScheduleRunningSequence(ScheduleState* state, Sequence* seq, int64_t n_wanted) const {
  while (!state->kv->Reserve(&seq->blocks, seq->n_computed, seq->n_computed + n_wanted)) {
    Sequence* victim = state->running->back();
    if (victim != seq) {
      Preempt(state, victim);
      continue;
    }
    if (state->running->size() == 1) {
      // Alone with every other block free or evictable, and still too big.
      state->kv->Free(&seq->blocks);
      seq->n_computed = 0;
      RemoveRunning(state->running, seq);
      state->plan.unfittable.push_back(seq);
    } else {
      Preempt(state, seq);
    }
    return false;
  }
  state->plan.chunks.push_back({seq, static_cast<int32_t>(n_wanted)});
  state->plan.n_tokens += n_wanted;
  state->token_budget -= n_wanted;
  state->seq_budget -= 1;
  return true;
}

void StepScheduler::ScheduleDecodes(ScheduleState* state) const {
  const std::vector<Sequence*> order = *state->running;
  for (Sequence* seq : order) {
    if (state->seq_budget == 0 || state->token_budget == 0) break;
    if (seq->state != SequenceState::kRunning || seq->n_remaining() != 1) continue;
    ScheduleRunningSequence(state, seq, 1);
  }
}

void StepScheduler::SchedulePrefills(ScheduleState* state) const {
  const std::vector<Sequence*> order = *state->running;
  for (Sequence* seq : order) {
    if (state->seq_budget == 0 || state->token_budget == 0) break;
    if (seq->state != SequenceState::kRunning || seq->n_remaining() <= 1) continue;
    if (FindChunk(&state->plan, seq) != nullptr) continue;
    const int64_t n = std::min(seq->n_remaining(), state->token_budget);
    if (!config_.chunked_prefill && n < seq->n_remaining()) continue;
    ScheduleRunningSequence(state, seq, n);
  }
}

void StepScheduler::ScheduleWaiting(ScheduleState* state) const {
  KvBlockManager* kv = state->kv;
  while (Sequence* seq = state->waiting->Front()) {
    if (state->seq_budget == 0 || state->token_budget == 0) break;
    CHECK(seq->blocks.empty() && seq->n_computed == 0) << "waiting sequence " << seq->id << " holds blocks";
    const int64_t size = static_cast<int64_t>(seq->tokens.size());
    const int64_t hit = kv->MatchPrefix(seq->tokens, size - 1, &seq->blocks);
    seq->n_computed = hit;
    const int64_t n = std::min(seq->n_remaining(), state->token_budget);
    const bool fits_budget = config_.chunked_prefill || n == seq->n_remaining();
    if (!fits_budget || !kv->Reserve(&seq->blocks, seq->n_computed, seq->n_computed + n)) {
      kv->Free(&seq->blocks);
      seq->n_computed = 0;
      if (fits_budget && state->running->empty()) {
        // Nothing else holds blocks, so it will never fit.
        state->waiting->PopFront();
        state->plan.unfittable.push_back(seq);
        continue;
      }
      break;
    }
    state->waiting->PopFront();
    seq->state = SequenceState::kRunning;
    InsertRunning(state->running, seq);
    StepPlan& plan = state->plan;
    plan.started.push_back(seq);
    plan.chunks.push_back({seq, static_cast<int32_t>(n)});
    plan.n_tokens += n;
    plan.prefix_query_tokens += size;
    plan.prefix_hit_tokens += hit;
    state->token_budget -= n;
    state->seq_budget -= 1;
  }
}

}  // namespace dsinfer::engine
