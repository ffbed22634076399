#include "server/prompt_builder.h"

#include "chat/reasoning_parser.h"

namespace dsinfer::server {

std::optional<ApiError> RenderChat(const GenerationBackend& backend, const std::vector<chat::ChatMessage>& messages,
                                   const std::vector<jinja::Value>& tools,
                                   const jinja::ValueDict& template_kwargs, bool add_generation_prompt,
                                   RenderedChat* out) {
  const BackendDescription& d = backend.description();
  chat::RenderOptions options;
  options.add_generation_prompt = add_generation_prompt;
  options.tools = tools;
  options.bos_token = d.bos_text;
  options.eos_token = d.eos_text;
  options.extra_variables = template_kwargs;
  options.tool_arguments = chat::ToolArgumentsMode::kMatchTemplate;
  auto text = backend.chat_template().Render(messages, options);
  if (!text.ok()) {
    return ApiError::InvalidRequest("messages: the chat template failed: " + text.status().message(), "messages",
                                    "template_error");
  }
  out->text = std::move(text).value();
  const tokenizer::Tokenizer& tok = backend.tokenizer();
  out->ids = tok.Encode(out->text, /*add_special=*/false, /*parse_special=*/true);
  if (tok.add_bos() && tok.bos_id() >= 0 && (out->ids.empty() || out->ids.front() != tok.bos_id())) {
    out->ids.insert(out->ids.begin(), tok.bos_id());
  }
  out->starts_in_reasoning = chat::ReasoningParser::PromptOpensReasoning(out->text);
  if (out->ids.empty()) return ApiError::InvalidRequest("messages: the conversation renders to no tokens", "messages");
  return std::nullopt;
}

std::optional<ApiError> TokenizePrompt(const GenerationBackend& backend, const PromptInput& prompt,
                                       const std::string& field, std::vector<int32_t>* ids) {
  const tokenizer::Tokenizer& tok = backend.tokenizer();
  if (prompt.is_tokens) {
    for (size_t i = 0; i < prompt.token_ids.size(); ++i) {
      if (!tok.IsValidId(prompt.token_ids[i])) {
        return ApiError::InvalidRequest(field + "[" + std::to_string(i) + "]: token id " +
                                            std::to_string(prompt.token_ids[i]) + " is outside the vocabulary (" +
                                            std::to_string(tok.n_vocab()) + " tokens)",
                                        field);
      }
    }
    *ids = prompt.token_ids;
  } else {
    *ids = tok.Encode(prompt.text, /*add_special=*/true, /*parse_special=*/true);
  }
  if (ids->empty()) return ApiError::InvalidRequest(field + ": the prompt is empty", field);
  return std::nullopt;
}

std::optional<ApiError> FitContext(int64_t max_model_len, size_t prompt_tokens, const std::string& prompt_field,
                                   GenerationOptions* options) {
  const int64_t prompt = static_cast<int64_t>(prompt_tokens);
  if (prompt >= max_model_len) {
    return ApiError::InvalidRequest(prompt_field + ": this model's maximum context length is " +
                                        std::to_string(max_model_len) + " tokens, but the prompt has " +
                                        std::to_string(prompt) + " tokens (at least one token must be left to generate)",
                                    prompt_field, "context_length_exceeded");
  }
  const int64_t room = max_model_len - prompt;
  if (options->max_tokens > room) {
    if (options->max_tokens_given) {
      return ApiError::InvalidRequest("max_tokens: this model's maximum context length is " +
                                          std::to_string(max_model_len) + " tokens; the prompt has " +
                                          std::to_string(prompt) + " tokens, so at most " + std::to_string(room) +
                                          " can be generated, but " + std::to_string(options->max_tokens) +
                                          " were requested",
                                      "max_tokens", "context_length_exceeded");
    }
    options->max_tokens = static_cast<int>(room);
  }
  return std::nullopt;
}

}  // namespace dsinfer::server
