// GET /v1/models, POST /tokenize, POST /detokenize, GET /version, GET /healthz, GET /readyz,
// GET /metrics.
#include "server/api_handlers.h"
#include "server/prompt_builder.h"
#include "server/utility_api_json.h"

namespace dsinfer::server {

GenerationBackend* BackendOrUnavailable(ServingState& state, Exchange& exchange) {
  if (state.draining.load()) {
    state.metrics.RecordRejection("draining");
    exchange.SendError(ApiError::Unavailable("The server is shutting down and takes no new requests", "draining"));
    return nullptr;
  }
  GenerationBackend* backend = state.backend();
  if (backend == nullptr) {
    exchange.SendError(ApiError::Unavailable("The model is still loading; retry shortly", "model_loading"));
    return nullptr;
  }
  return backend;
}

bool CheckModel(const GenerationBackend& backend, const std::string& model, Exchange& exchange) {
  exchange.record().model = backend.description().model_id;
  if (model.empty() || model == backend.description().model_id) return true;
  exchange.SendError(ApiError::ModelNotFound(model));
  return false;
}

namespace {

void HandleModels(ServingState& state, const std::shared_ptr<Exchange>& exchange) {
  GenerationBackend* backend = BackendOrUnavailable(state, *exchange);
  if (!backend) return;
  const BackendDescription& d = backend->description();
  ModelCard card;
  card.id = d.model_id;
  card.created = d.created_unix;
  card.max_model_len = d.max_model_len;
  exchange->SendJson(200, ModelListToJson({card}));
}

void HandleTokenize(ServingState& state, const HttpRequest& http, const std::shared_ptr<Exchange>& exchange) {
  GenerationBackend* backend = BackendOrUnavailable(state, *exchange);
  if (!backend) return;
  TokenizeRequest request;
  if (auto error = ParseTokenizeRequest(http.body, &request)) return exchange->SendError(*error);
  if (!CheckModel(*backend, request.model, *exchange)) return;
  std::vector<int32_t> ids;
  if (request.has_messages) {
    RenderedChat rendered;
    if (auto error = RenderChat(*backend, request.messages, request.tools, {}, request.add_generation_prompt, &rendered)) {
      return exchange->SendError(*error);
    }
    ids = std::move(rendered.ids);
  } else {
    ids = backend->tokenizer().Encode(request.prompt, request.add_special_tokens, /*parse_special=*/true);
  }
  exchange->SendJson(200, TokenizeResponseToJson(ids, backend->description().max_model_len));
}

void HandleDetokenize(ServingState& state, const HttpRequest& http, const std::shared_ptr<Exchange>& exchange) {
  GenerationBackend* backend = BackendOrUnavailable(state, *exchange);
  if (!backend) return;
  DetokenizeRequest request;
  if (auto error = ParseDetokenizeRequest(http.body, &request)) return exchange->SendError(*error);
  if (!CheckModel(*backend, request.model, *exchange)) return;
  for (size_t i = 0; i < request.tokens.size(); ++i) {
    if (!backend->tokenizer().IsValidId(request.tokens[i])) {
      return exchange->SendError(ApiError::InvalidRequest(
          "tokens[" + std::to_string(i) + "]: token id " + std::to_string(request.tokens[i]) +
              " is outside the vocabulary (" + std::to_string(backend->tokenizer().n_vocab()) + " tokens)",
          "tokens[" + std::to_string(i) + "]"));
    }
  }
  exchange->SendJson(200, DetokenizeResponseToJson(backend->tokenizer().Decode(request.tokens, false)));
}

void HandleReady(ServingState& state, const std::shared_ptr<Exchange>& exchange) {
  if (state.draining.load()) return exchange->SendJson(503, StatusToJson("unavailable", "draining"));
  if (state.backend() == nullptr) return exchange->SendJson(503, StatusToJson("unavailable", "model_loading"));
  exchange->SendJson(200, StatusToJson("ready"));
}

void HandleMetrics(ServingState& state, const std::shared_ptr<Exchange>& exchange) {
  ScrapeState scrape;
  scrape.ready = state.ready();
  if (GenerationBackend* backend = state.backend()) {
    scrape.engine = backend->Stats();
    scrape.model_name = backend->description().model_id;
  }
  scrape.open_connections = state.open_connections ? state.open_connections() : 0;
  HttpHeaders headers;
  headers.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  exchange->SendJson(200, state.metrics.Render(scrape), std::move(headers));
}

}  // namespace

void RegisterInfoRoutes(Router& router, ServingState& state) {
  router.Add("GET", "/v1/models", "models",
             [&state](const HttpRequest&, const std::shared_ptr<Exchange>& e) { HandleModels(state, e); });
  router.Add("POST", "/tokenize", "tokenize",
             [&state](const HttpRequest& r, const std::shared_ptr<Exchange>& e) { HandleTokenize(state, r, e); });
  router.Add("POST", "/detokenize", "detokenize",
             [&state](const HttpRequest& r, const std::shared_ptr<Exchange>& e) { HandleDetokenize(state, r, e); });
  router.Add("GET", "/version", "version", [&state](const HttpRequest&, const std::shared_ptr<Exchange>& e) {
    e->SendJson(200, VersionToJson(state.version));
  });
  router.Add("GET", "/healthz", "healthz", [](const HttpRequest&, const std::shared_ptr<Exchange>& e) {
    e->SendJson(200, StatusToJson("ok"));
  });
  router.Add("GET", "/readyz", "readyz",
             [&state](const HttpRequest&, const std::shared_ptr<Exchange>& e) { HandleReady(state, e); });
  router.Add("GET", "/metrics", "metrics",
             [&state](const HttpRequest&, const std::shared_ptr<Exchange>& e) { HandleMetrics(state, e); });
}

}  // namespace dsinfer::server
