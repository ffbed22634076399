// ChatTemplate: turns a conversation into the prompt text a model was trained on, by rendering
// a Hugging Face chat template (the GGUF's tokenizer.chat_template, a .jinja file, or one of
// the built-in formats) the way transformers' apply_chat_template does: variables `messages`,
// `tools` (None when there are none), `add_generation_prompt`, `bos_token`, `eos_token`, plus
// any extra variables (e.g. `enable_thinking`, `thinking`).
//
// Immutable after creation; Render may be called from many threads at once. Move-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/chat_message.h"
#include "chat/jinja/template.h"
#include "chat/jinja/value.h"

namespace dsinfer::chat {

// How the template wants tool-call arguments, found at load time by rendering a probe
// conversation both ways (string concatenation vs `| tojson`).
enum class ToolArgumentsStyle {
  kUnknown,  // neither rendering showed the arguments (e.g. the template ignores tool calls)
  kString,   // arguments are inserted as JSON text (DeepSeek V3, R1)
  kObject,   // arguments go through `| tojson` and must be objects (llama.cpp's V3.1 copy)
};

enum class ToolArgumentsMode {
  kAsGiven,        // pass arguments exactly as in the messages (the golden references do this)
  kMatchTemplate,  // convert strings <-> objects to what the template wants (the server does)
};

struct RenderOptions {
  bool add_generation_prompt = false;
  std::vector<jinja::Value> tools;  // tool definitions; empty renders `tools` as None
  std::string bos_token;            // text of the BOS token, e.g. "<｜begin▁of▁sentence｜>"
  std::string eos_token;
  jinja::ValueDict extra_variables;  // also override the variables above when named the same
  ToolArgumentsMode tool_arguments = ToolArgumentsMode::kAsGiven;
  std::optional<int64_t> now_unix_seconds;  // for strftime_now(); unset = current time
};

class ChatTemplate {
 public:
  // Parses a Jinja chat template; errors name the line, column and construct.
  static Expected<ChatTemplate> Parse(std::string_view source);
  // One of BuiltinChatFormatNames() (builtin_formats.h); NotFound lists the known names.
  static Expected<ChatTemplate> Builtin(std::string_view format_name);

  // Renders `messages`. Errors (from the template, e.g. raise_exception or a type error) are
  // "chat template line L, column C: ...".
  Expected<std::string> Render(const std::vector<ChatMessage>& messages,
                               const RenderOptions& options) const;
  // Renders already-built message values (dicts as a template sees them), e.g. a conversation
  // parsed from JSON as is; `options.tool_arguments` is not applied.
  Expected<std::string> RenderValues(const jinja::ValueList& messages,
                                     const RenderOptions& options) const;

  ToolArgumentsStyle tool_arguments_style() const { return arguments_style_; }
  const std::string& source() const { return source_; }

 private:
  ChatTemplate(std::string source, jinja::Template tmpl);

  std::string source_;
  jinja::Template template_;
  ToolArgumentsStyle arguments_style_ = ToolArgumentsStyle::kUnknown;
};

}  // namespace dsinfer::chat
