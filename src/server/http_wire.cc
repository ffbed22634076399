#include "server/http_wire.h"

#include <cstdio>

#include "base/check.h"

namespace dsinfer::server {

std::string ResponseHead(int status, const HttpHeaders& headers, std::optional<size_t> content_length,
                         bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + HttpReasonPhrase(status) + "\r\n";
  if (!headers.Has("Content-Type")) out += "Content-Type: application/json\r\n";
  if (!headers.Has("Server")) out += "Server: dsinfer\r\n";
  for (const auto& [name, value] : headers.entries()) {
    out += name;
    out += ": ";
    for (char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;  // no header injection
    out += "\r\n";
  }
  if (content_length) {
    out += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  } else {
    out += "Transfer-Encoding: chunked\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  return out;
}

std::string ChunkFrame(std::string_view data) {
  CHECK(!data.empty()) << "an empty chunk would end the body";
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out = size;
  out.append(data);
  out += "\r\n";
  return out;
}

std::string LastChunk() { return "0\r\n\r\n"; }

}  // namespace dsinfer::server
