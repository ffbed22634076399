#include "server/router.h"

#include "base/check.h"

namespace dsinfer::server {

void Router::Add(std::string method, std::string path, std::string endpoint, RouteHandler handler) {
  for (const auto& r : routes_) {
    CHECK(!(r.method == method && r.path == path)) << "duplicate route " << method << " " << path;
  }
  routes_.push_back({std::move(method), std::move(path), std::move(endpoint), std::move(handler)});
}

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  Match m;
  bool path_known = false;
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    path_known = true;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      m.route = &r;
      return m;
    }
  }
  m.error = path_known ? ApiError::MethodNotAllowed(method, path) : ApiError::NotFound(path);
  return m;
}

}  // namespace dsinfer::server
