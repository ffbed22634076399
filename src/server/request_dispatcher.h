// RequestDispatcher: the first stop of every request read by the transport. It assigns the
// request id (X-Request-Id when the client sent a usable one, else a generated one; echoed on
// every response), opens the Exchange that logs the request, answers transport errors
// (413/400), checks the API key (401) unless the path is open, applies the per-key rate limit
// (429 + Retry-After), and hands the request to its route (404/405 otherwise).
//
// Thread-safety: Dispatch is called concurrently from the I/O threads; the dispatcher's members
// are immutable after construction or internally synchronized (RateLimiter).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "server/api_keys.h"
#include "server/rate_limiter.h"
#include "server/router.h"
#include "server/serving_state.h"

namespace dsinfer::server {

class RequestDispatcher {
 public:
  RequestDispatcher(ServingState& state, const Router& router, ApiKeyStore keys);

  void Dispatch(HttpRequest request, std::optional<ApiError> transport_error, std::shared_ptr<ResponseSink> sink);

  // The client's X-Request-Id when it is 1..128 characters of [A-Za-z0-9._:-], else empty.
  static std::string AcceptableRequestId(const std::string& header);

 private:
  std::string NewRequestId();

  ServingState& state_;
  const Router& router_;
  ApiKeyStore keys_;
  RateLimiter rate_limiter_;
  std::set<std::string> open_paths_;
  std::string id_prefix_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace dsinfer::server
