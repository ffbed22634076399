// Native results -> JSON: the OpenAI error object, completion bodies and stream chunks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api_error.h"
#include "server/chat_completion_json.h"
#include "server/completion_json.h"
#include "server/utility_api_json.h"

namespace dsinfer::server {
namespace {

using Json = nlohmann::json;

TEST(ApiErrorTest, BodyIsTheOpenAiErrorObject) {
  const Json j = Json::parse(ApiError::InvalidRequest("n: must be in [1, 8]", "n").ToJson());
  ASSERT_TRUE(j.contains("error"));
  EXPECT_EQ(j["error"]["message"], "n: must be in [1, 8]");
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_EQ(j["error"]["param"], "n");
  EXPECT_EQ(j["error"]["code"], "invalid_value");
  const Json internal = Json::parse(ApiError::Internal("boom").ToJson());
  EXPECT_TRUE(internal["error"]["param"].is_null());
  EXPECT_EQ(internal["error"].size(), 4u);
}

TEST(ApiErrorTest, StatusesAndCodes) {
  EXPECT_EQ(ApiError::Unauthorized("x").http_status, 401);
  EXPECT_EQ(ApiError::ModelNotFound("gpt").http_status, 404);
  EXPECT_EQ(ApiError::ModelNotFound("gpt").param, "model");
  EXPECT_EQ(ApiError::PayloadTooLarge(10).http_status, 413);
  const ApiError rl = ApiError::RateLimited(3);
  EXPECT_EQ(rl.http_status, 429);
  EXPECT_EQ(rl.retry_after_s.value_or(0), 3);
  EXPECT_EQ(ApiError::Unavailable("draining", "draining").http_status, 503);
}

TEST(ApiErrorTest, StatusMappingKeepsTheKindOfError) {
  ApiError e = ApiError::FromStatus(InvalidArgument("max_tokens: must be >= 1"));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.param, "max_tokens");
  EXPECT_EQ(ApiError::FromStatus(InvalidArgument("the prompt is empty")).param, "");
  EXPECT_EQ(ApiError::FromStatus(ResourceExhausted("queue full")).http_status, 429);
  EXPECT_EQ(ApiError::FromStatus(Internal("bug")).http_status, 500);
  EXPECT_EQ(ApiError::FromStatus(IoError("disk")).http_status, 500);
}

ResponseHeader Header() { return {"chatcmpl-1", 1700000000, "tiny"}; }

TEST(ChatResponseTest, CompletionBodyHasChoicesUsageReasoningAndToolCalls) {
  ChoiceOut c;
  c.index = 0;
  c.text = "";
  c.reasoning = "think";
  c.tool_calls.push_back({"call_0", "get_weather", "{\"city\":\"Paris\"}"});
  c.finish_reason = "tool_calls";
  c.logprobs = std::vector<TokenLogprobOut>{{"a", -0.5f, {{"a", -0.5f}, {"b", -1.0f}}}};
  UsageOut u{10, 5, 2};
  const Json j = Json::parse(ChatCompletionToJson(Header(), {c}, u));
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["id"], "chatcmpl-1");
  const Json& m = j["choices"][0]["message"];
  EXPECT_EQ(m["role"], "assistant");
  EXPECT_TRUE(m["content"].is_null()) << "content is null when only tool calls came back";
  EXPECT_EQ(m["reasoning_content"], "think");
  EXPECT_EQ(m["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(m["tool_calls"][0]["function"]["arguments"], "{\"city\":\"Paris\"}");
  EXPECT_EQ(m["tool_calls"][0]["type"], "function");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(j["choices"][0]["logprobs"]["content"][0]["top_logprobs"].size(), 2u);
  EXPECT_EQ(j["usage"]["total_tokens"], 15);
  EXPECT_EQ(j["usage"]["prompt_tokens_details"]["cached_tokens"], 2);
}

TEST(ChatResponseTest, ChunksCarryDeltasAndTheUsageChunkHasNoChoices) {
  ChoiceDelta d;
  d.index = 1;
  d.role = true;
  d.text = "Hel";
  Json j = Json::parse(ChatCompletionChunkToJson(Header(), {d}, std::nullopt));
  EXPECT_EQ(j["object"], "chat.completion.chunk");
  EXPECT_EQ(j["choices"][0]["index"], 1);
  EXPECT_EQ(j["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["delta"]["content"], "Hel");
  EXPECT_TRUE(j["choices"][0]["finish_reason"].is_null());
  ChoiceDelta t;
  t.tool_calls.push_back({"call_1", "f", "{}"});
  t.tool_call_base = 1;
  t.finish_reason = "tool_calls";
  j = Json::parse(ChatCompletionChunkToJson(Header(), {t}, std::nullopt));
  EXPECT_EQ(j["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "tool_calls");
  j = Json::parse(ChatCompletionChunkToJson(Header(), {}, UsageOut{3, 4, 0}));
  EXPECT_TRUE(j["choices"].empty());
  EXPECT_EQ(j["usage"]["completion_tokens"], 4);
}

TEST(CompletionResponseTest, LegacyLogprobsShape) {
  ChoiceOut c;
  c.text = "ab";
  c.finish_reason = "length";
  c.logprobs = std::vector<TokenLogprobOut>{{"a", -0.1f, {{"a", -0.1f}}}, {"b", -0.2f, {}}};
  const Json j = Json::parse(CompletionToJson({"cmpl-1", 1, "tiny"}, {c}, UsageOut{1, 2, 0}));
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["choices"][0]["text"], "ab");
  const Json& lp = j["choices"][0]["logprobs"];
  EXPECT_EQ(lp["tokens"], Json::array({"a", "b"}));
  EXPECT_EQ(lp["text_offset"], Json::array({0, 1}));
  EXPECT_EQ(lp["top_logprobs"][0]["a"], -0.1f);
  ChoiceDelta d;
  d.text = "x";
  const Json chunk = Json::parse(CompletionChunkToJson({"cmpl-1", 1, "tiny"}, {d}, std::nullopt));
  EXPECT_EQ(chunk["choices"][0]["text"], "x");
}

TEST(UtilityResponseTest, ModelsTokenizeVersion) {
  const Json models = Json::parse(ModelListToJson({{"tiny", 5, "dsinfer", 4096}}));
  EXPECT_EQ(models["object"], "list");
  EXPECT_EQ(models["data"][0]["id"], "tiny");
  EXPECT_EQ(models["data"][0]["object"], "model");
  EXPECT_EQ(models["data"][0]["max_model_len"], 4096);
  const Json tok = Json::parse(TokenizeResponseToJson({1, 2, 3}, 4096));
  EXPECT_EQ(tok["count"], 3);
  EXPECT_EQ(Json::parse(DetokenizeResponseToJson("hi"))["prompt"], "hi");
  EXPECT_EQ(Json::parse(VersionToJson("0.1.0"))["version"], "0.1.0");
}

}  // namespace
}  // namespace dsinfer::server
