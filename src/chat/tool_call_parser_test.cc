// ToolCallParser and ChatOutputParser: DeepSeek V3/R1 and V3.1 tool-call blocks from streamed
// output, split at every possible delta boundary, plus malformed and random input.
#include "chat/tool_call_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "chat/output_parser.h"

namespace dsinfer::chat {
namespace {

struct Parsed {
  std::string content;
  std::vector<ToolCall> calls;
  std::vector<std::string> content_deltas;
};

Parsed RunParser(const std::string& text, const std::vector<size_t>& cuts) {
  ToolCallParser parser;
  Parsed result;
  const auto take = [&](ToolCallDelta d) {
    result.content += d.content;
    result.content_deltas.push_back(d.content);
    for (ToolCall& c : d.tool_calls) result.calls.push_back(std::move(c));
  };
  size_t start = 0;
  std::vector<size_t> bounds = cuts;
  bounds.push_back(text.size());
  for (size_t end : bounds) {
    take(parser.Feed(std::string_view(text).substr(start, end - start)));
    start = end;
  }
  take(parser.Finish());
  return result;
}

std::string Describe(const std::vector<ToolCall>& calls) {
  std::string out;
  for (const ToolCall& c : calls) {
    out += c.id + " " + c.type + " " + c.name + " " + c.arguments.as_string() + "\n";
  }
  return out;
}

// The whole text, every single split, every pair of splits (when short enough) and byte-wise
// feeding all give `content` and `calls`; content deltas never contain a '<' when the input's
// only '<' are in markers.
void ExpectEverySplit(const std::string& text, const std::string& content, const std::string& calls,
                      bool no_angle_in_deltas) {
  std::vector<std::vector<size_t>> splits = {{}};
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < text.size(); ++i) {
    splits.push_back({i});
    bytewise.push_back(i);
    if (text.size() <= 200) {
      for (size_t j = i + 1; j < text.size(); j += 3) splits.push_back({i, j});
    }
  }
  splits.push_back(bytewise);
  for (const auto& cuts : splits) {
    Parsed r = RunParser(text, cuts);
    std::string where = "cuts:";
    for (size_t c : cuts) where += std::string(1, ' ') += std::to_string(c);
    ASSERT_EQ(r.content, content) << where;
    ASSERT_EQ(Describe(r.calls), calls) << where;
    if (no_angle_in_deltas) {
      for (const std::string& d : r.content_deltas) {
        ASSERT_EQ(d.find('<'), std::string::npos) << where << " delta: " << d;
      }
    }
  }
}

const std::string kV3Call =
    "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Paris\"}\n```"
    "<｜tool▁call▁end｜>";

TEST(ToolCallParserTest, DeepSeekV3SingleCallAfterContent) {
  ExpectEverySplit(
      "Let me check." + std::string(kToolCallsBegin) + kV3Call + std::string(kToolCallsEnd),
      "Let me check.", "call_0 function get_weather {\"city\":\"Paris\"}\n", true);
}

TEST(ToolCallParserTest, DeepSeekV3SeveralCallsSeparatedByNewlines) {
  std::string text =
      std::string(kToolCallsBegin) + kV3Call + "\n" +
      "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n{\"tz\": \"Asia/Tokyo\"}\n```"
      "<｜tool▁call▁end｜>" +
      std::string(kToolCallsEnd);
  ExpectEverySplit(text, "",
                   "call_0 function get_weather {\"city\":\"Paris\"}\n"
                   "call_1 function get_time {\"tz\":\"Asia/Tokyo\"}\n",
                   true);
}

TEST(ToolCallParserTest, DeepSeekV31Calls) {
  std::string text =
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Tokyo\"}"
      "<｜tool▁call▁end｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{\"tz\": \"Asia/Tokyo\"}"
      "<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
  ExpectEverySplit(text, "",
                   "call_0 function get_weather {\"city\":\"Tokyo\"}\n"
                   "call_1 function get_time {\"tz\":\"Asia/Tokyo\"}\n",
                   true);
}

TEST(ToolCallParserTest, NestedJsonAndUnicodeArguments) {
  std::string args =
      "{\n  \"query\": {\"text\": \"天气 😀 \\\"quoted\\\"\", \"filters\": [{\"k\": \"v\"}, [1, 2, "
      "{\"deep\": null}]]},\n  \"n\": 1.5e3, \"ok\": true\n}";
  std::string text = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>search<｜tool▁sep｜>" + args +
                     "<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
  ExpectEverySplit(text, "",
                   "call_0 function search {\"query\":{\"text\":\"天气 😀 \\\"quoted\\\"\","
                   "\"filters\":[{\"k\":\"v\"},[1,2,{\"deep\":null}]]},\"n\":1500.0,\"ok\":true}\n",
                   true);
}

TEST(ToolCallParserTest, TextAfterTheBlockIsContentAndIdsContinue) {
  std::string block = std::string(kToolCallsBegin) + kV3Call + std::string(kToolCallsEnd);
  ExpectEverySplit("a" + block + "b" + block + "c", "abc",
                   "call_0 function get_weather {\"city\":\"Paris\"}\n"
                   "call_1 function get_weather {\"city\":\"Paris\"}\n",
                   true);
}

TEST(ToolCallParserTest, BlockWithoutOuterBeginMarker) {
  ExpectEverySplit(kV3Call, "", "call_0 function get_weather {\"city\":\"Paris\"}\n", true);
}

TEST(ToolCallParserTest, MalformedBlocksDegradeToContent) {
  const std::string begin(kToolCallsBegin);
  // Invalid JSON, missing separator, stray text, unterminated call, unterminated block.
  for (const std::string& text : {
           begin + "<｜tool▁call▁begin｜>f<｜tool▁sep｜>{not "
                   "json}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
           begin + "<｜tool▁call▁begin｜>no separator here<｜tool▁call▁end｜>",
           begin + "stray text<｜tool▁calls▁end｜>",
           begin + "<｜tool▁call▁begin｜>f<｜tool▁sep｜>{\"a\": 1}",
           begin,
           std::string("text <｜tool▁call"),
           begin + "<｜tool▁call▁begin｜><｜tool▁sep｜>{}<｜tool▁call▁end｜>",
       }) {
    SCOPED_TRACE(text);
    ExpectEverySplit(text, text, "", false);
  }
}

TEST(ToolCallParserTest, ValidCallAfterABrokenOneStillParses) {
  std::string text =
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>broken" + kV3Call + "<｜tool▁calls▁end｜>";
  ExpectEverySplit(text, "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>broken",
                   "call_0 function get_weather {\"city\":\"Paris\"}\n", false);
}

TEST(ToolCallParserTest, PlainTextWithAngleBracketsPassesThrough) {
  ExpectEverySplit("a < b and <｜User｜> and <tag>", "a < b and <｜User｜> and <tag>", "", false);
}

TEST(ToolCallParserTest, RandomBytesNeverCrashAndSplitsAgree) {
  uint32_t state = 99;
  const auto next = [&] { return state = state * 1664525u + 1013904223u; };
  const std::vector<std::string> pieces = {std::string(kToolCallsBegin),
                                           std::string(kToolCallsEnd),
                                           std::string(kToolCallBegin),
                                           std::string(kToolCallEnd),
                                           std::string(kToolSeparator),
                                           "function",
                                           "f",
                                           "\n",
                                           "```json",
                                           "```",
                                           "{\"a\": 1}",
                                           "{",
                                           "}",
                                           "\"",
                                           "<｜",
                                           "<",
                                           "\xEF\xBD",
                                           " ",
                                           "\xFF"};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int n = static_cast<int>(next() % 14);
    for (int i = 0; i < n; ++i) {
      text += (next() >> 16) % 4 == 0 ? std::string(1, static_cast<char>(next() >> 8))
                                      : pieces[(next() >> 16) % pieces.size()];
    }
    Parsed whole = RunParser(text, {});
    std::vector<size_t> cuts;
    for (size_t i = 1; i < text.size(); ++i) {
      if ((next() >> 16) % 4 == 0) cuts.push_back(i);
    }
    Parsed split = RunParser(text, cuts);
    ASSERT_EQ(split.content, whole.content) << text;
    ASSERT_EQ(Describe(split.calls), Describe(whole.calls)) << text;
    if (whole.calls.empty()) {
      ASSERT_EQ(whole.content, text);
    }
  }
}

TEST(ChatOutputParserTest, ReasoningThenToolCallsStreamedByteByByte) {
  std::string text = "Need the weather.\n</think>\n\nChecking." + std::string(kToolCallsBegin) +
                     kV3Call + std::string(kToolCallsEnd);
  ChatOutputParser::Options options;
  options.starts_in_reasoning = true;
  ChatOutputParser parser(options);
  OutputDelta total;
  const auto add = [&](OutputDelta d) {
    EXPECT_EQ(d.content.find('<'), std::string::npos) << d.content;
    total.reasoning += d.reasoning;
    total.content += d.content;
    for (ToolCall& c : d.tool_calls) total.tool_calls.push_back(std::move(c));
  };
  for (char c : text) add(parser.Feed(std::string(1, c)));
  add(parser.Finish());
  EXPECT_EQ(total.reasoning, "Need the weather.");
  EXPECT_EQ(total.content, "Checking.");
  ASSERT_EQ(total.tool_calls.size(), 1u);
  EXPECT_EQ(total.tool_calls[0].name, "get_weather");
  EXPECT_EQ(total.tool_calls[0].arguments.as_string(), "{\"city\":\"Paris\"}");
}

TEST(ChatOutputParserTest, StagesCanBeTurnedOff) {
  ChatOutputParser::Options options;
  options.parse_reasoning = false;
  options.parse_tool_calls = false;
  ChatOutputParser parser(options);
  std::string text = "<think>x</think>" + std::string(kToolCallsBegin);
  OutputDelta d = parser.Feed(text);
  OutputDelta end = parser.Finish();
  EXPECT_EQ(d.content + end.content, text);
  EXPECT_TRUE(end.empty());
}

}  // namespace
}  // namespace dsinfer::chat
