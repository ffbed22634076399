// Acceptance tests on the F32 golden models (skipped without ../shared/golden): 24 requests of
// different prompt lengths give the same greedy output whether each runs alone or all run at
// once with a block pool small enough to force preemption, with prefix-cache hits, and with
// half of them cancelled mid-stream; seeded sampling is reproducible run to run. Every test
// ends with the block pool back at its initial free count.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "engine/engine.h"
#include "engine/engine_test_util.h"
#include "testing/golden.h"

namespace dsinfer::engine {
namespace {

using testing::Outcome;
using testing::WaitDone;

std::vector<int32_t> ReadTokens(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::vector<int32_t> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

class EngineGoldenTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    DSINFER_REQUIRE_GOLDEN(golden);
    auto m = Model::Load(golden + "/models/" + GetParam() + ".gguf");
    ASSERT_TRUE(m.ok()) << m.status().message();
    model_ = std::move(m).value();
    // The golden prompt followed by llama.cpp's greedy continuation: 96 real token ids.
    corpus_ = ReadTokens(golden + "/" + GetParam() + "/prompt_tokens.i32");
    const auto greedy = ReadTokens(golden + "/" + GetParam() + "/greedy_tokens.i32");
    corpus_.insert(corpus_.end(), greedy.begin(), greedy.end());
    ASSERT_GE(corpus_.size(), 90u);
  }

  std::vector<int32_t> Slice(size_t start, size_t len) const {
    return {corpus_.begin() + static_cast<long>(start), corpus_.begin() + static_cast<long>(start + len)};
  }

  // 24 prompts of lengths 4..63 from different offsets of the corpus.
  std::vector<GenerateRequest> VariedRequests() const {
    std::vector<GenerateRequest> rs;
    for (int i = 0; i < 24; ++i) {
      GenerateRequest r;
      r.prompt = Slice(static_cast<size_t>(i % 20), static_cast<size_t>(4 + (i * 37) % 60));
      r.sampling.temperature = 0.0f;
      r.max_tokens = 16;
      r.ignore_eos = true;
      rs.push_back(std::move(r));
    }
    return rs;
  }

  std::unique_ptr<Engine> MakeEngine(int32_t blocks, bool prefix_caching, ThreadPool& pool,
                                     std::vector<std::vector<int32_t>> warmup = {}) const {
    EngineOptions o;
    o.kv_sizing.blocks = blocks;
    o.kv_type = DType::kF32;
    o.enable_prefix_caching = prefix_caching;
    o.scheduler.max_num_batched_tokens = 256;
    o.check_invariants_every_step = true;
    o.warmup_prompts = std::move(warmup);
    auto e = Engine::Create(*model_, pool, o);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return std::move(e).value();
  }

  static void ExpectPoolRestored(Engine& engine) {
    ASSERT_TRUE(engine.CheckInvariants().ok()) << engine.CheckInvariants().message();
    const EngineStats s = engine.Stats();
    EXPECT_EQ(s.kv_blocks_free, s.kv_blocks_total - s.kv_blocks_pinned);
  }

  // Each request alone, one after another, in a roomy cache without prefix caching.
  std::vector<Outcome> RunAlone(const std::vector<GenerateRequest>& requests) const {
    ThreadPool pool(2);
    auto engine = MakeEngine(256, false, pool);
    std::vector<Outcome> out;
    for (const auto& r : requests) {
      auto s = engine->Submit(r);
      EXPECT_TRUE(s.ok()) << s.status().message();
      out.push_back(WaitDone(*s->events));
    }
    ExpectPoolRestored(*engine);
    EXPECT_EQ(engine->Stats().preemptions, 0u);
    return out;
  }

  static std::vector<Outcome> RunAllAtOnce(Engine& engine, const std::vector<GenerateRequest>& requests) {
    std::vector<Submission> subs;
    for (const auto& r : requests) {
      auto s = engine.Submit(r);
      EXPECT_TRUE(s.ok()) << s.status().message();
      subs.push_back(*s);
    }
    std::vector<Outcome> out;
    for (auto& s : subs) out.push_back(WaitDone(*s.events));
    return out;
  }

  std::unique_ptr<Model> model_;
  std::vector<int32_t> corpus_;
};

TEST_P(EngineGoldenTest, GreedyOutputsAreIdenticalAloneAndBatchedWithPreemption) {
  const auto requests = VariedRequests();
  const auto alone = RunAlone(requests);
  ThreadPool pool(2);
  auto engine = MakeEngine(12, false, pool);  // 192 token slots for 24 requests of up to 79
  const auto batched = RunAllAtOnce(*engine, requests);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(batched[i].tokens, alone[i].tokens) << "request " << i;
    EXPECT_EQ(batched[i].finish[0], FinishReason::kLength);
  }
  const EngineStats s = engine->Stats();
  EXPECT_GT(s.preemptions, 0u);
  EXPECT_GT(s.max_batch_sequences, 1);
  std::printf("%s: %llu preemptions, max batch %d sequences, %llu steps\n", GetParam(),
              static_cast<unsigned long long>(s.preemptions), s.max_batch_sequences,
              static_cast<unsigned long long>(s.steps));
  ExpectPoolRestored(*engine);
}

TEST_P(EngineGoldenTest, GreedyOutputsAreIdenticalWithPrefixCacheHits) {
  const auto system = Slice(0, 40);
  std::vector<GenerateRequest> requests;
  for (int i = 0; i < 24; ++i) {
    GenerateRequest r;
    r.prompt = system;
    const auto question = Slice(40 + static_cast<size_t>(i % 24), static_cast<size_t>(2 + i % 9));
    r.prompt.insert(r.prompt.end(), question.begin(), question.end());
    r.sampling.temperature = 0.0f;
    r.max_tokens = 12;
    r.ignore_eos = true;
    requests.push_back(std::move(r));
  }
  const auto alone = RunAlone(requests);
  ThreadPool pool(2);
  auto engine = MakeEngine(16, true, pool, {system});
  const auto batched = RunAllAtOnce(*engine, requests);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(batched[i].tokens, alone[i].tokens) << "request " << i;
    EXPECT_EQ(batched[i].usage.cached_prompt_tokens, 32) << "request " << i;
  }
  const EngineStats s = engine->Stats();
  EXPECT_GE(s.prefix_cache_hits, 24u * 32);
  EXPECT_EQ(s.kv_blocks_pinned, 2);
  ExpectPoolRestored(*engine);
}

TEST_P(EngineGoldenTest, CancellingHalfMidStreamLeavesTheOthersIdentical) {
  const auto requests = VariedRequests();
  const auto alone = RunAlone(requests);
  ThreadPool pool(2);
  auto engine = MakeEngine(12, true, pool);
  std::vector<Submission> subs;
  for (size_t i = 0; i < requests.size(); ++i) {
    GenerateRequest r = requests[i];
    if (i % 2 == 0) r.max_tokens = 100;  // the ones to cancel cannot finish first
    subs.push_back(*engine->Submit(r));
  }
  std::vector<Outcome> out(subs.size());
  std::vector<bool> cancelled(subs.size(), false);
  size_t done = 0;
  while (done < subs.size()) {
    done = 0;
    for (size_t i = 0; i < subs.size(); ++i) {
      testing::Drain(*subs[i].events, &out[i]);
      if (out[i].done) {
        ++done;
        continue;
      }
      if (i % 2 == 0 && !cancelled[i] && !out[i].tokens.empty() && out[i].tokens[0].size() >= 3) {
        engine->Cancel(subs[i].id);
        cancelled[i] = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (size_t i = 0; i < subs.size(); ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(out[i].finish[0], FinishReason::kCancelled) << "request " << i;
      const auto& mine = out[i].tokens[0];
      const auto& theirs = alone[i].tokens[0];
      const size_t n = std::min(mine.size(), theirs.size());
      EXPECT_GE(n, 3u);
      EXPECT_TRUE(std::equal(mine.begin(), mine.begin() + static_cast<long>(n), theirs.begin())) << "request " << i;
    } else {
      EXPECT_EQ(out[i].tokens, alone[i].tokens) << "request " << i;
    }
  }
  ExpectPoolRestored(*engine);
}

TEST_P(EngineGoldenTest, SeededSamplingIsReproducibleRunToRun) {
  std::vector<GenerateRequest> requests = VariedRequests();
  for (size_t i = 0; i < requests.size(); ++i) {
    requests[i].sampling.temperature = 0.8f;
    requests[i].sampling.top_k = 40;
    requests[i].sampling.top_p = 0.9f;
    requests[i].sampling.seed = 1000 + i;
    requests[i].n = i % 3 == 0 ? 2 : 1;
  }
  std::vector<std::vector<Outcome>> runs;
  for (int32_t blocks : {256, 14}) {
    ThreadPool pool(2);
    auto engine = MakeEngine(blocks, true, pool);
    runs.push_back(RunAllAtOnce(*engine, requests));
    ExpectPoolRestored(*engine);
  }
  {
    ThreadPool pool(2);
    auto engine = MakeEngine(256, false, pool);
    runs.push_back(RunAllAtOnce(*engine, requests));
  }
  bool any_difference_from_greedy = false;
  const auto greedy = RunAlone(VariedRequests());
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(runs[1][i].tokens, runs[0][i].tokens) << "request " << i;
    EXPECT_EQ(runs[2][i].tokens, runs[0][i].tokens) << "request " << i;
    any_difference_from_greedy |= runs[0][i].tokens[0] != greedy[i].tokens[0];
  }
  EXPECT_TRUE(any_difference_from_greedy);
}

INSTANTIATE_TEST_SUITE_P(Golden, EngineGoldenTest, ::testing::Values("ds2-lite-mini-f32", "llama-mini-f32"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace dsinfer::engine
