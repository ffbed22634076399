// The API's routes: generation (POST /v1/chat/completions, POST /v1/completions; in
// generation_handlers.cc) and the small endpoints (GET /v1/models, POST /tokenize,
// POST /detokenize, GET /version, GET /healthz, GET /readyz, GET /metrics; in info_handlers.cc).
// Handlers convert JSON at the edge (the *_json.h functions), answer errors with ApiError, and
// never block an I/O thread on the engine.
#pragma once

#include "server/router.h"
#include "server/serving_state.h"

namespace dsinfer::server {

// Adds every route; `state` must outlive the router.
void RegisterGenerationRoutes(Router& router, ServingState& state);
void RegisterInfoRoutes(Router& router, ServingState& state);

// The backend when the server can take model requests; otherwise answers 503 (loading or
// draining) on `exchange` and returns null.
GenerationBackend* BackendOrUnavailable(ServingState& state, Exchange& exchange);

// Checks the request's "model" against the served id (empty = the served model); answers 404
// and returns false when it is another.
bool CheckModel(const GenerationBackend& backend, const std::string& model, Exchange& exchange);

}  // namespace dsinfer::server
