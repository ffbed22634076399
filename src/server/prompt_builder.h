// Turning API requests into engine prompts: chat messages (and tools) rendered through the
// model's chat template and tokenized; completion prompts tokenized or taken as ids; then the
// prompt checked against the context window. Errors are ApiErrors naming the field (messages,
// prompt, max_tokens). Pure functions over an immutable backend; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/api_error.h"
#include "server/api_types.h"
#include "server/generation_backend.h"

namespace dsinfer::server {

struct RenderedChat {
  std::string text;                  // the rendered prompt
  std::vector<int32_t> ids;
  bool starts_in_reasoning = false;  // the prompt left the model inside <think>
};

// Renders and tokenizes a chat conversation. `add_generation_prompt` is true for completions.
std::optional<ApiError> RenderChat(const GenerationBackend& backend, const std::vector<chat::ChatMessage>& messages,
                                   const std::vector<jinja::Value>& tools,
                                   const jinja::ValueDict& template_kwargs, bool add_generation_prompt,
                                   RenderedChat* out);

// Tokenizes one completion prompt (text with BOS per the vocabulary, or ids checked against
// the vocabulary). `field` names it in errors ("prompt" or "prompt[2]").
std::optional<ApiError> TokenizePrompt(const GenerationBackend& backend, const PromptInput& prompt,
                                       const std::string& field, std::vector<int32_t>* ids);

// Checks `prompt_tokens` against the context window and fits max_tokens: a prompt that fills
// the window is an error naming `prompt_field`; an explicit max_tokens that does not fit is an
// error naming "max_tokens"; a defaulted one is reduced to the room left.
std::optional<ApiError> FitContext(int64_t max_model_len, size_t prompt_tokens, const std::string& prompt_field,
                                   GenerationOptions* options);

}  // namespace dsinfer::server
