// Golden chat renderings (../shared/golden/chat, README §8): every line of rendered.jsonl is
// rendered with the named reference template, and with the built-in format that stands for it,
// and must match the reference byte for byte (or fail where the reference failed).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "chat/chat_template.h"
#include "chat/jinja/json.h"
#include "chat/openai_messages.h"
#include "testing/golden.h"

namespace dsinfer::chat {
namespace {

using jinja::Value;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct GoldenCase {
  std::string template_name;
  std::string conversation;
  bool add_generation_prompt = false;
  jinja::ValueDict vars;
  bool expects_error = false;
  std::string rendered;
};

struct GoldenData {
  std::map<std::string, Value> conversations;  // id -> conversation object
  std::vector<GoldenCase> cases;
};

GoldenData LoadGolden(const std::string& dir) {
  GoldenData data;
  Expected<Value> conversations = jinja::ParseJson(ReadFile(dir + "/chat/conversations.json"));
  EXPECT_TRUE(conversations.ok()) << conversations.status().message();
  if (!conversations.ok()) return data;
  for (const Value& c : conversations->as_list()) {
    data.conversations[c.as_dict().Find("id")->as_string()] = c;
  }
  std::istringstream lines(ReadFile(dir + "/chat/rendered.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    Expected<Value> parsed = jinja::ParseJson(line);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    if (!parsed.ok()) continue;
    const jinja::ValueDict& d = parsed->as_dict();
    GoldenCase c;
    c.template_name = d.Find("template")->as_string();
    c.conversation = d.Find("conversation")->as_string();
    c.add_generation_prompt = d.Find("add_generation_prompt")->as_bool();
    c.vars = d.Find("vars")->as_dict();
    if (const Value* rendered = d.Find("rendered")) {
      c.rendered = rendered->as_string();
    } else {
      c.expects_error = true;
    }
    data.cases.push_back(std::move(c));
  }
  return data;
}

RenderOptions OptionsFor(const GoldenCase& c, const Value& conversation) {
  RenderOptions options;
  options.add_generation_prompt = c.add_generation_prompt;
  options.bos_token = "<｜begin▁of▁sentence｜>";
  options.eos_token = "<｜end▁of▁sentence｜>";
  options.extra_variables = c.vars;
  options.now_unix_seconds = 1767225600;  // 2026-01-01, as the references were made
  if (const Value* tools = conversation.as_dict().Find("tools")) options.tools = tools->as_list();
  return options;
}

std::string Describe(const GoldenCase& c) {
  std::string vars;
  for (const auto& [k, v] : c.vars) vars += " " + k + "=" + (v.IsTruthy() ? "true" : "false");
  return c.template_name + " / " + c.conversation +
         (c.add_generation_prompt ? " / generation prompt" : "") + vars;
}

class ChatGoldenTest : public ::testing::Test {
 protected:
  const ChatTemplate* ReferenceTemplate(const std::string& dir, const std::string& name) {
    auto it = templates_.find(name);
    if (it == templates_.end()) {
      Expected<ChatTemplate> t =
          ChatTemplate::Parse(ReadFile(dir + "/chat/templates/" + name + ".jinja"));
      EXPECT_TRUE(t.ok()) << name << ": " << t.status().message();
      if (!t.ok()) return nullptr;
      it = templates_.emplace(name, std::make_unique<ChatTemplate>(std::move(t).value())).first;
    }
    return it->second.get();
  }
  std::map<std::string, std::unique_ptr<ChatTemplate>> templates_;
};

TEST_F(ChatGoldenTest, ReferenceTemplatesRenderEveryLineByteIdentical) {
  DSINFER_REQUIRE_GOLDEN(dir);
  GoldenData data = LoadGolden(dir);
  ASSERT_EQ(data.cases.size(), 168u);
  int rendered_ok = 0, rendered_total = 0, errors_ok = 0, errors_total = 0;
  for (const GoldenCase& c : data.cases) {
    const ChatTemplate* tmpl = ReferenceTemplate(dir, c.template_name);
    ASSERT_NE(tmpl, nullptr);
    const Value& conversation = data.conversations.at(c.conversation);
    const Value& messages = *conversation.as_dict().Find("messages");
    Expected<std::string> out = tmpl->RenderValues(messages.as_list(), OptionsFor(c, conversation));
    if (c.expects_error) {
      ++errors_total;
      EXPECT_FALSE(out.ok()) << Describe(c) << " rendered instead of failing:\n" << *out;
      if (!out.ok()) ++errors_ok;
      continue;
    }
    ++rendered_total;
    ASSERT_TRUE(out.ok()) << Describe(c) << ": " << out.status().message();
    EXPECT_EQ(*out, c.rendered) << Describe(c);
    if (*out == c.rendered) ++rendered_ok;
  }
  std::printf("golden chat renderings: %d/%d rendered identically, %d/%d errors reproduced\n",
              rendered_ok, rendered_total, errors_ok, errors_total);
  EXPECT_EQ(rendered_total, 164);
  EXPECT_EQ(errors_total, 4);
}

TEST_F(ChatGoldenTest, NativeMessagesRenderLikeTheJsonConversation) {
  DSINFER_REQUIRE_GOLDEN(dir);
  GoldenData data = LoadGolden(dir);
  for (const GoldenCase& c : data.cases) {
    if (c.expects_error) continue;
    const ChatTemplate* tmpl = ReferenceTemplate(dir, c.template_name);
    ASSERT_NE(tmpl, nullptr);
    const Value& conversation = data.conversations.at(c.conversation);
    Expected<std::vector<ChatMessage>> messages =
        MessagesFromValue(*conversation.as_dict().Find("messages"));
    ASSERT_TRUE(messages.ok()) << messages.status().message();
    Expected<std::string> out = tmpl->Render(*messages, OptionsFor(c, conversation));
    ASSERT_TRUE(out.ok()) << Describe(c) << ": " << out.status().message();
    EXPECT_EQ(*out, c.rendered) << Describe(c);
  }
}

// The built-in format standing for each reference template (the Qwen-32B copy has none: its
// generation prompt closes thinking unless enable_thinking, which deepseek-r1 does not do).
const char* BuiltinFor(const std::string& template_name) {
  if (template_name == "deepseek-v3") return "deepseek3";
  if (template_name == "deepseek-r1-distill-llama-8b") return "deepseek-r1";
  if (template_name == "deepseek-v3.1") return "deepseek3.1";
  return nullptr;
}

TEST_F(ChatGoldenTest, BuiltinFormatsReproduceTheReferenceRenderings) {
  DSINFER_REQUIRE_GOLDEN(dir);
  GoldenData data = LoadGolden(dir);
  std::map<std::string, int> checked;
  for (const GoldenCase& c : data.cases) {
    const char* builtin = BuiltinFor(c.template_name);
    if (builtin == nullptr) continue;
    Expected<ChatTemplate> tmpl = ChatTemplate::Builtin(builtin);
    ASSERT_TRUE(tmpl.ok()) << tmpl.status().message();
    const Value& conversation = data.conversations.at(c.conversation);
    const Value& messages = *conversation.as_dict().Find("messages");
    Expected<std::string> out = tmpl->RenderValues(messages.as_list(), OptionsFor(c, conversation));
    ASSERT_TRUE(out.ok()) << builtin << " on " << Describe(c) << ": " << out.status().message();
    std::string expected = c.rendered;
    if (c.expects_error) {
      // The reference fails on object arguments (c14 = c07 with an object); the built-in
      // serializes the object, which gives exactly the c07 rendering.
      ASSERT_EQ(c.conversation, "c14_tool_call_object_arguments");
      for (const GoldenCase& twin : data.cases) {
        if (twin.template_name == c.template_name &&
            twin.conversation == "c07_tool_call_answered" &&
            twin.add_generation_prompt == c.add_generation_prompt) {
          expected = twin.rendered;
        }
      }
    }
    EXPECT_EQ(*out, expected) << builtin << " on " << Describe(c);
    ++checked[builtin];
  }
  EXPECT_EQ(checked["deepseek3"], 28);
  EXPECT_EQ(checked["deepseek-r1"], 28);
  EXPECT_EQ(checked["deepseek3.1"], 56);
}

TEST_F(ChatGoldenTest, MatchTemplateModeGivesTojsonTemplatesObjectArguments) {
  DSINFER_REQUIRE_GOLDEN(dir);
  GoldenData data = LoadGolden(dir);
  // With kMatchTemplate, c07 (string arguments) renders like c14 (object arguments) on the
  // templates that apply `| tojson`, and c14 renders like c07 on those that concatenate.
  for (const GoldenCase& c : data.cases) {
    if (c.conversation != "c07_tool_call_answered") continue;
    const ChatTemplate* tmpl = ReferenceTemplate(dir, c.template_name);
    ASSERT_NE(tmpl, nullptr);
    const GoldenCase* twin = nullptr;
    for (const GoldenCase& other : data.cases) {
      if (other.template_name == c.template_name &&
          other.add_generation_prompt == c.add_generation_prompt &&
          other.conversation == "c14_tool_call_object_arguments" &&
          other.vars.size() == c.vars.size()) {
        twin = &other;
      }
    }
    ASSERT_NE(twin, nullptr);
    bool wants_objects = tmpl->tool_arguments_style() == ToolArgumentsStyle::kObject;
    EXPECT_EQ(wants_objects, c.template_name == "deepseek-r1-distill-qwen-32b" ||
                                 c.template_name == "deepseek-v3.1")
        << c.template_name;
    const GoldenCase& source = wants_objects ? c : *twin;
    const std::string& expected = wants_objects ? twin->rendered : c.rendered;
    const Value& conversation = data.conversations.at(source.conversation);
    Expected<std::vector<ChatMessage>> messages =
        MessagesFromValue(*conversation.as_dict().Find("messages"));
    ASSERT_TRUE(messages.ok());
    RenderOptions options = OptionsFor(source, conversation);
    options.tool_arguments = ToolArgumentsMode::kMatchTemplate;
    Expected<std::string> out = tmpl->Render(*messages, options);
    ASSERT_TRUE(out.ok()) << Describe(source) << ": " << out.status().message();
    EXPECT_EQ(*out, expected) << Describe(source);
  }
}

}  // namespace
}  // namespace dsinfer::chat
