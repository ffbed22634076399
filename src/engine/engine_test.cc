// The threaded Engine: submission, admission control, streaming, cancellation from other
// threads and shutdown, over the fake executor; then the whole stack on the synthesized tiny
// model (no ../shared needed).
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engine/engine_test_util.h"
#include "engine/fake_step_executor.h"
#include "model/synth.h"

namespace dsinfer::engine {
namespace {

using testing::FakeStepExecutor;
using testing::Outcome;
using testing::RandomTokens;
using testing::WaitDone;

EngineOptions FakeOptions() {
  EngineOptions o;
  o.max_model_len = 4096;
  o.scheduler.max_num_batched_tokens = 64;
  o.check_invariants_every_step = true;
  return o;
}

std::unique_ptr<Engine> FakeEngine(EngineOptions o = FakeOptions(), FakeStepExecutor** exec_out = nullptr,
                                   int32_t n_blocks = 64) {
  auto exec = std::make_unique<FakeStepExecutor>(64, n_blocks, 4);
  if (exec_out != nullptr) *exec_out = exec.get();
  auto e = Engine::CreateWithExecutor(std::move(exec), std::move(o));
  EXPECT_TRUE(e.ok()) << e.status().message();
  return std::move(e).value();
}

GenerateRequest Greedy(std::vector<int32_t> prompt, int max_tokens) {
  GenerateRequest r;
  r.prompt = std::move(prompt);
  r.sampling.temperature = 0.0f;
  r.max_tokens = max_tokens;
  return r;
}

void ExpectPoolRestored(Engine& engine) {
  ASSERT_TRUE(engine.CheckInvariants().ok());
  const EngineStats s = engine.Stats();
  EXPECT_EQ(s.kv_blocks_free, s.kv_blocks_total - s.kv_blocks_pinned);
  EXPECT_EQ(s.running, 0);
  EXPECT_EQ(s.waiting, 0);
}

TEST(EngineTest, StreamsTokensToEachSubmitterAndEndsWithDone) {
  auto engine = FakeEngine();
  std::vector<Submission> subs;
  for (int i = 0; i < 6; ++i) {
    auto s = engine->Submit(Greedy(RandomTokens(i, 5 + i, 64), 4 + i));
    ASSERT_TRUE(s.ok()) << s.status().message();
    subs.push_back(*s);
  }
  for (int i = 0; i < 6; ++i) {
    const Outcome o = WaitDone(*subs[static_cast<size_t>(i)].events);
    EXPECT_TRUE(o.done);
    EXPECT_EQ(o.tokens[0].size(), static_cast<size_t>(4 + i));
    EXPECT_EQ(o.finish[0], FinishReason::kLength);
    EXPECT_EQ(o.usage.prompt_tokens, 5 + i);
    EXPECT_FALSE(subs[static_cast<size_t>(i)].events->Next().has_value());
  }
  ExpectPoolRestored(*engine);
  EXPECT_EQ(engine->Stats().requests_finished, 6u);
}

TEST(EngineTest, RequestsThatCanNeverRunAreRejectedAsInvalidArgument) {
  EngineOptions o = FakeOptions();
  o.max_model_len = 32;
  auto engine = FakeEngine(o);
  auto too_long = engine->Submit(Greedy(RandomTokens(1, 32, 64), 4));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  auto bad_token = engine->Submit(Greedy({1, 64}, 4));
  EXPECT_EQ(bad_token.status().code(), StatusCode::kInvalidArgument);
  GenerateRequest stop = Greedy({1, 2}, 4);
  stop.stop = {"x"};
  EXPECT_EQ(engine->Submit(stop).status().code(), StatusCode::kInvalidArgument);
  // Statistics are published by the engine thread; a completed check guarantees they are current.
  ASSERT_TRUE(engine->CheckInvariants().ok());
  EXPECT_EQ(engine->Stats().requests_rejected, 3u);
}

TEST(EngineTest, AFullWaitingQueueIsResourceExhausted) {
  EngineOptions o = FakeOptions();
  o.max_waiting_requests = 2;
  FakeStepExecutor* exec = nullptr;
  auto engine = FakeEngine(o, &exec);
  exec->CloseGate();
  auto first = engine->Submit(Greedy({1, 2, 3}, 2));
  ASSERT_TRUE(first.ok());
  while (engine->Stats().requests_in_flight < 1) std::this_thread::yield();
  auto second = engine->Submit(Greedy({1, 2, 3}, 2));
  ASSERT_TRUE(second.ok());
  auto third = engine->Submit(Greedy({1, 2, 3}, 2));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  exec->OpenGate();
  EXPECT_TRUE(WaitDone(*first->events).done);
  EXPECT_TRUE(WaitDone(*second->events).done);
  ExpectPoolRestored(*engine);
}

TEST(EngineTest, CancelFromAnotherThreadEndsTheStreamAndFreesItsBlocks) {
  FakeStepExecutor* exec = nullptr;
  auto engine = FakeEngine(FakeOptions(), &exec, 2048);
  auto sub = engine->Submit(Greedy(RandomTokens(3, 20, 64), 100000));
  ASSERT_TRUE(sub.ok());
  Outcome o;
  while (o.tokens.empty() || o.tokens[0].size() < 3) o.Add(*sub->events->Next());
  exec->CloseGate();  // hold the engine inside a step while the cancel is posted
  std::thread canceller([&] { engine->Cancel(sub->id); });
  canceller.join();
  exec->OpenGate();
  while (auto e = sub->events->Next()) o.Add(*e);
  EXPECT_EQ(o.finish[0], FinishReason::kCancelled);
  EXPECT_TRUE(o.done);
  ExpectPoolRestored(*engine);
  EXPECT_EQ(engine->Stats().requests_cancelled, 1u);
  engine->Cancel(sub->id);  // finished ids are ignored
  engine->Cancel(12345);
  ASSERT_TRUE(engine->CheckInvariants().ok());
}

TEST(EngineTest, DestroyingTheEngineCancelsOpenRequests) {
  FakeStepExecutor* exec = nullptr;
  auto engine = FakeEngine(FakeOptions(), &exec, 2048);
  std::atomic<int> pushes{0};
  auto sub = engine->Submit(Greedy({5, 6, 7}, 100000), [&] { pushes++; });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(sub->events->Next().has_value());
  // Hold the engine inside a step while the destructor asks it to stop.
  exec->CloseGateFor(std::chrono::milliseconds(50));
  engine.reset();
  Outcome o;
  while (auto e = sub->events->Next()) o.Add(*e);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.finish[0], FinishReason::kCancelled);
  EXPECT_GE(pushes.load(), 2);
}

TEST(EngineTest, ManySubmittingThreadsAllGetTheirOwnOutput) {
  auto engine = FakeEngine(FakeOptions(), nullptr, 48);
  std::vector<std::vector<int32_t>> outputs(8);
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      auto sub = engine->Submit(Greedy(RandomTokens(40 + i, 10 + 3 * i, 64), 12));
      ASSERT_TRUE(sub.ok());
      outputs[static_cast<size_t>(i)] = WaitDone(*sub->events).tokens[0];
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < 8; ++i) {
    auto alone = FakeEngine();
    auto sub = alone->Submit(Greedy(RandomTokens(40 + i, 10 + 3 * i, 64), 12));
    EXPECT_EQ(WaitDone(*sub->events).tokens[0], outputs[static_cast<size_t>(i)]) << i;
  }
  ExpectPoolRestored(*engine);
}

// The real stack on the built-in demo model (no ../shared needed).
class TinyModelEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string path = std::string(::testing::TempDir()) + "/engine_tiny_q8.gguf";
    ThreadPool pool(2);
    auto r = SynthesizeModel(*FindSynthPreset("tiny"), *FindQuantRecipe("Q8_0"), 5, path, pool, nullptr);
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto m = Model::Load(path);
    ASSERT_TRUE(m.ok()) << m.status().message();
    model_ = std::move(m).value().release();
  }
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }
  static std::vector<std::vector<int32_t>> Run(const std::vector<GenerateRequest>& requests, int32_t blocks,
                                               bool one_at_a_time, EngineStats* stats) {
    ThreadPool pool(2);
    EngineOptions o;
    o.kv_sizing.blocks = blocks;
    o.check_invariants_every_step = true;
    auto engine = Engine::Create(*model_, pool, o);
    EXPECT_TRUE(engine.ok()) << engine.status().message();
    std::vector<std::vector<int32_t>> out;
    std::vector<Submission> subs;
    for (const auto& r : requests) {
      auto s = (*engine)->Submit(r);
      EXPECT_TRUE(s.ok()) << s.status().message();
      if (one_at_a_time) {
        out.push_back(WaitDone(*s->events).tokens[0]);
      } else {
        subs.push_back(*s);
      }
    }
    for (auto& s : subs) out.push_back(WaitDone(*s.events).tokens[0]);
    ExpectPoolRestored(**engine);
    *stats = (*engine)->Stats();
    return out;
  }
  static Model* model_;
};

Model* TinyModelEngineTest::model_ = nullptr;

TEST_F(TinyModelEngineTest, ConcurrentGreedyOutputsMatchRunningAloneUnderPreemption) {
  ASSERT_NE(model_, nullptr);
  const int32_t n_vocab = static_cast<int32_t>(model_->config().n_vocab);
  std::vector<GenerateRequest> requests;
  for (int i = 0; i < 8; ++i) requests.push_back(Greedy(RandomTokens(70 + i, 5 + 9 * i, n_vocab), 10));
  EngineStats alone_stats, batched_stats;
  const auto alone = Run(requests, 64, true, &alone_stats);
  const auto batched = Run(requests, 10, false, &batched_stats);
  EXPECT_EQ(batched, alone);
  EXPECT_GT(batched_stats.preemptions, 0u);
  EXPECT_GT(batched_stats.max_batch_sequences, 1);
  const ModelConfig& c = model_->config();
  EXPECT_EQ(batched_stats.kv_bytes_per_token, uint64_t{c.n_layer} * (c.kv_lora_rank + c.n_rot) * 2);
}

}  // namespace
}  // namespace dsinfer::engine
