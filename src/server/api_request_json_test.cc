// Request bodies -> native structs: every field's type and range checks, with errors whose
// param names the field.
#include <gtest/gtest.h>

#include "server/chat_completion_json.h"
#include "server/completion_json.h"
#include "server/utility_api_json.h"

namespace dsinfer::server {
namespace {

RequestLimits Limits() {
  RequestLimits l;
  l.max_tokens_limit = 1000;
  l.default_max_tokens = 64;
  l.max_n = 8;
  l.n_vocab = 500;
  return l;
}

std::optional<ApiError> ParseChat(const std::string& body, ChatCompletionRequest* out = nullptr) {
  ChatCompletionRequest local;
  return ParseChatCompletionRequest(body, Limits(), out ? out : &local);
}

std::string WithMessages(const std::string& extra) {
  return R"({"model":"m","messages":[{"role":"user","content":"hi"}])" + (extra.empty() ? "" : "," + extra) + "}";
}

TEST(ChatRequestTest, ParsesEveryOption) {
  ChatCompletionRequest r;
  auto error = ParseChat(WithMessages(R"("max_tokens":20,"n":2,"stop":["x","yy"],"temperature":0.5,"top_p":0.9,
      "top_k":40,"min_p":0.05,"repetition_penalty":1.1,"presence_penalty":0.5,"frequency_penalty":-0.5,"seed":7,
      "logprobs":true,"top_logprobs":3,"logit_bias":{"12":-100,"13":5.5},"ignore_eos":true,"priority":-2,
      "stream":true,"stream_options":{"include_usage":true},"user":"u1")"),
                         &r);
  ASSERT_FALSE(error) << error->message;
  const GenerationOptions& o = r.options;
  EXPECT_EQ(r.model, "m");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].content.value_or(""), "hi");
  EXPECT_EQ(o.max_tokens, 20);
  EXPECT_TRUE(o.max_tokens_given);
  EXPECT_EQ(o.n, 2);
  EXPECT_EQ(o.stop, (std::vector<std::string>{"x", "yy"}));
  EXPECT_FLOAT_EQ(o.temperature, 0.5f);
  EXPECT_FLOAT_EQ(o.top_p, 0.9f);
  EXPECT_EQ(o.top_k, 40);
  EXPECT_FLOAT_EQ(o.min_p, 0.05f);
  EXPECT_FLOAT_EQ(o.repetition_penalty, 1.1f);
  EXPECT_FLOAT_EQ(o.presence_penalty, 0.5f);
  EXPECT_FLOAT_EQ(o.frequency_penalty, -0.5f);
  EXPECT_EQ(o.seed.value_or(0), 7u);
  EXPECT_TRUE(o.logprobs);
  EXPECT_EQ(o.top_logprobs, 3);
  ASSERT_EQ(o.logit_bias.size(), 2u);
  EXPECT_EQ(o.logit_bias[0].first, 12);
  EXPECT_FLOAT_EQ(o.logit_bias[0].second, -100.0f);
  EXPECT_TRUE(o.ignore_eos);
  EXPECT_EQ(o.priority, -2);
  EXPECT_TRUE(o.stream);
  EXPECT_TRUE(o.include_usage);
  EXPECT_EQ(o.user, "u1");
}

TEST(ChatRequestTest, DefaultsApplyWhenFieldsAreAbsentOrNull) {
  ChatCompletionRequest r;
  ASSERT_FALSE(ParseChat(WithMessages(R"("max_tokens":null,"stop":null,"seed":null)"), &r));
  EXPECT_EQ(r.options.max_tokens, 64);
  EXPECT_FALSE(r.options.max_tokens_given);
  EXPECT_EQ(r.options.n, 1);
  EXPECT_FALSE(r.options.seed.has_value());
  EXPECT_TRUE(r.options.stop.empty());
}

TEST(ChatRequestTest, MaxCompletionTokensWinsOverMaxTokens) {
  ChatCompletionRequest r;
  ASSERT_FALSE(ParseChat(WithMessages(R"("max_tokens":5,"max_completion_tokens":9)"), &r));
  EXPECT_EQ(r.options.max_tokens, 9);
  auto e = ParseChat(WithMessages(R"("max_completion_tokens":5000)"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "max_completion_tokens");
}

struct BadField {
  std::string extra;
  std::string param;
};

class ChatRequestBadFieldTest : public ::testing::TestWithParam<BadField> {};

TEST_P(ChatRequestBadFieldTest, IsA400NamingTheField) {
  auto e = ParseChat(WithMessages(GetParam().extra));
  ASSERT_TRUE(e) << GetParam().extra;
  EXPECT_EQ(e->http_status, 400);
  EXPECT_EQ(e->type, "invalid_request_error");
  EXPECT_EQ(e->param, GetParam().param) << e->message;
  EXPECT_NE(e->message.find(GetParam().param), std::string::npos) << e->message;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ChatRequestBadFieldTest,
    ::testing::Values(BadField{R"("max_tokens":"10")", "max_tokens"}, BadField{R"("max_tokens":0)", "max_tokens"},
                      BadField{R"("max_tokens":1001)", "max_tokens"}, BadField{R"("max_tokens":1.5)", "max_tokens"},
                      BadField{R"("n":0)", "n"}, BadField{R"("n":9)", "n"}, BadField{R"("n":"2")", "n"},
                      BadField{R"("stop":5)", "stop"}, BadField{R"("stop":["a",3])", "stop[1]"},
                      BadField{R"("stop":[""])", "stop[0]"}, BadField{R"("temperature":3)", "temperature"},
                      BadField{R"("temperature":"hot")", "temperature"}, BadField{R"("top_p":0)", "top_p"},
                      BadField{R"("top_p":1.5)", "top_p"}, BadField{R"("top_k":-2)", "top_k"},
                      BadField{R"("min_p":2)", "min_p"}, BadField{R"("repetition_penalty":0)", "repetition_penalty"},
                      BadField{R"("presence_penalty":3)", "presence_penalty"},
                      BadField{R"("frequency_penalty":-3)", "frequency_penalty"}, BadField{R"("seed":"x")", "seed"},
                      BadField{R"("logprobs":1)", "logprobs"}, BadField{R"("top_logprobs":2)", "top_logprobs"},
                      BadField{R"("logprobs":true,"top_logprobs":21)", "top_logprobs"},
                      BadField{R"("logit_bias":[1])", "logit_bias"}, BadField{R"("logit_bias":{"x":1})", "logit_bias.x"},
                      BadField{R"("logit_bias":{"600":1})", "logit_bias.600"},
                      BadField{R"("logit_bias":{"5":101})", "logit_bias.5"},
                      BadField{R"("ignore_eos":"yes")", "ignore_eos"}, BadField{R"("priority":"high")", "priority"},
                      BadField{R"("stream":"true")", "stream"},
                      BadField{R"("stream_options":{"include_usage":true})", "stream_options"},
                      BadField{R"("stream":true,"stream_options":{"include_usage":1})", "stream_options.include_usage"},
                      BadField{R"("user":5)", "user"}, BadField{R"("tool_choice":"sometimes")", "tool_choice"},
                      BadField{R"("tool_choice":"required")", "tool_choice"},
                      BadField{R"("tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}})",
                               "tool_choice.function.name"},
                      BadField{R"("chat_template_kwargs":[1])", "chat_template_kwargs"},
                      BadField{R"("model":7)", "model"}));

TEST(ChatRequestTest, MessagesAreRequiredAndChecked) {
  auto e = ParseChat(R"({"model":"m"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "messages");
  e = ParseChat(R"({"messages":[]})");
  EXPECT_EQ(e->param, "messages");
  e = ParseChat(R"({"messages":"hi"})");
  EXPECT_EQ(e->param, "messages");
  e = ParseChat(R"({"messages":[{"role":"wizard","content":"x"}]})");
  EXPECT_EQ(e->param, "messages[0].role");
  e = ParseChat(R"({"messages":[{"role":"user","content":"a"},{"content":"x"}]})");
  EXPECT_EQ(e->param, "messages[1].role");
  e = ParseChat(R"({"messages":[{"role":"user","content":5}]})");
  ASSERT_TRUE(e);
  EXPECT_NE(e->param.find("messages[0].content"), std::string::npos) << e->param;
}

TEST(ChatRequestTest, MalformedJsonAndNonObjectsAreRejected) {
  auto e = ParseChat("{\"messages\": [");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http_status, 400);
  EXPECT_EQ(e->code, "invalid_json");
  EXPECT_TRUE(e->param.empty());
  e = ParseChat("[1,2]");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "invalid_json");
}

TEST(ChatRequestTest, ToolsToolChoiceAndTemplateKwargs) {
  ChatCompletionRequest r;
  auto e = ParseChat(WithMessages(R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
      "tool_choice":{"type":"function","function":{"name":"get_weather"}},"chat_template_kwargs":{"enable_thinking":false})"),
                     &r);
  ASSERT_FALSE(e) << e->message;
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tool_choice, ToolChoiceMode::kFunction);
  EXPECT_EQ(r.tool_choice_function, "get_weather");
  ASSERT_NE(r.template_kwargs.Find("enable_thinking"), nullptr);
}

TEST(ChatRequestTest, DeveloperRoleIsTreatedAsSystem) {
  ChatCompletionRequest r;
  ASSERT_FALSE(ParseChat(R"({"messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"hi"}]})", &r));
  EXPECT_EQ(r.messages[0].role, "system");
}

TEST(CompletionRequestTest, PromptForms) {
  CompletionRequest r;
  ASSERT_FALSE(ParseCompletionRequest(R"({"prompt":"hello"})", Limits(), &r));
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0].text, "hello");
  r = {};
  ASSERT_FALSE(ParseCompletionRequest(R"({"prompt":["a","b"],"echo":true})", Limits(), &r));
  EXPECT_EQ(r.prompts.size(), 2u);
  EXPECT_TRUE(r.echo);
  r = {};
  ASSERT_FALSE(ParseCompletionRequest(R"({"prompt":[1,2,3]})", Limits(), &r));
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_TRUE(r.prompts[0].is_tokens);
  EXPECT_EQ(r.prompts[0].token_ids, (std::vector<int32_t>{1, 2, 3}));
  r = {};
  ASSERT_FALSE(ParseCompletionRequest(R"({"prompt":[[1],[2,3]],"logprobs":2})", Limits(), &r));
  EXPECT_EQ(r.prompts.size(), 2u);
  EXPECT_TRUE(r.options.logprobs);
  EXPECT_EQ(r.options.top_logprobs, 2);
}

TEST(CompletionRequestTest, BadPromptsNameTheField) {
  CompletionRequest r;
  auto e = ParseCompletionRequest(R"({"model":"m"})", Limits(), &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "prompt");
  e = ParseCompletionRequest(R"({"prompt":5})", Limits(), &r);
  EXPECT_EQ(e->param, "prompt");
  e = ParseCompletionRequest(R"({"prompt":["a",5]})", Limits(), &r);
  EXPECT_EQ(e->param, "prompt[1]");
  e = ParseCompletionRequest(R"({"prompt":[1,-2]})", Limits(), &r);
  EXPECT_EQ(e->param, "prompt[1]");
  e = ParseCompletionRequest(R"({"prompt":"x","logprobs":true})", Limits(), &r);
  EXPECT_EQ(e->param, "logprobs") << "completions take an integer logprobs";
  e = ParseCompletionRequest(R"({"prompt":"x","suffix":"y"})", Limits(), &r);
  EXPECT_EQ(e->param, "suffix");
  e = ParseCompletionRequest(R"({"prompt":"x","n":2,"best_of":3})", Limits(), &r);
  EXPECT_EQ(e->param, "best_of");
}

TEST(UtilityRequestTest, TokenizeAndDetokenize) {
  TokenizeRequest t;
  ASSERT_FALSE(ParseTokenizeRequest(R"({"prompt":"hi","add_special_tokens":false})", &t));
  EXPECT_EQ(t.prompt, "hi");
  EXPECT_FALSE(t.add_special_tokens);
  t = {};
  ASSERT_FALSE(ParseTokenizeRequest(R"({"messages":[{"role":"user","content":"hi"}]})", &t));
  EXPECT_TRUE(t.has_messages);
  t = {};
  auto e = ParseTokenizeRequest(R"({})", &t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "prompt");
  DetokenizeRequest d;
  ASSERT_FALSE(ParseDetokenizeRequest(R"({"tokens":[1,2]})", &d));
  EXPECT_EQ(d.tokens, (std::vector<int32_t>{1, 2}));
  e = ParseDetokenizeRequest(R"({"tokens":[1,"x"]})", &d);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "tokens[1]");
}

}  // namespace
}  // namespace dsinfer::server
