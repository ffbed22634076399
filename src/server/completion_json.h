// The JSON edge of POST /v1/completions (text completions): request body -> CompletionRequest
// and native results -> "text_completion" bodies and chunks, with the legacy logprobs shape
// ({tokens, token_logprobs, top_logprobs, text_offset}). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api_error.h"
#include "server/api_types.h"

namespace dsinfer::server {

std::optional<ApiError> ParseCompletionRequest(std::string_view body, const RequestLimits& limits,
                                               CompletionRequest* out);

std::string CompletionToJson(const ResponseHeader& header, const std::vector<ChoiceOut>& choices,
                             const UsageOut& usage);

std::string CompletionChunkToJson(const ResponseHeader& header, const std::vector<ChoiceDelta>& deltas,
                                  const std::optional<UsageOut>& usage);

}  // namespace dsinfer::server
