// Structured logs: one JSON object per line with stable keys.
//   {"ts":"2026-01-02T03:04:05.678Z","level":"info","event":"request","request_id":...,...}
// Request lines carry the fields of RequestLogRecord; lifecycle lines ("starting",
// "listening", "model_loaded", "ready", "draining", "stopped", ...) carry their own fields.
// Prompts and completions appear only when the record has them (the server fills them only
// with --log-prompts); Authorization headers and API keys are never passed in.
//
// Thread-safety: every method is safe from any thread; each line is written whole.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dsinfer::server {

struct RequestLogRecord {
  std::string request_id;
  std::string endpoint;
  std::string method;
  std::string path;
  int status = 0;
  std::string client_address;
  std::string api_key_id;              // empty when authentication is off
  std::string model;
  bool stream = false;
  double duration_ms = 0;              // request read -> response complete
  std::optional<int> prompt_tokens;
  std::optional<int> completion_tokens;
  std::optional<int> cached_tokens;
  std::optional<double> queue_ms;
  std::optional<double> ttft_ms;
  std::optional<double> generation_time_ms;  // submit -> finished, engine side
  std::optional<double> tokens_per_s;        // completion tokens / decode time
  std::string finish_reason;
  std::string error_code;              // ApiError::code for failures
  std::optional<std::string> prompt;      // --log-prompts only
  std::optional<std::string> completion;  // --log-prompts only
};

using LogValue = std::variant<std::string, int64_t, double, bool>;
using LogFields = std::vector<std::pair<std::string, LogValue>>;

class Logger {
 public:
  // Writes to `out` (not owned; stderr by default).
  explicit Logger(FILE* out = stderr) : out_(out) {}

  void Request(const RequestLogRecord& record);
  // A lifecycle event; level is "info", "warning" or "error".
  void Event(const std::string& event, const LogFields& fields, const std::string& level = "info");

  // The JSON line (without the newline) Request would write; for tests.
  static std::string FormatRequest(const RequestLogRecord& record, const std::string& timestamp);

 private:
  void Write(const std::string& line);
  FILE* out_;
  std::mutex mu_;
};

// "2026-01-02T03:04:05.678Z" for now.
std::string UtcTimestamp();

}  // namespace dsinfer::server
