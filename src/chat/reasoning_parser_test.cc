// ReasoningParser: think blocks split off streamed output, with tags split across every
// possible delta boundary giving the same result as the whole text at once.
#include "chat/reasoning_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dsinfer::chat {
namespace {

struct Split {
  std::string reasoning;
  std::string content;
  std::vector<ReasoningDelta> deltas;
};

Split RunParser(const std::string& text, const std::vector<size_t>& cuts, bool forced_open) {
  ReasoningParser::Options options;
  options.starts_in_reasoning = forced_open;
  ReasoningParser parser(options);
  Split result;
  size_t start = 0;
  std::vector<size_t> bounds = cuts;
  bounds.push_back(text.size());
  for (size_t end : bounds) {
    result.deltas.push_back(parser.Feed(std::string_view(text).substr(start, end - start)));
    start = end;
  }
  result.deltas.push_back(parser.Finish());
  for (const ReasoningDelta& d : result.deltas) {
    result.reasoning += d.reasoning;
    result.content += d.content;
  }
  return result;
}

// Checks `text` gives (reasoning, content) whole, split once at every byte, split twice at
// every pair of bytes, and fed one byte at a time; with `no_angle_in_deltas` also that no delta
// ever shows a '<' (every '<' of the input belongs to a tag).
void ExpectEverySplit(const std::string& text, bool forced_open, const std::string& reasoning,
                      const std::string& content, bool no_angle_in_deltas) {
  std::vector<std::vector<size_t>> splits = {{}};
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < text.size(); ++i) {
    splits.push_back({i});
    bytewise.push_back(i);
    for (size_t j = i + 1; j < text.size(); ++j) splits.push_back({i, j});
  }
  splits.push_back(bytewise);
  for (const auto& cuts : splits) {
    Split r = RunParser(text, cuts, forced_open);
    std::string where = "cuts:";
    for (size_t c : cuts) where += std::string(1, ' ') += std::to_string(c);
    ASSERT_EQ(r.reasoning, reasoning) << where;
    ASSERT_EQ(r.content, content) << where;
    if (no_angle_in_deltas) {
      for (const ReasoningDelta& d : r.deltas) {
        ASSERT_EQ(d.reasoning.find('<'), std::string::npos)
            << where << " reasoning delta: " << d.reasoning;
        ASSERT_EQ(d.content.find('<'), std::string::npos)
            << where << " content delta: " << d.content;
      }
    }
  }
}

TEST(ReasoningParserTest, ThinkBlockThenAnswer) {
  ExpectEverySplit("<think>\nLet me think.\n</think>\n\nThe answer.", false, "Let me think.",
                   "The answer.", true);
}

TEST(ReasoningParserTest, PromptOpenedThinkBlock) {
  ExpectEverySplit("Okay, 2+2 is 4.\n</think>\n\n**4**", true, "Okay, 2+2 is 4.", "**4**", true);
}

TEST(ReasoningParserTest, PromptOpenedBlockToleratesARepeatedOpenTag) {
  ExpectEverySplit("<think>\nR</think>A", true, "R", "A", true);
}

TEST(ReasoningParserTest, UnterminatedThinkIsAllReasoning) {
  ExpectEverySplit("<think>still thinking about it", false, "still thinking about it", "", true);
  ExpectEverySplit("thinking forever </thin", true, "thinking forever </thin", "", false);
}

TEST(ReasoningParserTest, NoThinkBlockIsAllContent) {
  ExpectEverySplit("Just an answer; a later <think> is text.", false, "",
                   "Just an answer; a later <think> is text.", false);
  ExpectEverySplit("\n\nHello", false, "", "\n\nHello", true);
  ExpectEverySplit("<thi", false, "", "<thi", false);
}

TEST(ReasoningParserTest, EmptyThinkBlock) {
  ExpectEverySplit("<think></think>Answer", false, "", "Answer", true);
  ExpectEverySplit("  <think>\n\n</think>\n", false, "", "", true);
}

TEST(ReasoningParserTest, InnerWhitespaceOfReasoningIsKept) {
  ExpectEverySplit("<think> a \n\n b </think>c  d ", false, "a \n\n b", "c  d ", true);
}

TEST(ReasoningParserTest, MultiByteTextSplitInsideCharacters) {
  ExpectEverySplit("<think>思考 😀</think>答案：四", false, "思考 😀", "答案：四", true);
}

TEST(ReasoningParserTest, PromptOpensReasoning) {
  EXPECT_TRUE(ReasoningParser::PromptOpensReasoning("<｜User｜>hi<｜Assistant｜><think>\n"));
  EXPECT_FALSE(ReasoningParser::PromptOpensReasoning("<｜Assistant｜><think>\n</think>"));
  EXPECT_FALSE(ReasoningParser::PromptOpensReasoning("<｜Assistant｜><think></think>"));
  EXPECT_TRUE(ReasoningParser::PromptOpensReasoning("<think></think>x<｜Assistant｜><think>"));
  EXPECT_FALSE(ReasoningParser::PromptOpensReasoning("<｜User｜>hi<｜Assistant｜>"));
}

TEST(ReasoningParserTest, RandomBytesNeverCrashAndSplitsAgree) {
  uint32_t state = 7;
  const auto next = [&] { return state = state * 1103515245u + 12345u; };
  const std::vector<std::string> pieces = {"<think>", "</think>", "<", "/", "think",    ">",
                                           " ",       "\n",       "x", "é", "\xF0\x9F", "\xFF"};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    int n = static_cast<int>(next() % 12);
    for (int i = 0; i < n; ++i) {
      text += (next() >> 16) % 3 == 0 ? std::string(1, static_cast<char>(next() >> 8))
                                      : pieces[(next() >> 16) % pieces.size()];
    }
    bool forced = (next() >> 20) % 2 == 0;
    Split whole = RunParser(text, {}, forced);
    std::vector<size_t> cuts;
    for (size_t i = 1; i < text.size(); ++i) {
      if ((next() >> 16) % 3 == 0) cuts.push_back(i);
    }
    Split pieces_run = RunParser(text, cuts, forced);
    ASSERT_EQ(pieces_run.reasoning, whole.reasoning) << text;
    ASSERT_EQ(pieces_run.content, whole.content) << text;
  }
}

}  // namespace
}  // namespace dsinfer::chat
