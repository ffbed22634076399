// One event of an OpenAI-style streamed response, reduced to what a load test measures: whether
// it carries generated output, the `usage` object (sent last when stream_options.include_usage
// is set), an in-stream error object, or the "[DONE]" sentinel. Chat chunks
// (choices[].delta.content / reasoning_content / reasoning / tool_calls) and completion chunks
// (choices[].text) are both understood. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace dsinfer::loadtest {

struct TokenUsage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

struct StreamChunk {
  bool done = false;        // the "[DONE]" sentinel
  bool has_output = false;  // non-empty generated text (or tool-call arguments) in some choice
  std::optional<TokenUsage> usage;
  std::string error;  // non-empty: the message of an {"error": ...} event
};

// Parses the data of one SSE event. Not JSON, not an object, or an object with neither a
// `choices` array nor an `error` is a DataLoss error whose message quotes the start of `data`.
Expected<StreamChunk> ParseStreamChunk(std::string_view data);

}  // namespace dsinfer::loadtest
