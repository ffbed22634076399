// The JSON edge of POST /v1/chat/completions: request body -> ChatCompletionRequest (validated
// field by field; errors are 400 ApiErrors whose param names the field) and native results ->
// response bodies and SSE chunk payloads. nlohmann/json stays in the .cc. Pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api_error.h"
#include "server/api_types.h"

namespace dsinfer::server {

// Fills *out from `body`; returns the first problem found.
std::optional<ApiError> ParseChatCompletionRequest(std::string_view body, const RequestLimits& limits,
                                                   ChatCompletionRequest* out);

// {"id", "object": "chat.completion", "created", "model", "choices": [...], "usage"}.
std::string ChatCompletionToJson(const ResponseHeader& header, const std::vector<ChoiceOut>& choices,
                                 const UsageOut& usage);

// One "chat.completion.chunk" payload (without the SSE "data: " framing). `deltas` may be empty
// with `usage` set (the final usage chunk of stream_options.include_usage).
std::string ChatCompletionChunkToJson(const ResponseHeader& header, const std::vector<ChoiceDelta>& deltas,
                                      const std::optional<UsageOut>& usage);

}  // namespace dsinfer::server
