// ApiError: every failure the HTTP API reports, as the OpenAI error object
//   {"error": {"message": ..., "type": ..., "param": ..., "code": ...}}
// with the HTTP status it is sent with. Handlers build one of these instead of collapsing
// errors into a generic failure, so a client can tell a bad field (400, param names it) from an
// overloaded server (429/503) or a bug (500). Plain value type; thread-compatible.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"

namespace dsinfer::server {

struct ApiError {
  int http_status = 500;
  std::string message;
  std::string type = "server_error";  // invalid_request_error, authentication_error, ...
  std::string param;                  // the offending request field; empty renders as null
  std::string code;                   // machine-readable; empty renders as null
  std::optional<int> retry_after_s;   // sent as the Retry-After header (429/503)

  // 400 invalid_request_error naming `param` (a dotted path such as "messages[1].content").
  static ApiError InvalidRequest(std::string message, std::string param = "", std::string code = "invalid_value");
  // 404 for a model id that is not served.
  static ApiError ModelNotFound(const std::string& model);
  // 401 for a missing or wrong API key.
  static ApiError Unauthorized(std::string message);
  // 429 from the per-key rate limit.
  static ApiError RateLimited(int retry_after_s);
  // 429 when the engine's waiting queue is full (the request may succeed later).
  static ApiError QueueFull(std::string message);
  // 503 while the model is loading or the server drains.
  static ApiError Unavailable(std::string message, std::string code);
  // 413 for a body over the limit.
  static ApiError PayloadTooLarge(uint64_t limit_bytes);
  static ApiError NotFound(const std::string& path);
  static ApiError MethodNotAllowed(const std::string& method, const std::string& path);
  static ApiError Internal(std::string message);

  // Maps a Status from below (tokenizer, chat template, engine admission) to an API error:
  // kInvalidArgument -> 400 (param = `param` or the field the message starts with),
  // kResourceExhausted -> 429 queue_full, kNotFound -> 404, others -> 500.
  static ApiError FromStatus(const Status& status, const std::string& param = "");

  // The JSON body: {"error": {...}}.
  std::string ToJson() const;
};

}  // namespace dsinfer::server
