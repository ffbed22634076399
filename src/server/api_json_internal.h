// Private to the api_*_json.cc files (the JSON edge): typed field readers over nlohmann::json
// that raise FieldError naming the field path. Each public Parse* function catches FieldError
// at its top and returns it as an ApiError, so a bad request never escapes as an exception.
// Do not include this header anywhere else: it pulls in nlohmann/json.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja/value.h"
#include "server/api_error.h"
#include "server/api_types.h"

namespace dsinfer::server::api_json {

using Json = nlohmann::json;

// A request field that is missing, of the wrong type or out of range.
struct FieldError {
  ApiError error;
};

[[noreturn]] void Fail(const std::string& field, const std::string& problem);

// "string", "integer", "number", "boolean", "array", "object", "null".
const char* TypeName(const Json& v);

// Parses the body; a body that is not a JSON object raises FieldError with an empty param.
Json ParseBody(std::string_view body);

// Readers: absent or null -> nullopt; a present value of the wrong type or range -> Fail.
std::optional<std::string> OptString(const Json& obj, const char* key);
std::optional<bool> OptBool(const Json& obj, const char* key);
std::optional<int64_t> OptInt(const Json& obj, const char* key, int64_t min, int64_t max);
std::optional<double> OptNumber(const Json& obj, const char* key, double min, double max);

// The options every generation endpoint shares. `chat` selects chat semantics for logprobs
// (bool + top_logprobs) versus completions (logprobs: integer k).
void ReadGenerationOptions(const Json& body, bool chat, const RequestLimits& limits, GenerationOptions* out);

// A JSON value as a jinja Value (for messages, tools and template kwargs).
jinja::Value ToTemplateValue(const Json& v, const std::string& field);

// Output helpers.
Json LogprobsContentJson(const std::vector<TokenLogprobOut>& entries);
Json ToolCallsJson(const std::vector<ToolCallOut>& calls, int base_index, bool streaming);
Json UsageJson(const UsageOut& usage);
std::string Dump(const Json& j);

}  // namespace dsinfer::server::api_json
