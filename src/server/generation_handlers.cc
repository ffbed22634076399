// POST /v1/chat/completions and POST /v1/completions.
#include <chrono>

#include "server/api_handlers.h"
#include "server/chat_completion_json.h"
#include "server/completion_json.h"
#include "server/generation_call.h"
#include "server/prompt_builder.h"

namespace dsinfer::server {

namespace {

RequestLimits LimitsFor(const ServingState& state, const GenerationBackend& backend) {
  RequestLimits l;
  l.max_tokens_limit = state.config.max_tokens_limit;
  l.default_max_tokens = state.config.default_max_tokens;
  l.max_n = state.config.max_n;
  l.n_vocab = backend.description().n_vocab;
  return l;
}

ResponseHeader HeaderFor(const std::string& prefix, const Exchange& exchange, const GenerationBackend& backend) {
  ResponseHeader h;
  h.id = prefix + exchange.request_id();
  h.created = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  h.model = backend.description().model_id;
  return h;
}

void HandleChatCompletions(ServingState& state, const HttpRequest& http, const std::shared_ptr<Exchange>& exchange) {
  GenerationBackend* backend = BackendOrUnavailable(state, *exchange);
  if (!backend) return;
  ChatCompletionRequest request;
  if (auto error = ParseChatCompletionRequest(http.body, LimitsFor(state, *backend), &request)) {
    return exchange->SendError(*error);
  }
  exchange->record().stream = request.options.stream;
  if (!CheckModel(*backend, request.model, *exchange)) return;
  const bool use_tools = !request.tools.empty() && request.tool_choice != ToolChoiceMode::kNone;
  RenderedChat rendered;
  if (auto error = RenderChat(*backend, request.messages, use_tools ? request.tools : std::vector<jinja::Value>{},
                              request.template_kwargs, /*add_generation_prompt=*/true, &rendered)) {
    return exchange->SendError(*error);
  }
  if (auto error = FitContext(backend->description().max_model_len, rendered.ids.size(), "messages", &request.options)) {
    return exchange->SendError(*error);
  }
  GenerationPlan plan;
  plan.api = GenerationApi::kChat;
  plan.header = HeaderFor("chatcmpl-", *exchange, *backend);
  plan.options = request.options;
  plan.prompts.push_back(std::move(rendered.ids));
  plan.parse_reasoning = true;
  plan.starts_in_reasoning = rendered.starts_in_reasoning;
  plan.parse_tool_calls = use_tools;
  if (state.config.log_prompts) plan.prompt_for_log = rendered.text;
  StartGeneration(std::move(plan), state, *backend, exchange);
}

void HandleCompletions(ServingState& state, const HttpRequest& http, const std::shared_ptr<Exchange>& exchange) {
  GenerationBackend* backend = BackendOrUnavailable(state, *exchange);
  if (!backend) return;
  CompletionRequest request;
  if (auto error = ParseCompletionRequest(http.body, LimitsFor(state, *backend), &request)) {
    return exchange->SendError(*error);
  }
  exchange->record().stream = request.options.stream;
  if (!CheckModel(*backend, request.model, *exchange)) return;
  GenerationPlan plan;
  plan.api = GenerationApi::kCompletion;
  plan.header = HeaderFor("cmpl-", *exchange, *backend);
  for (size_t i = 0; i < request.prompts.size(); ++i) {
    const std::string field = request.prompts.size() == 1 ? "prompt" : "prompt[" + std::to_string(i) + "]";
    std::vector<int32_t> ids;
    if (auto error = TokenizePrompt(*backend, request.prompts[i], field, &ids)) return exchange->SendError(*error);
    if (auto error = FitContext(backend->description().max_model_len, ids.size(), field, &request.options)) {
      return exchange->SendError(*error);
    }
    const PromptInput& p = request.prompts[i];
    const std::string text = p.is_tokens ? backend->tokenizer().Decode(ids, /*skip_special=*/false) : p.text;
    if (request.echo) plan.echo_texts.push_back(text);
    if (state.config.log_prompts) plan.prompt_for_log += (i ? "\n---\n" : "") + text;
    plan.prompts.push_back(std::move(ids));
  }
  plan.options = request.options;
  StartGeneration(std::move(plan), state, *backend, exchange);
}

}  // namespace

void RegisterGenerationRoutes(Router& router, ServingState& state) {
  router.Add("POST", "/v1/chat/completions", "chat_completions",
             [&state](const HttpRequest& r, const std::shared_ptr<Exchange>& e) { HandleChatCompletions(state, r, e); });
  router.Add("POST", "/v1/completions", "completions",
             [&state](const HttpRequest& r, const std::shared_ptr<Exchange>& e) { HandleCompletions(state, r, e); });
}

}  // namespace dsinfer::server
