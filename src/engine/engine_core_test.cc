// EngineCore driven step by step over the FakeStepExecutor: the scheduler, block manager,
// sampler and emitter together, without a model. Invariants are checked after every step and
// every test ends with the block pool back at its initial free count.
#include "engine/engine_core.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "engine/engine_test_util.h"
#include "engine/fake_step_executor.h"

namespace dsinfer::engine {
namespace {

using testing::FakeStepExecutor;
using testing::Outcome;
using testing::RandomTokens;

constexpr int32_t kVocab = 64;

EngineCoreConfig DefaultConfig() {
  EngineCoreConfig c;
  c.scheduler.max_batch_size = 32;
  c.scheduler.max_num_batched_tokens = 64;
  c.max_model_len = 1024;
  c.check_invariants_every_step = true;
  return c;
}

class Harness {
 public:
  Harness(int32_t n_blocks, int block_size, EngineCoreConfig config = DefaultConfig())
      : exec_(kVocab, n_blocks, block_size), core_(&exec_, std::move(config)) {}

  ~Harness() {
    // Every test leaves the pool as it found it (apart from warm-up pins).
    EXPECT_EQ(core_.kv().num_available(), core_.kv().n_blocks() - core_.num_pinned_blocks());
    EXPECT_TRUE(core_.CheckInvariants().ok()) << core_.CheckInvariants().message();
  }

  RequestId Add(GenerateRequest r) {
    const RequestId id = next_id_++;
    streams_[id] = std::make_shared<EventStream>();
    core_.AddRequest(id, std::move(r), streams_[id], Clock::now());
    return id;
  }
  void Step() {
    core_.Step();
    for (auto& [id, s] : streams_) testing::Drain(*s, &outcomes_[id]);
  }
  void RunAll() {
    int guard = 0;
    while (core_.has_work()) {
      Step();
      ASSERT_LT(++guard, 100000) << "engine does not make progress";
    }
  }
  void Cancel(RequestId id) {
    core_.Cancel(id);
    testing::Drain(*streams_[id], &outcomes_[id]);
  }
  const Outcome& outcome(RequestId id) { return outcomes_[id]; }
  EngineCore& core() { return core_; }
  FakeStepExecutor& exec() { return exec_; }

 private:
  FakeStepExecutor exec_;
  EngineCore core_;
  RequestId next_id_ = 1;
  std::map<RequestId, std::shared_ptr<EventStream>> streams_;
  std::map<RequestId, Outcome> outcomes_;
};

GenerateRequest Greedy(std::vector<int32_t> prompt, int max_tokens) {
  GenerateRequest r;
  r.prompt = std::move(prompt);
  r.sampling.temperature = 0.0f;
  r.max_tokens = max_tokens;
  return r;
}

// The output of `r` run alone in a roomy engine without prefix caching.
std::vector<std::vector<int32_t>> RunAlone(const GenerateRequest& r) {
  EngineCoreConfig c = DefaultConfig();
  c.enable_prefix_caching = false;
  Harness h(1024, 4, c);
  const RequestId id = h.Add(r);
  h.RunAll();
  EXPECT_TRUE(h.outcome(id).done);
  return h.outcome(id).tokens;
}

std::vector<GenerateRequest> TwentyFourRequests() {
  std::vector<GenerateRequest> rs;
  for (int i = 0; i < 24; ++i) rs.push_back(Greedy(RandomTokens(100 + i, 3 + 3 * i, kVocab), 12));
  return rs;
}

TEST(EngineCoreTest, GreedyOutputsMatchRunningAloneWhenPreemptionIsForced) {
  const auto requests = TwentyFourRequests();
  EngineCoreConfig c = DefaultConfig();
  c.enable_prefix_caching = false;
  Harness h(40, 4, c);  // 160 token slots for 24 requests of up to 84 tokens
  std::vector<RequestId> ids;
  for (const auto& r : requests) ids.push_back(h.Add(r));
  h.RunAll();
  EXPECT_GT(h.core().Stats().preemptions, 0u);
  for (size_t i = 0; i < ids.size(); ++i) {
    const Outcome& o = h.outcome(ids[i]);
    ASSERT_TRUE(o.done);
    EXPECT_EQ(o.finish[0], FinishReason::kLength);
    EXPECT_EQ(o.tokens, RunAlone(requests[i])) << "request " << i;
  }
}

TEST(EngineCoreTest, PrefixCacheHitsSkipPrefillAndKeepOutputsIdentical) {
  const auto system = RandomTokens(7, 32, kVocab);
  std::vector<GenerateRequest> requests;
  for (int i = 0; i < 24; ++i) {
    auto prompt = system;
    const auto question = RandomTokens(200 + i, 1 + i, kVocab);
    prompt.insert(prompt.end(), question.begin(), question.end());
    requests.push_back(Greedy(prompt, 8));
  }
  for (int32_t pool : {400, 40}) {
    Harness h(pool, 4);
    std::vector<RequestId> ids;
    ids.push_back(h.Add(requests[0]));
    h.RunAll();
    for (size_t i = 1; i < requests.size(); ++i) ids.push_back(h.Add(requests[i]));
    h.RunAll();
    const EngineStats s = h.core().Stats();
    EXPECT_GE(s.prefix_cache_hits, 32u * 10) << "pool " << pool;
    if (pool == 40) {
      EXPECT_GT(s.preemptions, 0u);
    }
    EXPECT_EQ(h.outcome(ids[5]).usage.cached_prompt_tokens % 4, 0);
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(h.outcome(ids[i]).tokens, RunAlone(requests[i])) << "request " << i << ", pool " << pool;
    }
  }
}

TEST(EngineCoreTest, CancellingHalfMidStreamLeavesTheOthersIdentical) {
  const auto requests = TwentyFourRequests();
  Harness h(40, 4);
  std::vector<RequestId> ids;
  for (const auto& r : requests) ids.push_back(h.Add(r));
  for (int i = 0; i < 6; ++i) h.Step();
  for (size_t i = 0; i < ids.size(); i += 2) h.Cancel(ids[i]);
  h.RunAll();
  for (size_t i = 0; i < ids.size(); ++i) {
    const Outcome& o = h.outcome(ids[i]);
    ASSERT_TRUE(o.done) << i;
    if (i % 2 == 0) {
      EXPECT_EQ(o.finish[0], FinishReason::kCancelled);
    } else {
      EXPECT_EQ(o.tokens, RunAlone(requests[i])) << "request " << i;
    }
  }
}

TEST(EngineCoreTest, CancelFreesTheRequestsBlocksImmediately) {
  Harness h(64, 4);
  const RequestId id = h.Add(Greedy(RandomTokens(1, 30, kVocab), 50));
  h.Step();
  h.Step();
  EXPECT_GT(h.core().kv().num_used(), 0);
  h.Cancel(id);
  EXPECT_EQ(h.core().kv().num_free() + h.core().kv().num_idle_cached(), 64);
  EXPECT_EQ(h.core().num_running(), 0u);
  EXPECT_EQ(h.outcome(id).finish[0], FinishReason::kCancelled);
  EXPECT_TRUE(h.outcome(id).done);
}

TEST(EngineCoreTest, SamplesForkFromSharedPromptBlocksWithCopyOnWrite) {
  const auto prompt = RandomTokens(3, 10, kVocab);  // 2.5 blocks: the third is shared and partial
  GenerateRequest r = Greedy(prompt, 6);
  r.n = 3;
  Harness h(64, 4);
  const RequestId id = h.Add(r);
  h.RunAll();
  const auto alone = RunAlone(Greedy(prompt, 6));
  const Outcome& o = h.outcome(id);
  ASSERT_EQ(o.tokens.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(o.tokens[static_cast<size_t>(i)], alone[0]) << "sample " << i;
  EXPECT_EQ(h.core().Stats().copy_on_write_blocks, 2u);
  EXPECT_EQ(o.usage.completion_tokens, 18);
}

GenerateRequest Seeded(std::vector<int32_t> prompt, uint64_t seed) {
  GenerateRequest r;
  r.prompt = std::move(prompt);
  r.sampling.temperature = 0.9f;
  r.sampling.top_k = 20;
  r.sampling.top_p = 0.95f;
  r.sampling.seed = seed;
  r.max_tokens = 16;
  return r;
}

TEST(EngineCoreTest, SeededSamplingIsReproducibleAndIndependentOfTheBatch) {
  GenerateRequest target = Seeded(RandomTokens(5, 21, kVocab), 1234);
  target.n = 2;
  std::vector<std::vector<int32_t>> alone;
  {
    Harness h(256, 4);
    const RequestId id = h.Add(target);
    h.RunAll();
    alone = h.outcome(id).tokens;
  }
  ASSERT_EQ(alone.size(), 2u);
  EXPECT_NE(alone[0], alone[1]);
  Harness h(40, 4);
  std::vector<RequestId> others;
  for (int i = 0; i < 10; ++i) others.push_back(h.Add(Seeded(RandomTokens(50 + i, 30, kVocab), 9 + i)));
  const RequestId id = h.Add(target);
  h.RunAll();
  EXPECT_GT(h.core().Stats().preemptions, 0u);
  EXPECT_EQ(h.outcome(id).tokens, alone);
}

TEST(EngineCoreTest, StopTokenIdsStopAndAreReported) {
  const auto prompt = RandomTokens(11, 9, kVocab);
  const auto reference = RunAlone(Greedy(prompt, 20))[0];
  const int32_t stop = reference[4];
  const size_t first = static_cast<size_t>(std::find(reference.begin(), reference.end(), stop) - reference.begin());
  GenerateRequest r = Greedy(prompt, 20);
  r.stop_token_ids = {stop};
  Harness h(64, 4);
  const RequestId id = h.Add(r);
  h.RunAll();
  const Outcome& o = h.outcome(id);
  EXPECT_EQ(o.finish[0], FinishReason::kStop);
  EXPECT_EQ(o.tokens[0], std::vector<int32_t>(reference.begin(), reference.begin() + first + 1));
}

TEST(EngineCoreTest, EndOfGenerationTokensStopUnlessIgnored) {
  const auto prompt = RandomTokens(12, 9, kVocab);
  const auto reference = RunAlone(Greedy(prompt, 20))[0];
  EngineCoreConfig c = DefaultConfig();
  c.eos_token_ids = {reference[2]};
  Harness h(64, 4, c);
  const RequestId stops = h.Add(Greedy(prompt, 20));
  GenerateRequest ignoring = Greedy(prompt, 20);
  ignoring.ignore_eos = true;
  const RequestId runs_on = h.Add(ignoring);
  h.RunAll();
  EXPECT_EQ(h.outcome(stops).finish[0], FinishReason::kStop);
  EXPECT_LE(h.outcome(stops).tokens[0].size(), 3u);
  EXPECT_EQ(h.outcome(runs_on).finish[0], FinishReason::kLength);
  EXPECT_EQ(h.outcome(runs_on).tokens[0], reference);
}

TEST(EngineCoreTest, ContextLengthEndsGenerationWithLength) {
  EngineCoreConfig c = DefaultConfig();
  c.max_model_len = 20;
  Harness h(64, 4, c);
  const RequestId id = h.Add(Greedy(RandomTokens(13, 15, kVocab), 100));
  h.RunAll();
  EXPECT_EQ(h.outcome(id).finish[0], FinishReason::kLength);
  EXPECT_EQ(h.outcome(id).tokens[0].size(), 5u);
}

TEST(EngineCoreTest, PassedDeadlineFinishesWithDeadline) {
  Harness h(64, 4);
  GenerateRequest r = Greedy(RandomTokens(14, 8, kVocab), 100);
  r.deadline = Clock::now() - std::chrono::seconds(1);
  const RequestId id = h.Add(r);
  h.RunAll();
  EXPECT_EQ(h.outcome(id).finish[0], FinishReason::kDeadline);
  EXPECT_TRUE(h.outcome(id).tokens[0].empty());
}

TEST(EngineCoreTest, WarmupPromptsStayCachedUnderPressure) {
  const auto system = RandomTokens(21, 32, kVocab);
  Harness h(40, 4);
  ASSERT_TRUE(h.core().Warmup({system}).ok());
  EXPECT_EQ(h.core().num_pinned_blocks(), 8);
  std::vector<RequestId> ids;
  for (int i = 0; i < 12; ++i) {
    auto prompt = system;
    const auto q = RandomTokens(300 + i, 5 + i, kVocab);
    prompt.insert(prompt.end(), q.begin(), q.end());
    ids.push_back(h.Add(Greedy(prompt, 10)));
  }
  h.RunAll();
  EXPECT_EQ(h.core().num_pinned_blocks(), 8);
  for (RequestId id : ids) EXPECT_EQ(h.outcome(id).usage.cached_prompt_tokens, 32) << id;
}

TEST(EngineCoreTest, SequenceLargerThanThePoolFailsWithError) {
  Harness h(4, 4);
  const RequestId id = h.Add(Greedy(RandomTokens(15, 10, kVocab), 20));
  h.RunAll();
  const Outcome& o = h.outcome(id);
  EXPECT_EQ(o.finish[0], FinishReason::kError);
  EXPECT_NE(o.error[0].find("KV blocks"), std::string::npos) << o.error[0];
  // Positions 0..15 fit in 4 blocks; the 7th generated token (position 16) cannot be computed.
  EXPECT_EQ(o.tokens[0].size(), 7u);
}

TEST(EngineCoreTest, LowerPriorityValueIsServedFirst) {
  EngineCoreConfig c = DefaultConfig();
  c.scheduler.max_batch_size = 1;
  Harness h(64, 4, c);
  GenerateRequest late = Greedy(RandomTokens(16, 5, kVocab), 3);
  late.priority = 5;
  GenerateRequest urgent = Greedy(RandomTokens(17, 5, kVocab), 3);
  urgent.priority = -1;
  const RequestId a = h.Add(late);
  const RequestId b = h.Add(urgent);
  while (!h.outcome(a).done && !h.outcome(b).done) h.Step();
  EXPECT_TRUE(h.outcome(b).done);
  EXPECT_FALSE(h.outcome(a).done);
  h.RunAll();
}

TEST(EngineCoreTest, ChunkedPrefillDoesNotStallRunningDecodes) {
  EngineCoreConfig c = DefaultConfig();
  c.scheduler.max_num_batched_tokens = 8;
  Harness h(128, 4, c);
  const RequestId streaming = h.Add(Greedy(RandomTokens(18, 4, kVocab), 40));
  h.Step();
  ASSERT_EQ(h.outcome(streaming).tokens[0].size(), 1u);
  const RequestId long_prompt = h.Add(Greedy(RandomTokens(19, 100, kVocab), 2));
  for (int step = 0; step < 14; ++step) {
    const size_t before = h.outcome(streaming).tokens[0].size();
    h.Step();
    EXPECT_EQ(h.outcome(streaming).tokens[0].size(), before + 1) << "step " << step;
  }
  EXPECT_EQ(h.core().Stats().max_batch_sequences, 2);
  h.RunAll();
  EXPECT_TRUE(h.outcome(long_prompt).done);
}

TEST(EngineCoreTest, DecodeStepCountersSkipStepsWithPromptChunks) {
  Harness h(128, 4);
  const RequestId a = h.Add(Greedy(RandomTokens(22, 10, kVocab), 5));
  h.Step();  // the prompt: not a decode step
  EXPECT_EQ(h.core().Stats().decode_steps, 0u);
  const RequestId b = h.Add(Greedy(RandomTokens(23, 6, kVocab), 3));
  h.Step();  // a's decode token mixed with b's prompt: still not
  EXPECT_EQ(h.core().Stats().decode_steps, 0u);
  h.Step();  // both decode
  EngineStats s = h.core().Stats();
  EXPECT_EQ(s.decode_steps, 1u);
  EXPECT_EQ(s.decode_step_tokens, 2u);
  EXPECT_GE(s.decode_step_seconds, 0.0);
  h.RunAll();
  s = h.core().Stats();
  // a has 5 tokens: one from its prompt step, one from the mixed step, three in decode steps;
  // b has 3: one from the mixed step, two in decode steps.
  EXPECT_EQ(s.decode_step_tokens, 5u);
  EXPECT_TRUE(h.outcome(a).done && h.outcome(b).done);
}

TEST(EngineCoreTest, ForwardFailureFailsTheBatchAndFreesItsBlocks) {
  Harness h(64, 4);
  const RequestId a = h.Add(Greedy(RandomTokens(20, 6, kVocab), 5));
  const RequestId b = h.Add(Greedy(RandomTokens(21, 7, kVocab), 5));
  h.exec().FailNextForward();
  h.RunAll();
  for (RequestId id : {a, b}) {
    EXPECT_EQ(h.outcome(id).finish[0], FinishReason::kError);
    EXPECT_NE(h.outcome(id).error[0].find("injected failure"), std::string::npos);
  }
  EXPECT_EQ(h.core().Stats().requests_failed, 2u);
}

// Token t renders as the letter 'a' + t % 26.
class LetterDecoderFactory : public TextDecoderFactory {
 public:
  std::unique_ptr<TextDecoder> Create() const override {
    struct Letters : TextDecoder {
      std::string Push(int32_t t) override { return std::string(1, static_cast<char>('a' + t % 26)); }
      std::string Finish() override { return ""; }
    };
    return std::make_unique<Letters>();
  }
};

std::string Letters(const std::vector<int32_t>& tokens) {
  std::string s;
  for (int32_t t : tokens) s += static_cast<char>('a' + t % 26);
  return s;
}

TEST(EngineCoreTest, TextDeltasAndStopStringsAreWithheldUntilTheyCannotMatch) {
  const auto prompt = RandomTokens(22, 9, kVocab);
  const auto reference = RunAlone(Greedy(prompt, 16))[0];
  const std::string full = Letters(reference);
  const std::string stop = full.substr(5, 3);
  const size_t cut = full.find(stop);
  LetterDecoderFactory letters;
  EngineCoreConfig c = DefaultConfig();
  c.text_decoder = &letters;
  Harness h(64, 4, c);
  GenerateRequest r = Greedy(prompt, 16);
  r.stop = {"never-matches", stop};
  const RequestId id = h.Add(r);
  std::string streamed;
  while (!h.outcome(id).done) {
    h.Step();
    streamed = h.outcome(id).text[0];
    EXPECT_EQ(full.compare(0, streamed.size(), streamed), 0);
    EXPECT_LE(streamed.size(), cut);
  }
  const Outcome& o = h.outcome(id);
  EXPECT_EQ(o.finish[0], FinishReason::kStop);
  EXPECT_EQ(o.stop_string[0], stop);
  EXPECT_EQ(o.text[0], full.substr(0, cut));
  EXPECT_EQ(o.tokens[0].size(), cut + 3);

  const RequestId plain = h.Add(Greedy(prompt, 16));
  h.RunAll();
  EXPECT_EQ(h.outcome(plain).text[0], full);
}

TEST(EngineCoreTest, UsageAndTimingsAreReported) {
  Harness h(64, 4);
  const RequestId id = h.Add(Greedy(RandomTokens(23, 12, kVocab), 7));
  h.RunAll();
  const Outcome& o = h.outcome(id);
  EXPECT_EQ(o.usage.prompt_tokens, 12);
  EXPECT_EQ(o.usage.completion_tokens, 7);
  EXPECT_GE(o.timings.total_s, o.timings.first_token_s);
  EXPECT_GE(o.timings.first_token_s, o.timings.queued_s);
  EXPECT_GE(o.timings.decode_s, 0.0);
  const EngineStats s = h.core().Stats();
  EXPECT_EQ(s.generated_tokens, 7u);
  EXPECT_EQ(s.prompt_tokens, 12u);
  EXPECT_EQ(s.requests_finished, 1u);
}

}  // namespace
}  // namespace dsinfer::engine
