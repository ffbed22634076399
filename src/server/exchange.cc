#include "server/exchange.h"

namespace dsinfer::server {

Exchange::Exchange(std::shared_ptr<ResponseSink> connection, RequestLogRecord record, Logger& logger,
                   ServerMetrics& metrics)
    : connection_(std::move(connection)), record_(std::move(record)), logger_(logger), metrics_(metrics),
      start_(std::chrono::steady_clock::now()) {}

Exchange::~Exchange() {
  // A handler that dropped the exchange without answering is a bug; still leave a trace.
  if (!finished_) {
    record_.status = record_.status ? record_.status : 500;
    record_.error_code = record_.error_code.empty() ? "no_response" : record_.error_code;
    Finish();
  }
}

void Exchange::Send(HttpResponse response) {
  response.headers.Set("X-Request-Id", record_.request_id);
  record_.status = response.status;
  connection_->Send(std::move(response));
  Finish();
}

void Exchange::BeginStream(int status, HttpHeaders headers) {
  headers.Set("X-Request-Id", record_.request_id);
  record_.status = status;
  connection_->BeginStream(status, std::move(headers));
}

void Exchange::WriteChunk(std::string data) { connection_->WriteChunk(std::move(data)); }

void Exchange::EndStream() {
  connection_->EndStream();
  Finish();
}

void Exchange::SendJson(int status, std::string body, HttpHeaders headers) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  if (!r.headers.Has("Content-Type")) r.headers.Set("Content-Type", "application/json");
  r.body = std::move(body);
  Send(std::move(r));
}

void Exchange::SendError(const ApiError& error) {
  HttpHeaders headers;
  if (error.retry_after_s) headers.Set("Retry-After", std::to_string(*error.retry_after_s));
  record_.error_code = error.code.empty() ? error.type : error.code;
  SendJson(error.http_status, error.ToJson(), std::move(headers));
}

void Exchange::Abandon() {
  record_.status = 499;
  Finish();
}

void Exchange::Finish() {
  if (finished_) return;
  finished_ = true;
  record_.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  metrics_.RecordHttpRequest(record_.endpoint, record_.status, record_.duration_ms / 1000.0);
  logger_.Request(record_);
}

}  // namespace dsinfer::server
