// BlockingHttpClient: plain HTTP/1.1 calls for the set-up before a run (GET /v1/models,
// POST /tokenize), never during it. Keeps one keep-alive connection and reopens it when the
// server has closed it; every call is bounded by `timeout_s`. Boost stays in the .cc file.
// Thread-compatible: one caller at a time.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "loadtest/url.h"

namespace dsinfer::loadtest {

struct HttpReply {
  int status = 0;
  std::string body;
};

class BlockingHttpClient {
 public:
  BlockingHttpClient(ServerUrl url, std::string api_key, double timeout_s);
  ~BlockingHttpClient();
  BlockingHttpClient(const BlockingHttpClient&) = delete;
  BlockingHttpClient& operator=(const BlockingHttpClient&) = delete;

  // Sends `method target` with a JSON `body` (none when empty). Any HTTP status is a reply;
  // errors are failures to connect, send or read (IoError naming the URL), or the timeout.
  Expected<HttpReply> Call(const std::string& method, const std::string& target,
                           const std::string& body = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsinfer::loadtest
