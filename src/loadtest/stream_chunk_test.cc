// OpenAI stream events: output detection for chat and completions, usage, errors, [DONE] and
// malformed events.
#include <gtest/gtest.h>

#include "loadtest/stream_chunk.h"

namespace dsinfer::loadtest {
namespace {

StreamChunk Parse(std::string_view data) {
  auto c = ParseStreamChunk(data);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : StreamChunk{};
}

TEST(StreamChunkTest, Done) { EXPECT_TRUE(Parse("[DONE]").done); }

TEST(StreamChunkTest, ChatContentIsOutputButRoleOnlyIsNot) {
  EXPECT_TRUE(Parse(R"({"choices":[{"index":0,"delta":{"content":"Hi"}}]})").has_output);
  EXPECT_FALSE(
      Parse(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})").has_output);
  EXPECT_FALSE(Parse(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})").has_output);
  EXPECT_TRUE(Parse(R"({"choices":[{"delta":{"reasoning_content":"hmm"}}]})").has_output);
  EXPECT_TRUE(Parse(R"({"choices":[{"delta":{"reasoning":"hmm"}}]})").has_output);
  EXPECT_TRUE(Parse(R"({"choices":[{"delta":{"tool_calls":[{"index":0}]}}]})").has_output);
}

TEST(StreamChunkTest, CompletionTextIsOutput) {
  EXPECT_TRUE(
      Parse(R"({"object":"text_completion","choices":[{"index":0,"text":" upon"}]})").has_output);
  EXPECT_FALSE(Parse(R"({"choices":[{"index":0,"text":"","finish_reason":"length"}]})").has_output);
}

TEST(StreamChunkTest, UsageChunk) {
  StreamChunk c = Parse(
      R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}})");
  ASSERT_TRUE(c.usage.has_value());
  EXPECT_EQ(c.usage->prompt_tokens, 12);
  EXPECT_EQ(c.usage->completion_tokens, 34);
  EXPECT_FALSE(c.has_output);
  EXPECT_FALSE(Parse(R"({"choices":[{"delta":{"content":"x"}}],"usage":null})").usage.has_value());
}

TEST(StreamChunkTest, ErrorEvent) {
  EXPECT_EQ(Parse(R"({"error":{"message":"generation failed: boom","type":"server_error"}})").error,
            "generation failed: boom");
  EXPECT_FALSE(Parse(R"({"error":"plain"})").error.empty());
}

TEST(StreamChunkTest, MalformedEvents) {
  for (std::string_view bad :
       {"not json", "{\"choices\":", "[1,2]", "{\"id\":\"x\"}", "{\"choices\":{}}",
        R"({"choices":[],"usage":{"prompt_tokens":"7","completion_tokens":1}})"}) {
    auto c = ParseStreamChunk(bad);
    EXPECT_FALSE(c.ok()) << bad;
  }
  auto c = ParseStreamChunk("garbage that is long enough to be quoted in the message");
  EXPECT_NE(c.status().message().find("'garbage"), std::string::npos) << c.status().message();
}

}  // namespace
}  // namespace dsinfer::loadtest
