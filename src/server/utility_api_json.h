// The JSON edge of the small endpoints: GET /v1/models, POST /tokenize, POST /detokenize,
// GET /version, and the health/readiness bodies. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api_error.h"
#include "server/api_types.h"

namespace dsinfer::server {

// {"object": "list", "data": [{"id", "object": "model", "created", "owned_by", "max_model_len"}]}.
std::string ModelListToJson(const std::vector<ModelCard>& models);

// {"prompt": "..."} or {"messages": [...], "tools"?, "add_generation_prompt"?}, plus
// "add_special_tokens" and "model" (vLLM's /tokenize).
std::optional<ApiError> ParseTokenizeRequest(std::string_view body, TokenizeRequest* out);
// {"tokens": [...], "count": N, "max_model_len": M}.
std::string TokenizeResponseToJson(const std::vector<int32_t>& tokens, int64_t max_model_len);

// {"tokens": [ids]}.
std::optional<ApiError> ParseDetokenizeRequest(std::string_view body, DetokenizeRequest* out);
// {"prompt": "text"}.
std::string DetokenizeResponseToJson(const std::string& text);

// {"version": "...", "server": "dsinfer"}.
std::string VersionToJson(const std::string& version);

// {"status": "<status>"} plus optional "reason".
std::string StatusToJson(const std::string& status, const std::string& reason = "");

}  // namespace dsinfer::server
