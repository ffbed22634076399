// ChatTemplate: rendering native messages with options, the OpenAI JSON conversion, and the
// built-in formats' behaviour beyond the golden conversations.
#include "chat/chat_template.h"

#include <gtest/gtest.h>

#include <thread>

#include "chat/builtin_formats.h"
#include "chat/openai_messages.h"

namespace dsinfer::chat {
namespace {

using jinja::Value;

const char* const kBos = "<｜begin▁of▁sentence｜>";

ChatMessage Msg(std::string role, std::optional<std::string> content) {
  ChatMessage m;
  m.role = std::move(role);
  m.content = std::move(content);
  return m;
}

std::string RenderOrDie(const ChatTemplate& t, const std::vector<ChatMessage>& messages,
                        const RenderOptions& options) {
  Expected<std::string> out = t.Render(messages, options);
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? *out : "";
}

TEST(ChatTemplateTest, PassesTheHuggingFaceVariables) {
  Expected<ChatTemplate> t = ChatTemplate::Parse(
      "{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ tools is none }}|"
      "{{ messages | length }}|{{ messages[0].role }}:{{ messages[0].content }}|{{ extra }}");
  ASSERT_TRUE(t.ok()) << t.status().message();
  RenderOptions options;
  options.bos_token = "<s>";
  options.eos_token = "</s>";
  options.add_generation_prompt = true;
  options.extra_variables.Set("extra", Value::Int(7));
  EXPECT_EQ(RenderOrDie(*t, {Msg("user", "hi")}, options), "<s>|</s>|True|True|1|user:hi|7");
}

TEST(ChatTemplateTest, ToolsAndMessageFieldsReachTheTemplate) {
  Expected<ChatTemplate> t = ChatTemplate::Parse(
      "{% for tool in tools %}{{ tool.function.name }};{% endfor %}"
      "{% for m in messages %}[{{ m.role }} {{ m.content }}"
      "{% if m.tool_calls is defined %}{% for c in m.tool_calls %} {{ c.id }}:{{ c.function.name }}"
      "({{ c.function.arguments }}){% endfor %}{% endif %}"
      "{% if m.tool_call_id is defined %} for {{ m.tool_call_id }}{% endif %}"
      "{% if m.reasoning_content is defined %} r={{ m.reasoning_content }}{% endif %}"
      "{% if m.prefix is defined %} prefix={{ m.prefix }}{% endif %}]{% endfor %}");
  ASSERT_TRUE(t.ok()) << t.status().message();
  Expected<std::vector<jinja::Value>> tools = ParseOpenAiTools(
      R"([{"type": "function", "function": {"name": "get_weather", "parameters": {}}}])");
  ASSERT_TRUE(tools.ok());
  Expected<std::vector<ChatMessage>> messages = ParseOpenAiMessages(R"([
      {"role": "user", "content": [{"type": "text", "text": "Weather "}, {"type": "text", "text": "in Paris?"}]},
      {"role": "assistant", "content": null, "reasoning_content": "think",
       "tool_calls": [{"id": "call_9", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
      {"role": "tool", "tool_call_id": "call_9", "content": "sunny"},
      {"role": "assistant", "content": "Sunny.", "prefix": true}])");
  ASSERT_TRUE(messages.ok()) << messages.status().message();
  RenderOptions options;
  options.tools = *tools;
  EXPECT_EQ(RenderOrDie(*t, *messages, options),
            "get_weather;[user Weather in Paris?][assistant None call_9:get_weather({\"city\": "
            "\"Paris\"}) r=think][tool sunny for call_9][assistant Sunny. prefix=True]");
}

TEST(ChatTemplateTest, OpenAiMessageErrorsNameTheField) {
  const auto error = [](const char* json) {
    Expected<std::vector<ChatMessage>> m = ParseOpenAiMessages(json);
    EXPECT_FALSE(m.ok());
    return m.ok() ? "" : m.status().message();
  };
  EXPECT_EQ(error(R"({"role": "user"})"), "messages: expected an array, got dict");
  EXPECT_EQ(error(R"([{"content": "x"}])"), "messages[0].role: expected a string");
  EXPECT_EQ(error(R"([{"role": "user", "content": 5}])"),
            "messages[0].content: expected a string, null or an array of parts, got int");
  EXPECT_EQ(
      error(R"([{"role": "user", "content": [{"type": "image_url"}]}])"),
      "messages[0].content[0].type: unsupported content part type 'image_url' (only \"text\")");
  EXPECT_EQ(error(R"([{"role": "assistant", "tool_calls": [{"function": {"arguments": "{}"}}]}])"),
            "messages[0].tool_calls[0].function.name: expected a string");
  EXPECT_EQ(
      error(
          R"([{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": 3}}]}])"),
      "messages[0].tool_calls[0].function.arguments: expected a JSON string or an object, got int");
  EXPECT_EQ(error("[{"),
            "messages: invalid JSON: parse error at line 1, column 3: syntax error "
            "while parsing object key - unexpected end of input; expected string literal");
}

TEST(ChatTemplateTest, TemplateErrorsArePositioned) {
  Expected<ChatTemplate> bad =
      ChatTemplate::Parse("{% for m in messages %}\n{{ m | wordcount }}{% endfor %}");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "chat template line 2, column 8: unsupported filter 'wordcount'");
  Expected<ChatTemplate> strict = ChatTemplate::Parse(
      "{% if messages[0].role != 'user' %}{{ raise_exception('first message must be from the "
      "user') }}{% endif %}");
  ASSERT_TRUE(strict.ok());
  Expected<std::string> out = strict->Render({Msg("system", "s")}, {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(
      out.status().message(),
      "chat template line 1, column 39: raise_exception: first message must be from the user");
}

TEST(ChatTemplateTest, BuiltinFormatsAreListedAndUnknownNamesRejected) {
  for (std::string_view name : BuiltinChatFormatNames()) {
    Expected<ChatTemplate> t = ChatTemplate::Builtin(name);
    EXPECT_TRUE(t.ok()) << name << ": " << t.status().message();
  }
  Expected<ChatTemplate> missing = ChatTemplate::Builtin("chatml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "unknown chat format 'chatml' (known: deepseek3, deepseek-r1, deepseek3.1)");
}

TEST(ChatTemplateTest, ProbeFindsHowEachBuiltinWantsArguments) {
  EXPECT_EQ(ChatTemplate::Builtin("deepseek3")->tool_arguments_style(),
            ToolArgumentsStyle::kString);
  EXPECT_EQ(ChatTemplate::Builtin("deepseek-r1")->tool_arguments_style(),
            ToolArgumentsStyle::kString);
  EXPECT_EQ(ChatTemplate::Builtin("deepseek3.1")->tool_arguments_style(),
            ToolArgumentsStyle::kObject);
  EXPECT_EQ(ChatTemplate::Parse("{{ messages | length }}")->tool_arguments_style(),
            ToolArgumentsStyle::kUnknown);
}

TEST(ChatTemplateTest, DeepSeekR1ThinkingSwitch) {
  Expected<ChatTemplate> t = ChatTemplate::Builtin("deepseek-r1");
  ASSERT_TRUE(t.ok());
  RenderOptions options;
  options.bos_token = kBos;
  options.add_generation_prompt = true;
  std::vector<ChatMessage> messages = {Msg("user", "2+2?")};
  EXPECT_EQ(RenderOrDie(*t, messages, options),
            std::string(kBos) + "<｜User｜>2+2?<｜Assistant｜><think>\n");
  options.extra_variables.Set("enable_thinking", Value::Bool(false));
  EXPECT_EQ(RenderOrDie(*t, messages, options),
            std::string(kBos) + "<｜User｜>2+2?<｜Assistant｜><think>\n</think>");
}

TEST(ChatTemplateTest, DeepSeek31ThinkingAndPrefix) {
  Expected<ChatTemplate> t = ChatTemplate::Builtin("deepseek3.1");
  ASSERT_TRUE(t.ok());
  RenderOptions options;
  options.bos_token = kBos;
  options.add_generation_prompt = true;
  std::vector<ChatMessage> messages = {Msg("user", "hi")};
  EXPECT_EQ(RenderOrDie(*t, messages, options),
            std::string(kBos) + "<｜User｜>hi<｜Assistant｜><think></think>");
  options.extra_variables.Set("enable_thinking", Value::Bool(true));
  EXPECT_EQ(RenderOrDie(*t, messages, options),
            std::string(kBos) + "<｜User｜>hi<｜Assistant｜><think>");
  // A prefix (continuation) assistant message with thinking on opens the think block.
  ChatMessage prefix = Msg("assistant", "Partial answer");
  prefix.extra_fields.Set("prefix", Value::Bool(true));
  options.add_generation_prompt = false;
  EXPECT_EQ(
      RenderOrDie(*t, {Msg("user", "hi"), prefix}, options),
      std::string(kBos) + "<｜User｜>hi<｜Assistant｜><think>Partial answer<｜end▁of▁sentence｜>");
}

TEST(ChatTemplateTest, MatchTemplateConvertsArgumentsBothWays) {
  ChatMessage call = Msg("assistant", std::nullopt);
  call.tool_calls.push_back(
      ToolCall{"call_0", "function", "f", Value::String(R"({"a": [1, "é"]})")});
  RenderOptions options;
  options.tool_arguments = ToolArgumentsMode::kMatchTemplate;
  Expected<ChatTemplate> v31 = ChatTemplate::Builtin("deepseek3.1");
  ASSERT_TRUE(v31.ok());
  EXPECT_EQ(RenderOrDie(*v31, {Msg("user", "u"), call}, options),
            "<｜User｜>u<｜Assistant｜><think></think><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>f"
            "<｜tool▁sep｜>{\"a\": [1, "
            "\"é\"]}<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>");
  options.tool_arguments = ToolArgumentsMode::kAsGiven;
  EXPECT_NE(RenderOrDie(*v31, {Msg("user", "u"), call}, options).find(R"("{\"a\": [1, \"é\"]}")"),
            std::string::npos);
}

TEST(ChatTemplateTest, StrftimeNowUsesTheGivenTime) {
  Expected<ChatTemplate> t = ChatTemplate::Parse("Today is {{ strftime_now('%Y') }}.");
  ASSERT_TRUE(t.ok());
  RenderOptions options;
  options.now_unix_seconds = 1782864000;  // 2026-07-01
  EXPECT_EQ(RenderOrDie(*t, {}, options), "Today is 2026.");
}

TEST(ChatTemplateTest, ConcurrentRendersShareOneTemplate) {
  Expected<ChatTemplate> t = ChatTemplate::Builtin("deepseek3");
  ASSERT_TRUE(t.ok());
  RenderOptions options;
  options.add_generation_prompt = true;
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(8);
  std::vector<std::string> names;
  for (int i = 0; i < 8; ++i) names.push_back(std::string(1, static_cast<char>('a' + i)));
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 50; ++k) outputs[i] = *t->Render({Msg("user", names[i])}, options);
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(outputs[i], "<｜User｜>" + names[i] + "<｜Assistant｜>");
}

}  // namespace
}  // namespace dsinfer::chat
