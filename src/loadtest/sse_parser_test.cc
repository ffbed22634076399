// SSE parsing: events survive being split at every byte boundary; CR, LF and CRLF line ends;
// multi-line data; comments and other fields; limits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loadtest/sse_parser.h"

namespace dsinfer::loadtest {
namespace {

std::vector<std::string> ParseAll(const std::vector<std::string_view>& pieces,
                                  bool* partial = nullptr) {
  SseParser p;
  std::vector<std::string> events;
  for (auto piece : pieces) EXPECT_TRUE(p.Feed(piece, &events).ok());
  if (partial) *partial = p.has_partial_event();
  return events;
}

// What an OpenAI-compatible server sends: JSON chunks, a usage chunk, [DONE].
const std::string kStream =
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
    ": keep-alive comment\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"lo \\u00e9\\n\"}}]}\r\n\r\n"
    "event: message\nid: 7\nretry: "
    "100\ndata:{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\r\r"
    "data: [DONE]\n\n";

const std::vector<std::string> kExpected = {
    "{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"lo \\u00e9\\n\"}}]}",
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}",
    "[DONE]",
};

TEST(SseParserTest, WholeStreamAtOnce) {
  bool partial = true;
  EXPECT_EQ(ParseAll({kStream}, &partial), kExpected);
  EXPECT_FALSE(partial);
}

TEST(SseParserTest, EverySplitPointGivesTheSameEvents) {
  for (size_t a = 0; a <= kStream.size(); ++a) {
    std::string_view s(kStream);
    EXPECT_EQ(ParseAll({s.substr(0, a), s.substr(a)}), kExpected) << "split at " << a;
  }
}

TEST(SseParserTest, EveryTwoSplitPointsGiveTheSameEvents) {
  std::string_view s(kStream);
  for (size_t a = 0; a <= s.size(); a += 3) {
    for (size_t b = a; b <= s.size(); b += 5) {
      EXPECT_EQ(ParseAll({s.substr(0, a), s.substr(a, b - a), s.substr(b)}), kExpected)
          << a << "," << b;
    }
  }
}

TEST(SseParserTest, OneByteAtATime) {
  SseParser p;
  std::vector<std::string> events;
  for (char c : kStream) ASSERT_TRUE(p.Feed(std::string_view(&c, 1), &events).ok());
  EXPECT_EQ(events, kExpected);
}

TEST(SseParserTest, CrLfSplitBetweenCrAndLfIsOneLineEnd) {
  // "\r" at the end of one piece and "\n" at the start of the next must not make a blank line.
  EXPECT_EQ(ParseAll({"data: a\r", "\ndata: b\r", "\n\r", "\n"}), std::vector<std::string>{"a\nb"});
}

TEST(SseParserTest, MultiLineDataIsJoinedWithNewlines) {
  EXPECT_EQ(ParseAll({"data: line one\ndata:line two\ndata\n\n"}),
            std::vector<std::string>{"line one\nline two\n"});
}

TEST(SseParserTest, OnlyOneSpaceAfterTheColonIsRemoved) {
  EXPECT_EQ(ParseAll({"data:  two spaces\n\n"}), std::vector<std::string>{" two spaces"});
}

TEST(SseParserTest, BlankLinesWithoutDataDispatchNothing) {
  EXPECT_TRUE(ParseAll({"\n\n: comment\n\nevent: ping\n\n"}).empty());
}

TEST(SseParserTest, UnterminatedEventIsPartial) {
  bool partial = false;
  EXPECT_TRUE(ParseAll({"data: {\"choices\":[]}\n"}, &partial).empty());
  EXPECT_TRUE(partial);
  EXPECT_TRUE(ParseAll({"data: {\"cho"}, &partial).empty());
  EXPECT_TRUE(partial);
}

TEST(SseParserTest, OverlongLineIsAnError) {
  SseParser p(16);
  std::vector<std::string> events;
  EXPECT_TRUE(p.Feed("data: 0123456789", &events).ok());
  EXPECT_FALSE(p.Feed("abcdef", &events).ok());
}

TEST(SseParserTest, OverlongEventIsAnError) {
  SseParser p(16);
  std::vector<std::string> events;
  EXPECT_FALSE(p.Feed("data: 0123456789\ndata: 0123456789\n\n", &events).ok());
}

}  // namespace
}  // namespace dsinfer::loadtest
