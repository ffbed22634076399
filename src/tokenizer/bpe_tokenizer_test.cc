#include "tokenizer/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tokenizer/test_vocab.h"

namespace dsinfer::tokenizer {
namespace {

using Ids = std::vector<int32_t>;
using testing::MakeTestVocab;
using testing::TestTokenId;

std::unique_ptr<Tokenizer> TestTokenizer() {
  auto t = Tokenizer::Create(MakeTestVocab());
  EXPECT_TRUE(t.ok()) << t.status().message();
  return std::move(t).value();
}

const int32_t kHello = TestTokenId("hello");
const int32_t kSpaceWorld = TestTokenId("Ġworld");
const int32_t kBos = TestTokenId("<｜begin▁of▁sentence｜>");
const int32_t kEos = TestTokenId("<｜end▁of▁sentence｜>");
const int32_t kUser = TestTokenId("<｜User｜>");
const int32_t kThink = TestTokenId("<think>");
const int32_t kEndThink = TestTokenId("</think>");

TEST(TokenizerTest, MergesByRankIntoWholeWords) {
  auto t = TestTokenizer();
  EXPECT_EQ(t->Encode("hello world", false, false), (Ids{kHello, kSpaceWorld}));
  EXPECT_EQ(t->Encode(" the", false, false), (Ids{TestTokenId("Ġthe")}));
  // No merge for (a, b): byte tokens, whose ids are the bytes themselves.
  EXPECT_EQ(t->Encode("ab", false, false), (Ids{'a', 'b'}));
}

TEST(TokenizerTest, EqualRankPairsMergeLeftmostFirst) {
  auto t = TestTokenizer();
  const int32_t ll = TestTokenId("ll");
  EXPECT_EQ(t->Encode("lll", false, false), (Ids{ll, 'l'}));
  EXPECT_EQ(t->Encode("llll", false, false), (Ids{ll, ll}));
}

TEST(TokenizerTest, LongWordsEncodeInReasonableTime) {
  auto t = TestTokenizer();
  const std::string word(200001, 'l');
  const Ids ids = t->Encode(word, false, false);
  ASSERT_EQ(ids.size(), 100001u);
  EXPECT_EQ(ids.back(), 'l');
  EXPECT_EQ(t->Decode(ids, false), word);
}

TEST(TokenizerTest, BosAndEosFollowTheVocabularyFlags) {
  auto t = TestTokenizer();
  EXPECT_EQ(t->Encode("hello", true, false), (Ids{kBos, kHello}));
  EXPECT_EQ(t->Encode("hello", false, false), (Ids{kHello}));
  Vocab v = MakeTestVocab();
  v.add_bos = false;
  v.add_eos = true;
  auto t2 = std::move(Tokenizer::Create(v)).value();
  EXPECT_EQ(t2->Encode("hello", true, false), (Ids{kHello, kEos}));
}

TEST(TokenizerTest, EmptyStringGivesNoTokensOrJustBos) {
  auto t = TestTokenizer();
  EXPECT_TRUE(t->Encode("", false, false).empty());
  EXPECT_TRUE(t->Encode("", false, true).empty());
  EXPECT_EQ(t->Encode("", true, false), (Ids{kBos}));
  EXPECT_EQ(t->Decode(Ids{}, false), "");
}

TEST(TokenizerTest, ControlTokensAreRecognisedOnlyWithParseSpecial) {
  auto t = TestTokenizer();
  const std::string text = "<｜User｜>hello";
  EXPECT_EQ(t->Encode(text, false, true), (Ids{kUser, kHello}));
  const Ids plain = t->Encode(text, false, false);
  for (int32_t id : plain) EXPECT_NE(id, kUser);
  EXPECT_EQ(t->Decode(plain, false), text);
  EXPECT_EQ(t->Encode(text, true, true), (Ids{kBos, kUser, kHello}));
}

TEST(TokenizerTest, UserDefinedTokensAreAlwaysRecognised) {
  auto t = TestTokenizer();
  EXPECT_EQ(t->Encode("<think>hello</think>", false, false), (Ids{kThink, kHello, kEndThink}));
  EXPECT_EQ(t->Encode("<think>hello</think>", false, true), (Ids{kThink, kHello, kEndThink}));
}

TEST(TokenizerTest, InvalidUtf8RoundTripsThroughByteTokens) {
  auto t = TestTokenizer();
  const std::string text = "\xff\xfehello\x80 wor\xe4\xb8";
  const Ids ids = t->Encode(text, false, false);
  EXPECT_EQ(t->Decode(ids, false), text);
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  EXPECT_EQ(t->Decode(t->Encode(all_bytes, false, false), false), all_bytes);
}

TEST(TokenizerTest, RandomByteStringsRoundTrip) {
  auto t = TestTokenizer();
  const std::vector<std::string> fragments = {"hello", " world", "<｜User｜>", "<think>",
                                              "<｜",   "\n\n",   " ",          "中",
                                              "\xe4",  "\xff",   "~",          "123"};
  std::mt19937 rng(11);
  for (int trial = 0; trial < 500; ++trial) {
    std::string text;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      if (rng() % 4 == 0) {
        text.push_back(static_cast<char>(rng() % 256));
      } else {
        text += fragments[rng() % fragments.size()];
      }
    }
    for (bool parse_special : {false, true}) {
      ASSERT_EQ(t->Decode(t->Encode(text, false, parse_special), false), text) << parse_special;
    }
  }
}

TEST(TokenizerTest, DecodeSkipsControlTokensOnRequestButNotUserDefined) {
  auto t = TestTokenizer();
  const Ids ids = {kBos, kThink, kHello, kEndThink, kSpaceWorld, kEos};
  EXPECT_EQ(t->Decode(ids, false),
            "<｜begin▁of▁sentence｜><think>hello</think> world<｜end▁of▁sentence｜>");
  EXPECT_EQ(t->Decode(ids, true), "<think>hello</think> world");
  EXPECT_EQ(t->Decode(Ids{-1, kHello, 1 << 30}, false), "hello");
}

TEST(TokenizerTest, AccessorsDescribeTheVocabulary) {
  auto t = TestTokenizer();
  EXPECT_EQ(t->n_vocab(), MakeTestVocab().n_vocab());
  EXPECT_EQ(t->bos_id(), kBos);
  EXPECT_EQ(t->eos_id(), kEos);
  EXPECT_TRUE(t->add_bos());
  EXPECT_EQ(t->TokenPiece(kSpaceWorld), " world");
  EXPECT_EQ(t->TokenText(kSpaceWorld), "Ġworld");
  EXPECT_EQ(t->TokenId("Ġworld"), kSpaceWorld);
  EXPECT_EQ(t->TokenId("nope"), kNoToken);
  EXPECT_EQ(t->token_type(kUser), TokenType::kControl);
  EXPECT_TRUE(t->IsSpecial(kUser));
  EXPECT_FALSE(t->IsSpecial(kThink));
  EXPECT_TRUE(t->IsEndOfGeneration(kEos));
  EXPECT_FALSE(t->IsEndOfGeneration(kHello));
}

TEST(TokenizerTest, MergeResultsMissingFromTheVocabularyFallBackToBytes) {
  Vocab v = MakeTestVocab();
  // "xy" is not a token, "xyz" is: the chain x+y -> xy, xy+z -> xyz still works; a lone "xy"
  // ends as its byte tokens.
  v.merges.emplace_back("x", "y");
  v.merges.emplace_back("xy", "z");
  v.tokens.push_back("xyz");
  v.types.push_back(TokenType::kNormal);
  auto t = std::move(Tokenizer::Create(v)).value();
  EXPECT_EQ(t->Encode("xyz", false, false), (Ids{v.n_vocab() - 1}));
  EXPECT_EQ(t->Encode("xy", false, false), (Ids{'x', 'y'}));
}

TEST(TokenizerTest, IgnoreMergesEmitsWholeTokens) {
  Vocab v = MakeTestVocab();
  v.tokens.push_back("abc");
  v.types.push_back(TokenType::kNormal);
  v.ignore_merges = true;
  auto t = std::move(Tokenizer::Create(v)).value();
  EXPECT_EQ(t->Encode("abc", false, false), (Ids{v.n_vocab() - 1}));
}

TEST(TokenizerTest, DuplicateTokenTextIsAnError) {
  Vocab v = MakeTestVocab();
  v.tokens.push_back("hello");
  v.types.push_back(TokenType::kNormal);
  auto t = Tokenizer::Create(v);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("test-vocab"), std::string::npos);
  EXPECT_NE(t.status().message().find("'hello'"), std::string::npos);
}

TEST(TokenizerTest, ConcurrentEncodesAgreeWithSequentialOnes) {
  auto t = TestTokenizer();
  const std::vector<std::string> texts = {"hello world", "<｜User｜>the hello", "lll llll",
                                          "中文 hello\n\nworld", "x ~= y; a ~b; 1~2"};
  std::vector<Ids> expected;
  for (const auto& s : texts) expected.push_back(t->Encode(s, true, true));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 300; ++round) {
        const size_t i = (round + k) % texts.size();
        if (t->Encode(texts[i], true, true) != expected[i]) ++mismatches[k];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace dsinfer::tokenizer
