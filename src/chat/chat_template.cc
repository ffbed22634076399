#include "chat/chat_template.h"

#include "chat/builtin_formats.h"
#include "chat/jinja/json.h"

namespace dsinfer::chat {

namespace {

using jinja::Value;
using jinja::ValueDict;

constexpr const char* kProbeArguments = R"({"probe_argument": "probe_value"})";

std::vector<ChatMessage> ProbeConversation(const Value& arguments) {
  ChatMessage user{"user", "probe question", {}, {}, {}, {}, {}};
  ChatMessage assistant{"assistant", std::nullopt, {}, {}, {}, {}, {}};
  assistant.tool_calls.push_back(ToolCall{"call_0", "function", "probe_function", arguments});
  ChatMessage tool{"tool", "probe result", {}, {}, std::string("call_0"), {}, {}};
  return {user, assistant, tool};
}

// Converts tool-call arguments to the representation the template wants.
Status AdaptArguments(ToolArgumentsStyle style, ToolCall* call) {
  if (style == ToolArgumentsStyle::kObject && call->arguments.is_string()) {
    Expected<Value> parsed = jinja::ParseJson(call->arguments.as_string());
    if (parsed.ok() && parsed->is_dict()) call->arguments = std::move(parsed).value();
  } else if (style == ToolArgumentsStyle::kString && !call->arguments.is_string()) {
    Expected<std::string> text = jinja::ToJson(call->arguments);
    if (!text.ok()) return text.status().WithPrefix("tool call '" + call->name + "' arguments");
    call->arguments = Value::String(std::move(text).value());
  }
  return Status::Ok();
}

}  // namespace

ChatTemplate::ChatTemplate(std::string source, jinja::Template tmpl)
    : source_(std::move(source)), template_(std::move(tmpl)) {}

Expected<ChatTemplate> ChatTemplate::Parse(std::string_view source) {
  DSINFER_ASSIGN_OR_RETURN(jinja::Template tmpl, jinja::Template::Parse(source));
  ChatTemplate chat(std::string(source), std::move(tmpl));
  RenderOptions probe_options;
  probe_options.now_unix_seconds = 0;
  const auto shows_arguments = [&](const Value& arguments) {
    Expected<std::string> text = chat.Render(ProbeConversation(arguments), probe_options);
    return text.ok() && text->find(kProbeArguments) != std::string::npos;
  };
  ValueDict object;
  object.Set("probe_argument", Value::String("probe_value"));
  if (shows_arguments(Value::String(kProbeArguments))) {
    chat.arguments_style_ = ToolArgumentsStyle::kString;
  } else if (shows_arguments(Value::Dict(std::move(object)))) {
    chat.arguments_style_ = ToolArgumentsStyle::kObject;
  }
  return chat;
}

Expected<ChatTemplate> ChatTemplate::Builtin(std::string_view format_name) {
  const char* source = BuiltinChatFormatSource(format_name);
  if (source == nullptr) {
    std::string known;
    for (std::string_view name : BuiltinChatFormatNames()) {
      if (!known.empty()) known += ", ";
      known += name;
    }
    return NotFound("unknown chat format '" + std::string(format_name) + "' (known: " + known +
                    ")");
  }
  return Parse(source);
}

Expected<std::string> ChatTemplate::Render(const std::vector<ChatMessage>& messages,
                                           const RenderOptions& options) const {
  jinja::ValueList values;
  values.reserve(messages.size());
  for (const ChatMessage& message : messages) {
    if (options.tool_arguments == ToolArgumentsMode::kMatchTemplate &&
        !message.tool_calls.empty()) {
      ChatMessage adapted = message;
      for (ToolCall& call : adapted.tool_calls) {
        DSINFER_RETURN_IF_ERROR(AdaptArguments(arguments_style_, &call));
      }
      values.push_back(MessageToValue(adapted));
    } else {
      values.push_back(MessageToValue(message));
    }
  }
  return RenderValues(values, options);
}

Expected<std::string> ChatTemplate::RenderValues(const jinja::ValueList& messages,
                                                 const RenderOptions& options) const {
  ValueDict variables;
  variables.Set("messages", Value::List(messages));
  variables.Set("tools", options.tools.empty() ? Value::None() : Value::List(options.tools));
  variables.Set("add_generation_prompt", Value::Bool(options.add_generation_prompt));
  variables.Set("bos_token", Value::String(options.bos_token));
  variables.Set("eos_token", Value::String(options.eos_token));
  for (const auto& [key, value] : options.extra_variables) variables.Set(key, value);
  jinja::RenderEnvironment environment;
  environment.now_unix_seconds = options.now_unix_seconds;
  return template_.Render(variables, environment);
}

}  // namespace dsinfer::chat
