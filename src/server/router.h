// Router: maps (method, path) to a handler and the endpoint label used in logs and metrics.
// Exact path matches only (the API has no path parameters). Built at start-up, then read-only:
// Find() is safe from any number of threads once all routes are added.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/api_error.h"
#include "server/exchange.h"
#include "server/http_message.h"

namespace dsinfer::server {

// Answers through the Exchange, now or later (see ResponseSink).
using RouteHandler = std::function<void(const HttpRequest&, const std::shared_ptr<Exchange>&)>;

struct Route {
  std::string method;
  std::string path;
  std::string endpoint;  // metrics/log label, e.g. "chat_completions"
  RouteHandler handler;
};

class Router {
 public:
  // Adds a route; a duplicate (method, path) is a CHECK failure (a programming error).
  void Add(std::string method, std::string path, std::string endpoint, RouteHandler handler);

  struct Match {
    const Route* route = nullptr;          // set on success
    std::optional<ApiError> error;         // 404 (unknown path) or 405 (known path, other method)
  };
  Match Find(const std::string& method, const std::string& path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace dsinfer::server
