// Built-in chat formats for `--chat-format`: Jinja templates written for dsinfer that render
// exactly like the official templates of each model family (the golden tests check this on
// every reference conversation):
//   deepseek3    DeepSeek-V3 (tokenizer_config.json template); object arguments are also
//                accepted (serialized with tojson) where the original raises a TypeError.
//   deepseek-r1  DeepSeek-R1 / R1-Distill: as deepseek3 but only the last system message,
//                reasoning before the last </think> of past answers dropped, and the generation
//                prompt "<｜Assistant｜><think>\n" (plus "</think>" when enable_thinking is
//                explicitly false).
//   deepseek3.1  DeepSeek-V3.1 (llama.cpp's copy): <think></think> / <think> by `thinking`
//                (or `enable_thinking`), arguments through tojson.
// Pure data; thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace dsinfer::chat {

// Names accepted by BuiltinChatFormatSource, in a stable order.
const std::vector<std::string_view>& BuiltinChatFormatNames();

// The Jinja source of a built-in format, or nullptr for an unknown name.
const char* BuiltinChatFormatSource(std::string_view name);

}  // namespace dsinfer::chat
