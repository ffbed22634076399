#include "chat/openai_messages.h"

#include "chat/jinja/json.h"

namespace dsinfer::chat {

namespace {

using jinja::Value;
using jinja::ValueDict;

Status FieldError(const std::string& path, const std::string& problem) {
  return InvalidArgument(path + ": " + problem);
}

Expected<std::optional<std::string>> OptionalString(const ValueDict& dict, const char* key,
                                                    const std::string& path) {
  const Value* v = dict.Find(key);
  if (v == nullptr || v->is_none()) return std::optional<std::string>();
  if (!v->is_string())
    return FieldError(path + "." + key, std::string("expected a string, got ") + v->TypeName());
  return std::optional<std::string>(v->as_string());
}

Expected<std::optional<std::string>> ParseContent(const Value* content, const std::string& path) {
  if (content == nullptr || content->is_none()) return std::optional<std::string>();
  if (content->is_string()) return std::optional<std::string>(content->as_string());
  if (!content->is_list()) {
    return FieldError(path, std::string("expected a string, null or an array of parts, got ") +
                                content->TypeName());
  }
  std::string text;
  const auto& parts = content->as_list();
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string part_path = path + "[" + std::to_string(i) + "]";
    if (!parts[i].is_dict()) return FieldError(part_path, "expected an object");
    const Value* type = parts[i].as_dict().Find("type");
    if (type == nullptr || !type->is_string() || type->as_string() != "text") {
      return FieldError(part_path + ".type",
                        "unsupported content part type " +
                            (type && type->is_string() ? "'" + type->as_string() + "'"
                                                       : std::string("(missing)")) +
                            " (only \"text\")");
    }
    const Value* part_text = parts[i].as_dict().Find("text");
    if (part_text == nullptr || !part_text->is_string()) {
      return FieldError(part_path + ".text", "expected a string");
    }
    text += part_text->as_string();
  }
  return std::optional<std::string>(std::move(text));
}

Expected<ToolCall> ParseToolCall(const Value& v, const std::string& path) {
  if (!v.is_dict()) return FieldError(path, "expected an object");
  const ValueDict& dict = v.as_dict();
  ToolCall call;
  DSINFER_ASSIGN_OR_RETURN(auto id, OptionalString(dict, "id", path));
  call.id = id.value_or("");
  DSINFER_ASSIGN_OR_RETURN(auto type, OptionalString(dict, "type", path));
  call.type = type.value_or("function");
  const Value* function = dict.Find("function");
  if (function == nullptr || !function->is_dict()) {
    return FieldError(path + ".function", "expected an object");
  }
  const Value* name = function->as_dict().Find("name");
  if (name == nullptr || !name->is_string()) {
    return FieldError(path + ".function.name", "expected a string");
  }
  call.name = name->as_string();
  const Value* arguments = function->as_dict().Find("arguments");
  if (arguments == nullptr || arguments->is_none()) {
    call.arguments = Value::String("{}");
  } else if (arguments->is_string() || arguments->is_dict()) {
    call.arguments = *arguments;
  } else {
    return FieldError(
        path + ".function.arguments",
        std::string("expected a JSON string or an object, got ") + arguments->TypeName());
  }
  return call;
}

Expected<ChatMessage> ParseMessage(const Value& v, const std::string& path) {
  if (!v.is_dict()) return FieldError(path, std::string("expected an object, got ") + v.TypeName());
  const ValueDict& dict = v.as_dict();
  ChatMessage message;
  const Value* role = dict.Find("role");
  if (role == nullptr || !role->is_string()) return FieldError(path + ".role", "expected a string");
  message.role = role->as_string();
  DSINFER_ASSIGN_OR_RETURN(message.content, ParseContent(dict.Find("content"), path + ".content"));
  DSINFER_ASSIGN_OR_RETURN(message.reasoning_content,
                           OptionalString(dict, "reasoning_content", path));
  DSINFER_ASSIGN_OR_RETURN(message.tool_call_id, OptionalString(dict, "tool_call_id", path));
  DSINFER_ASSIGN_OR_RETURN(message.name, OptionalString(dict, "name", path));
  if (const Value* calls = dict.Find("tool_calls"); calls != nullptr && !calls->is_none()) {
    if (!calls->is_list()) return FieldError(path + ".tool_calls", "expected an array");
    for (size_t i = 0; i < calls->as_list().size(); ++i) {
      DSINFER_ASSIGN_OR_RETURN(
          ToolCall call,
          ParseToolCall(calls->as_list()[i], path + ".tool_calls[" + std::to_string(i) + "]"));
      message.tool_calls.push_back(std::move(call));
    }
  }
  for (const auto& [key, value] : dict) {
    if (key == "role" || key == "content" || key == "reasoning_content" || key == "tool_calls" ||
        key == "tool_call_id" || key == "name") {
      continue;
    }
    message.extra_fields.Set(key, value);
  }
  return message;
}

}  // namespace

jinja::Value MessageToValue(const ChatMessage& message) {
  ValueDict dict;
  dict.Set("role", Value::String(message.role));
  dict.Set("content", message.content ? Value::String(*message.content) : Value::None());
  if (message.reasoning_content) {
    dict.Set("reasoning_content", Value::String(*message.reasoning_content));
  }
  if (!message.tool_calls.empty()) {
    jinja::ValueList calls;
    for (const ToolCall& call : message.tool_calls) {
      ValueDict function;
      function.Set("name", Value::String(call.name));
      function.Set("arguments", call.arguments);
      ValueDict entry;
      entry.Set("id", Value::String(call.id));
      entry.Set("type", Value::String(call.type));
      entry.Set("function", Value::Dict(std::move(function)));
      calls.push_back(Value::Dict(std::move(entry)));
    }
    dict.Set("tool_calls", Value::List(std::move(calls)));
  }
  if (message.tool_call_id) dict.Set("tool_call_id", Value::String(*message.tool_call_id));
  if (message.name) dict.Set("name", Value::String(*message.name));
  for (const auto& [key, value] : message.extra_fields) dict.Set(key, value);
  return Value::Dict(std::move(dict));
}

Expected<std::vector<ChatMessage>> MessagesFromValue(const jinja::Value& messages) {
  if (!messages.is_list()) {
    return FieldError("messages", std::string("expected an array, got ") + messages.TypeName());
  }
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < messages.as_list().size(); ++i) {
    DSINFER_ASSIGN_OR_RETURN(
        ChatMessage m, ParseMessage(messages.as_list()[i], "messages[" + std::to_string(i) + "]"));
    out.push_back(std::move(m));
  }
  return out;
}

Expected<std::vector<ChatMessage>> ParseOpenAiMessages(std::string_view json_text) {
  Expected<Value> parsed = jinja::ParseJson(json_text);
  if (!parsed.ok()) return parsed.status().WithPrefix("messages");
  return MessagesFromValue(*parsed);
}

Expected<std::vector<jinja::Value>> ParseOpenAiTools(std::string_view json_text) {
  Expected<Value> parsed = jinja::ParseJson(json_text);
  if (!parsed.ok()) return parsed.status().WithPrefix("tools");
  if (!parsed->is_list()) {
    return FieldError("tools", std::string("expected an array, got ") + parsed->TypeName());
  }
  for (size_t i = 0; i < parsed->as_list().size(); ++i) {
    if (!parsed->as_list()[i].is_dict()) {
      return FieldError("tools[" + std::to_string(i) + "]", "expected an object");
    }
  }
  return parsed->as_list();
}

}  // namespace dsinfer::chat
