#include "tokenizer/incremental_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/test_vocab.h"

namespace dsinfer::tokenizer {
namespace {

using testing::MakeTestVocab;
using testing::TestTokenId;

std::unique_ptr<Tokenizer> TestTokenizer() {
  return std::move(Tokenizer::Create(MakeTestVocab())).value();
}

TEST(IncompleteUtf8SuffixTest, FindsOnlyCompletableTails) {
  EXPECT_EQ(IncompleteUtf8Suffix(""), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("abc"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xe4"), 1u);  // lead of a 3-byte character
  EXPECT_EQ(IncompleteUtf8Suffix("a\xe4\xb8"), 2u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xe4\xb8\xad"), 0u);  // complete
  EXPECT_EQ(IncompleteUtf8Suffix("\xf0\x9f\xa6"), 3u);   // 3 of 4 bytes of an emoji
  EXPECT_EQ(IncompleteUtf8Suffix("\xc3"), 1u);
  EXPECT_EQ(IncompleteUtf8Suffix("\x80"), 0u);      // stray continuation byte
  EXPECT_EQ(IncompleteUtf8Suffix("\xff"), 0u);      // never valid
  EXPECT_EQ(IncompleteUtf8Suffix("\xe0\x80"), 0u);  // overlong: can never complete
  EXPECT_EQ(IncompleteUtf8Suffix("\xed\xa0"), 0u);  // surrogate
  EXPECT_EQ(IncompleteUtf8Suffix("\xf4\x90"), 0u);  // above U+10FFFF
}

TEST(IncrementalDecoderTest, HoldsBackPartialCharactersUntilComplete) {
  auto t = TestTokenizer();
  // The test vocabulary has no token for whole CJK characters: "中" is the tokens "ä¸" + byte
  // 0xAD, "文" three byte tokens.
  const std::vector<int32_t> ids = t->Encode("a中文b", false, false);
  IncrementalDecoder d(*t, false);
  std::vector<std::string> deltas;
  for (int32_t id : ids) deltas.push_back(d.Push(id));
  deltas.push_back(d.Finish());
  std::string joined;
  for (const std::string& delta : deltas) {
    EXPECT_EQ(IncompleteUtf8Suffix(delta), 0u) << delta;
    joined += delta;
  }
  EXPECT_EQ(joined, "a中文b");
  EXPECT_EQ(deltas[0], "a");
  EXPECT_EQ(deltas[1], "");  // "ä¸" = the first two bytes of 中
  EXPECT_EQ(deltas[2], "中");
}

TEST(IncrementalDecoderTest, SkipsControlTokensWhenAsked) {
  auto t = TestTokenizer();
  const std::vector<int32_t> ids =
      t->Encode("<｜User｜>hello<think>x<｜end▁of▁sentence｜>", true, true);
  for (bool skip : {false, true}) {
    IncrementalDecoder d(*t, skip);
    std::string joined;
    for (int32_t id : ids) joined += d.Push(id);
    joined += d.Finish();
    EXPECT_EQ(joined, t->Decode(ids, skip));
  }
  IncrementalDecoder d(*t, true);
  EXPECT_EQ(d.Push(TestTokenId("<｜User｜>")), "");
  EXPECT_EQ(d.Push(TestTokenId("<think>")), "<think>");
}

TEST(IncrementalDecoderTest, FinishReturnsAnUnfinishedCharacterAndResets) {
  auto t = TestTokenizer();
  IncrementalDecoder d(*t, false);
  EXPECT_EQ(d.Push(0xE4), "");
  EXPECT_EQ(d.pending_bytes(), 1u);
  EXPECT_EQ(d.Finish(), "\xe4");
  EXPECT_EQ(d.pending_bytes(), 0u);
  EXPECT_EQ(d.Push('o'), "o");
}

TEST(IncrementalDecoderTest, PassesInvalidBytesThroughImmediately) {
  auto t = TestTokenizer();
  IncrementalDecoder d(*t, false);
  EXPECT_EQ(d.Push(0xE4), "");
  EXPECT_EQ(d.Push('x'), "\xe4x");  // the lead byte can no longer complete
  EXPECT_EQ(d.Push(0xFF), "\xff");
}

}  // namespace
}  // namespace dsinfer::tokenizer
