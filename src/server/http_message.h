// Native HTTP request/response values exchanged between the transport (http_session.cc, the
// only place that sees Boost.Beast) and the handlers. Header names compare case-insensitively.
// Plain value types; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dsinfer::server {

class HttpHeaders {
 public:
  // The first value of `name` (any case), or empty.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Replaces every value of `name`.
  void Set(std::string name, std::string value);
  void Add(std::string name, std::string value) { entries_.emplace_back(std::move(name), std::move(value)); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct HttpRequest {
  std::string method;          // "GET", "POST", ...
  std::string target;          // as sent, e.g. "/v1/models?x=1"
  std::string path;            // target without the query
  HttpHeaders headers;
  std::string body;
  std::string client_address;  // "ip:port" of the peer
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;         // Content-Type defaults to application/json when absent
  std::string body;
};

// "OK", "Bad Request", ... for the statuses the server sends.
const char* HttpReasonPhrase(int status);

}  // namespace dsinfer::server
