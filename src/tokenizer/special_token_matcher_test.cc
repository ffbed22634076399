#include "tokenizer/special_token_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dsinfer::tokenizer {
namespace {

// "[id]" for tokens and the raw text otherwise, concatenated.
std::string Render(const SpecialTokenMatcher& m, const std::string& text, bool parse_special) {
  std::vector<SpecialTokenMatcher::Fragment> fragments;
  m.Partition(text, parse_special, &fragments);
  std::string out;
  for (const auto& f : fragments) {
    if (f.token >= 0) {
      out.append("[").append(std::to_string(f.token)).append("]");
    } else {
      out.append("(").append(text, f.offset, f.length).append(")");
    }
  }
  return out;
}

TEST(SpecialTokenMatcherTest, SplitsEveryOccurrence) {
  SpecialTokenMatcher m({{7, "<U>", false}});
  EXPECT_EQ(Render(m, "a<U>b<U><U>", true), "(a)[7](b)[7][7]");
  EXPECT_EQ(Render(m, "<U>", true), "[7]");
  EXPECT_EQ(Render(m, "no tokens", true), "(no tokens)");
  EXPECT_EQ(Render(m, "", true), "");
}

TEST(SpecialTokenMatcherTest, ControlTokensOnlyWithParseSpecialUserDefinedAlways) {
  SpecialTokenMatcher m({{1, "<C>", false}, {2, "<think>", true}});
  EXPECT_EQ(Render(m, "<C><think>x", true), "[1][2](x)");
  EXPECT_EQ(Render(m, "<C><think>x", false), "(<C>)[2](x)");
}

TEST(SpecialTokenMatcherTest, LongerTokensClaimFirstAsInLlamaCpp) {
  // llama.cpp takes "ABCD" (longer) before "XAB", although "XAB" starts earlier.
  SpecialTokenMatcher m({{1, "XAB", false}, {2, "ABCD", false}});
  EXPECT_EQ(Render(m, "XABCD", true), "(X)[2]");
  EXPECT_EQ(Render(m, "XABXABCD", true), "[1](X)[2]");
}

TEST(SpecialTokenMatcherTest, PrefixTokensAndSelfOverlap) {
  SpecialTokenMatcher m({{1, "<a>", false}, {2, "<a>>", false}, {3, "aa", false}});
  EXPECT_EQ(Render(m, "<a>><a>", true), "[2][1]");
  EXPECT_EQ(Render(m, "aaa", true), "[3](a)");
}

}  // namespace
}  // namespace dsinfer::tokenizer
