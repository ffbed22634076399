// Prompt generation: deterministic in (seed, index), exact token length under a tokenizer whose
// costs add up over words, shared prefixes, and the grow/trim loop for one whose costs do not.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "loadtest/prompt_generator.h"

namespace dsinfer::loadtest {
namespace {

// A stand-in tokenizer: a word of n letters costs 1 + n / 5 tokens (so costs vary), a whole
// prompt adds `head` tokens (BOS / template). With `bias`, whole prompts of more than 20 words
// cost one token more than the sum, as a tokenizer that merges across words would.
class FakeCounter : public TokenCounter {
 public:
  explicit FakeCounter(int64_t head, bool bias = false) : head_(head), bias_(bias) {}
  Expected<int64_t> CountPrompt(const std::string& text) override {
    ++calls;
    const int64_t words = Words(text);
    return head_ + Cost(text) + (bias_ && words > 20 ? 1 : 0);
  }
  Expected<int64_t> CountFragment(const std::string& fragment) override {
    ++calls;
    return Cost(fragment);
  }
  static int64_t Words(const std::string& text) {
    std::istringstream in(text);
    std::string w;
    int64_t n = 0;
    while (in >> w) ++n;
    return n;
  }
  static int64_t Cost(const std::string& text) {
    std::istringstream in(text);
    std::string w;
    int64_t n = 0;
    while (in >> w) n += 1 + static_cast<int64_t>(w.size()) / 5;
    return n;
  }
  int calls = 0;

 private:
  int64_t head_;
  bool bias_;
};

TEST(PromptGeneratorTest, SameSeedAndIndexGiveTheSamePrompt) {
  FakeCounter a(3), b(3);
  auto g1 = PromptGenerator::Create(&a, 100, 0, 42);
  auto g2 = PromptGenerator::Create(&b, 100, 0, 42);
  ASSERT_TRUE(g1.ok() && g2.ok());
  for (uint64_t i = 0; i < 20; ++i) EXPECT_EQ(g1->Generate(i).text, g2->Generate(i).text);
}

TEST(PromptGeneratorTest, PromptsDifferByIndexAndSeed) {
  FakeCounter c(3);
  auto g = PromptGenerator::Create(&c, 64, 0, 1);
  auto h = PromptGenerator::Create(&c, 64, 0, 2);
  ASSERT_TRUE(g.ok() && h.ok());
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 50; ++i) seen.insert(g->Generate(i).text);
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_NE(g->Generate(0).text, h->Generate(0).text);
}

TEST(PromptGeneratorTest, GoldenTextIsStableAcrossBuilds) {
  // SplitMix64 and the word list fix the text; a change here changes every benchmark's prompts.
  auto g = PromptGenerator::Create(nullptr, 8, 0, 0);
  ASSERT_TRUE(g.ok());
  const GeneratedPrompt p = g->Generate(0);
  EXPECT_EQ(p.tokens, 8);
  EXPECT_EQ(FakeCounter::Words(p.text), 7);  // the lead word counts 2 (with BOS) when approximating
  EXPECT_EQ(p.text.rfind("Once ", 0), 0u);
  EXPECT_EQ(p.text, g->Generate(0).text);
}

TEST(PromptGeneratorTest, ExactLengthForManyTargets) {
  FakeCounter c(5);
  for (int64_t target : {6, 7, 8, 16, 33, 128, 1000}) {
    auto g = PromptGenerator::Create(&c, target, 0, 7);
    ASSERT_TRUE(g.ok()) << target;
    for (uint64_t i = 0; i < 10; ++i) {
      const GeneratedPrompt p = g->Generate(i);
      EXPECT_EQ(p.tokens, target);
      EXPECT_EQ(*c.CountPrompt(p.text), target)
          << "target " << target << " index " << i << ": " << p.text;
    }
  }
}

TEST(PromptGeneratorTest, MeasuresEachWordOnceNotEachPrompt) {
  FakeCounter c(2);
  auto g = PromptGenerator::Create(&c, 256, 0, 3);
  ASSERT_TRUE(g.ok());
  const int after_create = c.calls;
  for (uint64_t i = 0; i < 100; ++i) g->Generate(i);
  EXPECT_EQ(c.calls, after_create);
}

TEST(PromptGeneratorTest, SharedPrefixStartsEveryPrompt) {
  FakeCounter c(4);
  auto g = PromptGenerator::Create(&c, 200, 120, 9);
  ASSERT_TRUE(g.ok());
  const std::string& prefix = g->shared_prefix();
  EXPECT_EQ(*c.CountPrompt(prefix), 120);
  std::set<std::string> tails;
  for (uint64_t i = 0; i < 10; ++i) {
    const GeneratedPrompt p = g->Generate(i);
    EXPECT_EQ(p.text.compare(0, prefix.size(), prefix), 0);
    EXPECT_EQ(*c.CountPrompt(p.text), 200);
    tails.insert(p.text.substr(prefix.size()));
  }
  EXPECT_EQ(tails.size(), 10u);
}

TEST(PromptGeneratorTest, TooShortForTheTemplateIsAnError) {
  FakeCounter c(10);
  auto g = PromptGenerator::Create(&c, 5, 0, 0);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("--prompt-tokens 5"), std::string::npos);
}

TEST(PromptGeneratorTest, GenerateExactGrowsOrTrimsUntilTheServerAgrees) {
  FakeCounter c(3, /*bias=*/true);
  auto g = PromptGenerator::Create(&c, 100, 0, 11);
  ASSERT_TRUE(g.ok());
  for (uint64_t i = 0; i < 5; ++i) {
    EXPECT_NE(*c.CountPrompt(g->Generate(i).text), 100);  // the additive model is off by one
    auto exact = g->GenerateExact(i, &c);
    ASSERT_TRUE(exact.ok());
    EXPECT_EQ(exact->tokens, 100);
    EXPECT_EQ(*c.CountPrompt(exact->text), 100);
    EXPECT_EQ(exact->text, g->GenerateExact(i, &c)->text);  // still deterministic
  }
}

TEST(PromptGeneratorTest, GenerateExactKeepsAnAdditivePromptAsIs) {
  FakeCounter c(3);
  auto g = PromptGenerator::Create(&c, 77, 0, 5);
  ASSERT_TRUE(g.ok());
  auto exact = g->GenerateExact(4, &c);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->text, g->Generate(4).text);
}

}  // namespace
}  // namespace dsinfer::loadtest
