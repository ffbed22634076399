#include "server/request_dispatcher.h"

#include <cstdio>
#include <random>

namespace dsinfer::server {

RequestDispatcher::RequestDispatcher(ServingState& state, const Router& router, ApiKeyStore keys)
    : state_(state), router_(router), keys_(std::move(keys)),
      rate_limiter_(state.config.rate_limit_rps, state.config.rate_limit_burst) {
  for (const auto& p : SplitList(state.config.open_paths)) open_paths_.insert(p);
  std::random_device rd;
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%08x", static_cast<unsigned>(rd()));
  id_prefix_ = prefix;
}

std::string RequestDispatcher::AcceptableRequestId(const std::string& header) {
  if (header.empty() || header.size() > 128) return "";
  for (char c : header) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return "";
  }
  return header;
}

std::string RequestDispatcher::NewRequestId() {
  char id[40];
  std::snprintf(id, sizeof(id), "%s%012llx", id_prefix_.c_str(),
                static_cast<unsigned long long>(next_id_.fetch_add(1)));
  return id;
}

void RequestDispatcher::Dispatch(HttpRequest request, std::optional<ApiError> transport_error,
                                 std::shared_ptr<ResponseSink> sink) {
  const Router::Match match = router_.Find(request.method, request.path);
  RequestLogRecord record;
  record.request_id = AcceptableRequestId(request.headers.Get("X-Request-Id"));
  if (record.request_id.empty()) record.request_id = NewRequestId();
  record.endpoint = match.route ? match.route->endpoint : "other";
  record.method = request.method;
  record.path = request.path;
  record.client_address = request.client_address;
  auto exchange = std::make_shared<Exchange>(std::move(sink), std::move(record), state_.logger, state_.metrics);

  if (transport_error) return exchange->SendError(*transport_error);

  const bool open_path = open_paths_.count(request.path) > 0;
  std::string client_key;
  if (keys_.enabled() && !open_path) {
    std::string presented(ApiKeyStore::BearerToken(request.headers.Get("Authorization")));
    if (presented.empty()) presented = request.headers.Get("X-Api-Key");
    std::optional<std::string> key_id = keys_.Check(presented);
    if (!key_id) {
      state_.metrics.RecordRejection("auth");
      return exchange->SendError(ApiError::Unauthorized(
          presented.empty() ? "Missing API key: send 'Authorization: Bearer <key>'" : "Invalid API key"));
    }
    exchange->record().api_key_id = *key_id;
    client_key = *key_id;
  }
  if (rate_limiter_.enabled() && !open_path) {
    if (client_key.empty()) {
      const size_t colon = request.client_address.rfind(':');
      client_key = "addr:" + request.client_address.substr(0, colon);
    }
    if (const int retry_after = rate_limiter_.TryAcquire(client_key); retry_after > 0) {
      state_.metrics.RecordRejection("rate_limit");
      return exchange->SendError(ApiError::RateLimited(retry_after));
    }
  }
  if (!match.route) return exchange->SendError(*match.error);
  match.route->handler(request, exchange);
}

}  // namespace dsinfer::server
