#include "tokenizer/pretokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace dsinfer::tokenizer {
namespace {

using Strings = std::vector<std::string>;

Pretokenizer Named(const std::string& name) {
  bool ignore_merges = false;
  bool add_bos = false;
  auto regexes = PretokenizerRegexes(name, &ignore_merges, &add_bos);
  EXPECT_TRUE(regexes.ok()) << regexes.status().message();
  auto p = Pretokenizer::Create(*regexes);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return std::move(p).value();
}

TEST(PretokenizerTest, EveryNamedListCompiles) {
  for (const char* name :
       {"deepseek-llm", "deepseek-coder", "deepseek-v3", "llama-bpe", "llama3", "llama-v3",
        "falcon3", "pixtral", "qwen2", "deepseek-r1-qwen", "default"}) {
    SCOPED_TRACE(name);
    bool ignore_merges = false;
    bool add_bos = false;
    auto regexes = PretokenizerRegexes(name, &ignore_merges, &add_bos);
    ASSERT_TRUE(regexes.ok());
    EXPECT_TRUE(Pretokenizer::Create(*regexes).ok());
  }
}

TEST(PretokenizerTest, RegexCountsAndFlagsFollowTheSpec) {
  bool ignore_merges = false;
  bool add_bos = false;
  EXPECT_EQ(PretokenizerRegexes("deepseek-llm", &ignore_merges, &add_bos)->size(), 6u);
  EXPECT_EQ(PretokenizerRegexes("deepseek-coder", &ignore_merges, &add_bos)->size(), 5u);
  EXPECT_EQ(PretokenizerRegexes("deepseek-v3", &ignore_merges, &add_bos)->size(), 3u);
  EXPECT_FALSE(ignore_merges);
  EXPECT_FALSE(add_bos);
  EXPECT_EQ(PretokenizerRegexes("llama3", &ignore_merges, &add_bos)->size(), 1u);
  EXPECT_TRUE(ignore_merges);
  EXPECT_TRUE(add_bos);
}

TEST(PretokenizerTest, UnknownNameIsAnErrorNamingIt) {
  bool ignore_merges = false;
  bool add_bos = false;
  auto r = PretokenizerRegexes("gpt-17", &ignore_merges, &add_bos);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'gpt-17'"), std::string::npos);
}

TEST(PretokenizerTest, BadRegexIsAnErrorNamingIt) {
  auto p = Pretokenizer::Create({"(unclosed"});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("(unclosed"), std::string::npos);
}

TEST(PretokenizerTest, DeepseekV3SplitsWordsDigitsAndCjk) {
  const Pretokenizer p = Named("deepseek-v3");
  EXPECT_EQ(p.SplitToStrings("Hello world"), (Strings{"Hello", " world"}));
  EXPECT_EQ(p.SplitToStrings("1234567"), (Strings{"123", "456", "7"}));
  EXPECT_EQ(p.SplitToStrings("a   b"), (Strings{"a", "  ", " b"}));
  EXPECT_EQ(p.SplitToStrings("x\n\n  y"), (Strings{"x", "\n\n", " ", " y"}));
  EXPECT_EQ(p.SplitToStrings("中文abc"), (Strings{"中文", "abc"}));
  EXPECT_EQ(p.SplitToStrings(".hidden"), (Strings{".hidden"}));
}

TEST(PretokenizerTest, DeepseekV3TreatsTildeAsSymbolLikeHuggingFace) {
  // Unicode puts '~' in Sm (\p{S}), so " ~" is one punctuation run, as in HF tokenizers
  // (llama.cpp instead splits " " and "~hello"; see golden disagreements.json).
  const Pretokenizer p = Named("deepseek-v3");
  EXPECT_EQ(p.SplitToStrings("b ~hello"), (Strings{"b", " ~", "hello"}));
}

TEST(PretokenizerTest, DeepseekLlmSplitsNewlinesThenWordsThenTrailingSpace) {
  const Pretokenizer p = Named("deepseek-llm");
  EXPECT_EQ(p.SplitToStrings("a \n"), (Strings{"a", " ", "\n"}));
  EXPECT_EQ(p.SplitToStrings("ab  "), (Strings{"ab", "  "}));
}

TEST(PretokenizerTest, DollarMatchesOnlyAtThePieceEnd) {
  // Perl's $ would also match before a final newline.
  auto p = Pretokenizer::Create({"[ ]+$"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->SplitToStrings("a \n"), (Strings{"a \n"}));
  EXPECT_EQ(p->SplitToStrings("a  "), (Strings{"a", "  "}));
}

TEST(PretokenizerTest, EmptyTextHasNoPieces) {
  EXPECT_TRUE(Named("deepseek-v3").SplitToStrings("").empty());
}

TEST(PretokenizerTest, InvalidUtf8IsKeptAsUnmatchedPieces) {
  const Pretokenizer p = Named("deepseek-v3");
  const std::string text =
      "ab\xff\xfe"
      "cd\xc3";
  std::string joined;
  for (const auto& s : p.SplitToStrings(text)) joined += s;
  EXPECT_EQ(joined, text);
}

TEST(PretokenizerTest, PiecesCoverRandomBytesExactly) {
  std::mt19937 rng(7);
  const char alphabet[] = "ab Z9\n\t~.,'\xe4\xb8\xad\xc3\xa9\xff";
  for (const char* name : {"deepseek-llm", "deepseek-coder", "deepseek-v3", "llama3", "qwen2"}) {
    const Pretokenizer p = Named(name);
    for (int trial = 0; trial < 200; ++trial) {
      std::string text;
      const int len = static_cast<int>(rng() % 40);
      for (int i = 0; i < len; ++i) text.push_back(alphabet[rng() % (sizeof(alphabet) - 1)]);
      std::vector<PreToken> pieces;
      p.Split(text, &pieces);
      size_t at = 0;
      for (const PreToken& piece : pieces) {
        ASSERT_EQ(piece.offset, at) << name;
        ASSERT_GT(piece.length, 0u) << name;
        at += piece.length;
      }
      ASSERT_EQ(at, text.size()) << name;
    }
  }
}

}  // namespace
}  // namespace dsinfer::tokenizer
