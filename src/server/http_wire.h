// HTTP/1.1 response framing as bytes: the status line and headers, and chunked-transfer frames.
// The session writes these strings to the socket as they are, so the exact bytes on the wire
// are unit-testable without a network. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/http_message.h"

namespace dsinfer::server {

// "HTTP/1.1 <status> <reason>\r\n" + headers + framing + "\r\n". With `content_length` the body
// is fixed-size; without it the body is chunked (Transfer-Encoding: chunked). `keep_alive`
// selects "Connection: keep-alive" or "close". Adds Content-Type: application/json and a
// Server header when absent.
std::string ResponseHead(int status, const HttpHeaders& headers, std::optional<size_t> content_length,
                         bool keep_alive);

// One chunk: "<hex size>\r\n<data>\r\n". `data` must not be empty.
std::string ChunkFrame(std::string_view data);

// The terminating chunk "0\r\n\r\n".
std::string LastChunk();

}  // namespace dsinfer::server
