#include "server/http_message.h"

#include <strings.h>

namespace dsinfer::server {

namespace {
bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}
}  // namespace

std::string HttpHeaders::Get(std::string_view name) const {
  for (const auto& [k, v] : entries_) {
    if (SameName(k, name)) return v;
  }
  return "";
}

bool HttpHeaders::Has(std::string_view name) const {
  for (const auto& e : entries_) {
    if (SameName(e.first, name)) return true;
  }
  return false;
}

void HttpHeaders::Set(std::string name, std::string value) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& e : entries_) {
    if (!SameName(e.first, name)) kept.push_back(std::move(e));
  }
  kept.emplace_back(std::move(name), std::move(value));
  entries_ = std::move(kept);
}

const char* HttpReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

}  // namespace dsinfer::server
