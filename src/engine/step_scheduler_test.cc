// The scheduling phases on fake sequences and a real (pure bookkeeping) block manager.
#include "engine/step_scheduler.h"

#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <vector>

#include "engine/batch_builder.h"

namespace dsinfer::engine {
namespace {

class World {
 public:
  World(int32_t n_blocks, int block_size, bool prefix = false) : kv(n_blocks, block_size, prefix, nullptr) {}
  ~World() {
    for (Sequence* s : running) kv.Free(&s->blocks);
    EXPECT_EQ(kv.num_available(), kv.n_blocks());
  }

  // A sequence with `n_tokens` tokens of which `computed` are in the cache; running if computed > 0.
  Sequence* Add(int n_tokens, int computed, int priority = 0, int first_token = 1) {
    auto s = std::make_unique<Sequence>();
    s->id = seqs.size() + 1;
    s->arrival = seqs.size() + 1;
    s->priority = priority;
    s->tokens.resize(static_cast<size_t>(n_tokens));
    std::iota(s->tokens.begin(), s->tokens.end(), first_token);
    s->n_prompt = n_tokens;
    Sequence* p = s.get();
    seqs.push_back(std::move(s));
    if (computed > 0) {
      EXPECT_TRUE(kv.Reserve(&p->blocks, 0, computed));
      p->n_computed = computed;
      p->state = SequenceState::kRunning;
      InsertRunning(&running, p);
    } else {
      waiting.Push(p);
    }
    return p;
  }
  Status Invariants() const {
    std::vector<const BlockTable*> owners;
    for (const auto& s : seqs) owners.push_back(&s->blocks);
    return CheckBlockOwnership(kv, owners);
  }
  // Applies a plan as the engine would: the chunk's tokens become computed.
  void Complete(const StepPlan& plan) {
    for (const auto& c : plan.chunks) c.seq->n_computed += c.n_tokens;
  }

  KvBlockManager kv;
  std::vector<std::unique_ptr<Sequence>> seqs;
  std::vector<Sequence*> running;
  WaitingQueue waiting;
};

int32_t TokensFor(const StepPlan& plan, const Sequence* s) {
  for (const auto& c : plan.chunks) {
    if (c.seq == s) return c.n_tokens;
  }
  return 0;
}

TEST(StepSchedulerTest, DecodesGoFirstThenPrefillChunksShareTheRestOfTheBudget) {
  World w(64, 4);
  Sequence* prefill = w.Add(40, 8);   // 32 prompt tokens left, first in order
  Sequence* decode1 = w.Add(11, 10);
  Sequence* decode2 = w.Add(6, 5);
  StepScheduler s({/*max_batch_size=*/8, /*max_num_batched_tokens=*/10, true});
  const StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  EXPECT_EQ(TokensFor(plan, decode1), 1);
  EXPECT_EQ(TokensFor(plan, decode2), 1);
  EXPECT_EQ(TokensFor(plan, prefill), 8);
  EXPECT_EQ(plan.chunks[0].seq, decode1);
  EXPECT_EQ(plan.n_tokens, 10);
  EXPECT_TRUE(w.Invariants().ok());
}

TEST(StepSchedulerTest, EachPhaseOnlyTouchesItsOwnKindOfSequence) {
  World w(64, 4);
  Sequence* prefill = w.Add(20, 4);
  Sequence* decode = w.Add(9, 8);
  Sequence* waiting = w.Add(6, 0);
  StepScheduler s({8, 100, true});
  ScheduleState state;
  state.running = &w.running;
  state.waiting = &w.waiting;
  state.kv = &w.kv;
  state.token_budget = 100;
  state.seq_budget = 8;
  s.ScheduleDecodes(&state);
  ASSERT_EQ(state.plan.chunks.size(), 1u);
  EXPECT_EQ(state.plan.chunks[0].seq, decode);
  EXPECT_EQ(state.token_budget, 99);
  s.SchedulePrefills(&state);
  ASSERT_EQ(state.plan.chunks.size(), 2u);
  EXPECT_EQ(TokensFor(state.plan, prefill), 16);
  EXPECT_TRUE(state.plan.started.empty());
  s.ScheduleWaiting(&state);
  ASSERT_EQ(state.plan.started.size(), 1u);
  EXPECT_EQ(state.plan.started[0], waiting);
  EXPECT_EQ(TokensFor(state.plan, waiting), 6);
  EXPECT_EQ(state.token_budget, 100 - 1 - 16 - 6);
  EXPECT_EQ(state.seq_budget, 5);
  // Preempt as a phase of its own: the victim leaves running, frees everything, requeues.
  StepScheduler::Preempt(&state, waiting);
  EXPECT_EQ(state.token_budget, 100 - 1 - 16);
  EXPECT_EQ(w.waiting.Front(), waiting);
  EXPECT_EQ(w.running.size(), 2u);
  EXPECT_TRUE(w.Invariants().ok());
}

TEST(StepSchedulerTest, MaxBatchSizeLimitsSequencesPerStep) {
  World w(64, 4);
  for (int i = 0; i < 5; ++i) w.Add(9, 8);
  StepScheduler s({3, 100, true});
  const StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  EXPECT_EQ(plan.chunks.size(), 3u);
  EXPECT_EQ(plan.chunks[0].seq, w.running[0]);
}

TEST(StepSchedulerTest, WithoutChunkingAPromptRunsWholeOrWaits) {
  World w(64, 4);
  Sequence* big = w.Add(20, 0);
  StepScheduler chunked({8, 8, true});
  StepPlan plan = chunked.Schedule(&w.running, &w.waiting, &w.kv);
  EXPECT_EQ(TokensFor(plan, big), 8);
  w.Complete(plan);
  World w2(64, 4);
  w2.Add(20, 0);
  StepScheduler whole({8, 8, false});
  plan = whole.Schedule(&w2.running, &w2.waiting, &w2.kv);
  EXPECT_TRUE(plan.empty());
  EXPECT_EQ(w2.waiting.size(), 1u);
}

TEST(StepSchedulerTest, WaitingSequencesStartInPriorityThenArrivalOrder) {
  World w(64, 4);
  Sequence* normal_first = w.Add(4, 0, 0);
  Sequence* low = w.Add(4, 0, 3);
  Sequence* urgent = w.Add(4, 0, -2);
  Sequence* normal_second = w.Add(4, 0, 0);
  StepScheduler s({3, 100, true});
  const StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  ASSERT_EQ(plan.started.size(), 3u);
  EXPECT_EQ(plan.started[0], urgent);
  EXPECT_EQ(plan.started[1], normal_first);
  EXPECT_EQ(plan.started[2], normal_second);
  EXPECT_EQ(w.waiting.Front(), low);
  EXPECT_EQ(w.running, (std::vector<Sequence*>{urgent, normal_first, normal_second}));
}

TEST(StepSchedulerTest, HeadOfLineThatDoesNotFitStopsAdmission) {
  World w(6, 4);
  w.Add(9, 8);                   // holds 2 blocks (needs a third for position 8)
  Sequence* large = w.Add(20, 0);  // needs 5 blocks, 3 left after the decode
  Sequence* small = w.Add(2, 0);
  StepScheduler s({8, 100, true});
  const StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  EXPECT_EQ(plan.chunks.size(), 1u);
  EXPECT_EQ(w.waiting.Front(), large);
  EXPECT_EQ(w.waiting.size(), 2u);
  EXPECT_TRUE(large->blocks.empty());
  EXPECT_TRUE(small->blocks.empty());
  EXPECT_TRUE(w.Invariants().ok());
}

TEST(StepSchedulerTest, PreemptionTakesTheLastRunningSequenceAndRequeuesItInOrder) {
  World w(4, 4);
  Sequence* old = w.Add(9, 8);    // 2 blocks, needs a 3rd
  Sequence* young = w.Add(5, 4);  // 1 block, needs a 2nd
  Sequence* newcomer = w.Add(3, 0);
  StepScheduler s({8, 100, true});
  const StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  // old needs block 4 of 4, young then needs one more: young (last) is preempted.
  ASSERT_EQ(plan.preempted.size(), 1u);
  EXPECT_EQ(plan.preempted[0], young);
  EXPECT_EQ(TokensFor(plan, old), 1);
  EXPECT_EQ(young->n_computed, 0);
  EXPECT_TRUE(young->blocks.empty());
  EXPECT_EQ(young->n_preemptions, 1);
  EXPECT_EQ(young->state, SequenceState::kWaiting);
  // It goes back in front of the newcomer, and nothing new starts in a step that preempted.
  EXPECT_EQ(w.waiting.Front(), young);
  EXPECT_TRUE(plan.started.empty());
  EXPECT_EQ(newcomer->state, SequenceState::kWaiting);
  EXPECT_TRUE(w.Invariants().ok());
}

TEST(StepSchedulerTest, PreemptingAnAlreadyScheduledVictimReturnsItsBudget) {
  World w(5, 4);
  Sequence* prefill = w.Add(20, 4, -1);  // first in order: 1 block, wants 16 more tokens
  Sequence* decode = w.Add(9, 8, 0);     // 2 blocks + 1 for its decode
  StepScheduler s({8, 100, true});
  const StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  // The decode is scheduled first, then the prefill needs 4 more blocks: the decode is the victim.
  ASSERT_EQ(plan.preempted.size(), 1u);
  EXPECT_EQ(plan.preempted[0], decode);
  ASSERT_EQ(plan.chunks.size(), 1u);
  EXPECT_EQ(plan.chunks[0].seq, prefill);
  EXPECT_EQ(plan.n_tokens, 16);
  EXPECT_TRUE(w.Invariants().ok());
}

TEST(StepSchedulerTest, ASequenceThatCannotFitAloneIsReportedUnfittable) {
  World w(2, 4);
  Sequence* s1 = w.Add(9, 8);  // needs a third block, the pool has two
  StepScheduler s({8, 100, true});
  StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  ASSERT_EQ(plan.unfittable.size(), 1u);
  EXPECT_EQ(plan.unfittable[0], s1);
  EXPECT_TRUE(w.running.empty());
  EXPECT_TRUE(s1->blocks.empty());

  World w2(2, 4);
  Sequence* s2 = w2.Add(12, 0);
  plan = s.Schedule(&w2.running, &w2.waiting, &w2.kv);
  ASSERT_EQ(plan.unfittable.size(), 1u);
  EXPECT_EQ(plan.unfittable[0], s2);
  EXPECT_TRUE(w2.waiting.empty());
}

TEST(StepSchedulerTest, StartingSequencesTakeTheLongestCachedPrefix) {
  World w(16, 4, /*prefix=*/true);
  Sequence* first = w.Add(14, 0);
  StepScheduler s({8, 100, true});
  StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  w.Complete(plan);
  w.kv.CommitFullBlocks(first->tokens, first->n_computed, &first->blocks);
  Sequence* same_prefix = w.Add(13, 0);  // tokens 1..13 share blocks [1..4], [5..8], [9..12]
  plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  EXPECT_EQ(same_prefix->n_computed, 12);
  EXPECT_EQ(TokensFor(plan, same_prefix), 1);
  EXPECT_EQ(plan.prefix_hit_tokens, 12);
  EXPECT_EQ(plan.prefix_query_tokens, 13);
  Sequence* exact_blocks = w.Add(12, 0);  // a hit never covers the last token
  plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  EXPECT_EQ(exact_blocks->n_computed, 8);
  EXPECT_TRUE(w.Invariants().ok());
}

TEST(BatchBuilderTest, ChunksPointIntoSequencesAndAskForTheLastRowOnly) {
  World w(16, 4);
  Sequence* a = w.Add(10, 4);
  Sequence* b = w.Add(3, 0);
  StepScheduler s({8, 100, true});
  const StepPlan plan = s.Schedule(&w.running, &w.waiting, &w.kv);
  const ForwardBatch batch = BuildForwardBatch(plan);
  ASSERT_EQ(batch.sequences.size(), 2u);
  const SequenceChunk& ca = batch.sequences[0];
  EXPECT_EQ(ca.tokens, a->tokens.data() + 4);
  EXPECT_EQ(ca.n_tokens, 6);
  EXPECT_EQ(ca.start_pos, 4);
  EXPECT_EQ(ca.n_blocks, 3);
  EXPECT_EQ(ca.block_table, a->blocks.blocks.data());
  EXPECT_FALSE(ca.all_logits);
  EXPECT_EQ(batch.sequences[1].tokens, b->tokens.data());
  EXPECT_EQ(batch.logit_rows(), 2);
  EXPECT_EQ(batch.total_tokens(), 9);
}

TEST(WaitingQueueTest, OrdersByPriorityThenArrivalAndRemovesAnywhere) {
  std::vector<Sequence> seqs(4);
  const int priorities[] = {1, 0, 1, 0};
  for (int i = 0; i < 4; ++i) {
    seqs[static_cast<size_t>(i)].id = static_cast<uint64_t>(i);
    seqs[static_cast<size_t>(i)].arrival = static_cast<uint64_t>(10 - i);
    seqs[static_cast<size_t>(i)].priority = priorities[i];
  }
  WaitingQueue q;
  for (auto& s : seqs) q.Push(&s);
  EXPECT_EQ(q.Front(), &seqs[3]);  // priority 0, arrival 7
  EXPECT_TRUE(q.Remove(&seqs[3]));
  EXPECT_FALSE(q.Remove(&seqs[3]));
  EXPECT_EQ(q.Front(), &seqs[1]);
  q.PopFront();
  EXPECT_EQ(q.Front(), &seqs[2]);  // priority 1, arrival 8 before 10
  EXPECT_EQ(q.size(), 2u);
}

}  // namespace
}  // namespace dsinfer::engine
