// OpenAI chat-completions JSON -> native chat types, shared by the server and the
// `dsinfer template` command. JSON stays inside the .cc; callers pass text or a jinja::Value.
// Errors name the offending field ("messages[2].tool_calls[0].function.name: expected a
// string"). Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/chat_message.h"
#include "chat/jinja/value.h"

namespace dsinfer::chat {

// A JSON array of messages. `content` may be a string, null, or an array of
// {"type": "text", "text": ...} parts (joined without separator); `tool_calls[].function.
// arguments` may be a JSON string (kept as a string) or an object (kept as an object); unknown
// fields are kept in extra_fields.
Expected<std::vector<ChatMessage>> ParseOpenAiMessages(std::string_view json_text);
// The same from an already parsed value (a list of dicts).
Expected<std::vector<ChatMessage>> MessagesFromValue(const jinja::Value& messages);

// A JSON array of tool definitions ({"type": "function", "function": {...}}), kept as values.
Expected<std::vector<jinja::Value>> ParseOpenAiTools(std::string_view json_text);

}  // namespace dsinfer::chat
