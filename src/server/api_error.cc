#include "server/api_error.h"

#include <nlohmann/json.hpp>

namespace dsinfer::server {

ApiError ApiError::InvalidRequest(std::string message, std::string param, std::string code) {
  return {400, std::move(message), "invalid_request_error", std::move(param), std::move(code), std::nullopt};
}

ApiError ApiError::ModelNotFound(const std::string& model) {
  return {404, "The model '" + model + "' does not exist (see GET /v1/models)", "invalid_request_error", "model",
          "model_not_found", std::nullopt};
}

ApiError ApiError::Unauthorized(std::string message) {
  return {401, std::move(message), "authentication_error", "", "invalid_api_key", std::nullopt};
}

ApiError ApiError::RateLimited(int retry_after_s) {
  return {429, "Rate limit reached for this API key; retry after " + std::to_string(retry_after_s) + " s",
          "rate_limit_error", "", "rate_limit_exceeded", retry_after_s};
}

ApiError ApiError::QueueFull(std::string message) {
  return {429, std::move(message), "rate_limit_error", "", "queue_full", 1};
}

ApiError ApiError::Unavailable(std::string message, std::string code) {
  return {503, std::move(message), "service_unavailable", "", std::move(code), 1};
}

ApiError ApiError::PayloadTooLarge(uint64_t limit_bytes) {
  return {413, "Request body exceeds the limit of " + std::to_string(limit_bytes) + " bytes",
          "invalid_request_error", "", "request_too_large", std::nullopt};
}

ApiError ApiError::NotFound(const std::string& path) {
  return {404, "No route for " + path, "invalid_request_error", "", "not_found", std::nullopt};
}

ApiError ApiError::MethodNotAllowed(const std::string& method, const std::string& path) {
  return {405, "Method " + method + " is not allowed for " + path, "invalid_request_error", "",
          "method_not_allowed", std::nullopt};
}

ApiError ApiError::Internal(std::string message) {
  return {500, std::move(message), "server_error", "", "internal_error", std::nullopt};
}

ApiError ApiError::FromStatus(const Status& status, const std::string& param) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: {
      std::string p = param;
      if (p.empty()) {
        // Messages from below start with the field they name ("max_tokens: ..." or
        // "messages[2].content: ..."); use it as the param when it looks like one.
        const size_t colon = status.message().find(':');
        if (colon != std::string::npos && colon > 0 &&
            status.message().find(' ') > colon) {
          p = status.message().substr(0, colon);
        }
      }
      return InvalidRequest(status.message(), p);
    }
    case StatusCode::kResourceExhausted:
      return QueueFull(status.message());
    case StatusCode::kNotFound:
      return {404, status.message(), "invalid_request_error", param, "not_found", std::nullopt};
    case StatusCode::kUnimplemented:
      return InvalidRequest(status.message(), param, "unsupported");
    default:
      return Internal(status.message());
  }
}

std::string ApiError::ToJson() const {
  nlohmann::json e;
  e["message"] = message;
  e["type"] = type;
  e["param"] = param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param);
  e["code"] = code.empty() ? nlohmann::json(nullptr) : nlohmann::json(code);
  return nlohmann::json{{"error", e}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace dsinfer::server
