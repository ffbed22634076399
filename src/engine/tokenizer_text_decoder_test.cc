// Text deltas and stop strings with a real vocabulary: the ds3-mini tokenizer carried by the
// golden models (skipped without ../shared/golden).
#include "engine/tokenizer_text_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "engine/engine.h"
#include "engine/engine_test_util.h"
#include "testing/golden.h"
#include "tokenizer/incremental_decoder.h"

namespace dsinfer::engine {
namespace {

using testing::Outcome;
using testing::WaitDone;

TEST(TokenizerTextDecoderTest, DeltasConcatenateToTheDecodedTextAndNeverSplitCharacters) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto tok = tokenizer::Tokenizer::FromGgufPath(golden + "/tokenizer/ds3-mini/ggml-vocab-ds3-mini.gguf");
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  const std::string text = "Grüße, 世界! naïve café 🙂 done";
  const auto ids = (*tok)->Encode(text, false, false);
  TokenizerTextDecoderFactory factory(**tok);
  auto decoder = factory.Create();
  std::string joined;
  for (int32_t id : ids) {
    const std::string delta = decoder->Push(id);
    // Every delta is whole UTF-8 characters.
    EXPECT_EQ(tokenizer::IncompleteUtf8Suffix(delta), 0u) << delta;
    joined += delta;
  }
  joined += decoder->Finish();
  EXPECT_EQ(joined, text);
  const auto eog = EndOfGenerationIds(**tok);
  EXPECT_NE(std::find(eog.begin(), eog.end(), (*tok)->eos_id()), eog.end());
}

std::vector<int32_t> ReadTokens(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::vector<int32_t> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

TEST(TokenizerTextDecoderTest, EngineStreamsTextAndStopsAtAStopStringWithoutEmittingIt) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto model = Model::Load(golden + "/models/ds2-lite-mini-f32.gguf");
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto tok = tokenizer::Tokenizer::FromGguf((*model)->file());
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  TokenizerTextDecoderFactory factory(**tok);
  ThreadPool pool(2);
  EngineOptions o;
  o.kv_sizing.blocks = 64;
  o.text_decoder = &factory;
  o.eos_token_ids = EndOfGenerationIds(**tok);
  o.check_invariants_every_step = true;
  auto engine = Engine::Create(**model, pool, o);
  ASSERT_TRUE(engine.ok()) << engine.status().message();

  GenerateRequest r;
  r.prompt = ReadTokens(golden + "/ds2-lite-mini-f32/prompt_tokens.i32");
  r.sampling.temperature = 0.0f;
  r.max_tokens = 32;
  r.ignore_eos = true;
  const Outcome plain = WaitDone(*(*engine)->Submit(r)->events);
  const std::string full = (*tok)->Decode(plain.tokens[0], true);
  EXPECT_EQ(plain.text[0], full);
  ASSERT_GT(full.size(), 30u);

  // A stop string from the middle of the text: everything before it arrives, it never does.
  const std::string stop = full.substr(full.size() / 2, 6);
  const size_t cut = full.find(stop);
  r.stop = {stop};
  auto sub = (*engine)->Submit(r);
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  Outcome stopped;
  while (auto e = sub->events->Next()) {
    stopped.Add(*e);
    EXPECT_LE(stopped.text[0].size(), cut);
  }
  EXPECT_EQ(stopped.finish[0], FinishReason::kStop);
  EXPECT_EQ(stopped.stop_string[0], stop);
  EXPECT_EQ(stopped.text[0], full.substr(0, cut));
  EXPECT_LT(stopped.tokens[0].size(), plain.tokens[0].size());
  ASSERT_TRUE((*engine)->CheckInvariants().ok());
  const EngineStats s = (*engine)->Stats();
  EXPECT_EQ(s.kv_blocks_free, s.kv_blocks_total);
}

}  // namespace
}  // namespace dsinfer::engine
