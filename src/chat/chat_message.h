// Native chat messages (the OpenAI chat-message shape) and their template view.
// Plain value types; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chat/jinja/value.h"

namespace dsinfer::chat {

// One function call requested by the assistant.
struct ToolCall {
  std::string id;  // e.g. "call_0"
  std::string type = "function";
  std::string name;  // function.name
  // function.arguments: a string holding JSON text (what the OpenAI API sends and returns), or
  // a JSON object as a value (what templates that apply `| tojson` expect).
  jinja::Value arguments = jinja::Value::String("{}");
};

struct ChatMessage {
  std::string role;                    // "system", "user", "assistant", "tool", ...
  std::optional<std::string> content;  // nullopt renders as None (JSON null)
  std::optional<std::string> reasoning_content;
  std::vector<ToolCall> tool_calls;
  std::optional<std::string> tool_call_id;  // for role "tool"
  std::optional<std::string> name;
  // Other fields of the message, passed to the template unchanged (e.g. DeepSeek's "prefix").
  jinja::ValueDict extra_fields;
};

// The dict a template sees as messages[i]: role, content, then reasoning_content, tool_calls
// ([{id, type, function: {name, arguments}}]), tool_call_id and name only when present, then
// extra_fields.
jinja::Value MessageToValue(const ChatMessage& message);

}  // namespace dsinfer::chat
