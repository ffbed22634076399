#include "loadtest/url.h"

#include <charconv>

namespace dsinfer::loadtest {

std::string ServerUrl::HostHeader() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string ServerUrl::ToString() const { return "http://" + HostHeader() + base_path; }

Expected<ServerUrl> ParseServerUrl(const std::string& url) {
  const std::string where = "--url '" + url + "'";
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    return Unimplemented(where + ": https is not supported; use the server's plain-HTTP address");
  } else {
    return InvalidArgument(where + ": expected http://HOST[:PORT][/v1]");
  }
  ServerUrl out;
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string::npos) {
    return InvalidArgument(where + ": credentials in the URL are not supported; use --api-key");
  }
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return InvalidArgument(where + ": unterminated IPv6 literal");
    out.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        return InvalidArgument(where + ": unexpected text after the IPv6 literal");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return InvalidArgument(where + ": the host is missing");
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return InvalidArgument(where + ": port '" + port_text + "' is not a number in 1..65535");
    }
    out.port = port;
  }
  if (path.find_first_of("?#") != std::string::npos) {
    return InvalidArgument(where + ": query strings and fragments are not supported");
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  out.base_path = path.empty() ? "/v1" : path;
  return out;
}

}  // namespace dsinfer::loadtest
