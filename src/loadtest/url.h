// The server address given as --url: "http://HOST[:PORT][/BASE]", where BASE is the OpenAI
// base path ("/v1" when omitted or when the URL is just the origin). Generation requests go to
// BASE + "/chat/completions" or "/completions"; /tokenize and /metrics live at the origin.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "base/status.h"

namespace dsinfer::loadtest {

struct ServerUrl {
  std::string host;  // without brackets for IPv6 literals
  int port = 80;
  std::string base_path;  // "/v1" (no trailing slash)

  // The Host header value ("host:port", IPv6 literals bracketed).
  std::string HostHeader() const;
  // "http://host:port" + base_path, for messages.
  std::string ToString() const;
};

// Parses --url. https is refused with a message (loadtest speaks plain HTTP; put it next to the
// server or in front of the TLS terminator).
Expected<ServerUrl> ParseServerUrl(const std::string& url);

}  // namespace dsinfer::loadtest
