// Exchange: one HTTP request/response pair as the handlers see it. It is the ResponseSink the
// handlers answer through (forwarding to the connection's sink), and it owns the request's log
// record: every response carries X-Request-Id, and when the response is complete (Send or
// EndStream) or abandoned because the client left (Abandon), exactly one JSON log line is
// written and the request metrics are recorded.
//
// Thread-safety: like ResponseSink: Post() from any thread, everything else on the
// connection's strand.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "server/api_error.h"
#include "server/request_log.h"
#include "server/response_sink.h"
#include "server/server_metrics.h"

namespace dsinfer::server {

class Exchange final : public ResponseSink {
 public:
  Exchange(std::shared_ptr<ResponseSink> connection, RequestLogRecord record, Logger& logger, ServerMetrics& metrics);
  ~Exchange() override;

  RequestLogRecord& record() { return record_; }
  const std::string& request_id() const { return record_.request_id; }

  // ResponseSink (each adds X-Request-Id; Send/EndStream finish the exchange).
  void Send(HttpResponse response) override;
  void BeginStream(int status, HttpHeaders headers) override;
  void WriteChunk(std::string data) override;
  void EndStream() override;
  void Post(std::function<void()> fn) override { connection_->Post(std::move(fn)); }
  void OnDisconnect(std::function<void()> fn) override { connection_->OnDisconnect(std::move(fn)); }
  bool connected() const override { return connection_->connected(); }

  // Convenience: a JSON body with `status`.
  void SendJson(int status, std::string body, HttpHeaders headers = {});
  // The OpenAI error object with the error's status (and Retry-After when it has one).
  void SendError(const ApiError& error);
  // Ends the exchange without a (complete) response: the client went away. Logged with
  // status 499 (the nginx convention for "client closed request").
  void Abandon();

  bool finished() const { return finished_; }

 private:
  void Finish();

  std::shared_ptr<ResponseSink> connection_;
  RequestLogRecord record_;
  Logger& logger_;
  ServerMetrics& metrics_;
  std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
};

}  // namespace dsinfer::server
