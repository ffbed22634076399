#include "server/request_log.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

namespace dsinfer::server {

using Json = nlohmann::ordered_json;  // keys in the order written: ts, level, event first

namespace {

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

double Round3(double v) { return static_cast<double>(static_cast<int64_t>(v * 1000.0 + (v >= 0 ? 0.5 : -0.5))) / 1000.0; }

}  // namespace

std::string UtcTimestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string Logger::FormatRequest(const RequestLogRecord& r, const std::string& timestamp) {
  Json j = {{"ts", timestamp}, {"level", r.status >= 500 ? "error" : "info"}, {"event", "request"}};
  j["request_id"] = r.request_id;
  j["endpoint"] = r.endpoint;
  j["method"] = r.method;
  j["path"] = r.path;
  j["status"] = r.status;
  j["client_address"] = r.client_address;
  j["api_key_id"] = r.api_key_id.empty() ? Json(nullptr) : Json(r.api_key_id);
  if (!r.model.empty()) j["model"] = r.model;
  j["stream"] = r.stream;
  j["duration_ms"] = Round3(r.duration_ms);
  auto opt_int = [&](const char* key, const std::optional<int>& v) { j[key] = v ? Json(*v) : Json(nullptr); };
  auto opt_ms = [&](const char* key, const std::optional<double>& v) { j[key] = v ? Json(Round3(*v)) : Json(nullptr); };
  opt_int("prompt_tokens", r.prompt_tokens);
  opt_int("completion_tokens", r.completion_tokens);
  opt_int("cached_tokens", r.cached_tokens);
  opt_ms("queue_ms", r.queue_ms);
  opt_ms("ttft_ms", r.ttft_ms);
  opt_ms("generation_time_ms", r.generation_time_ms);
  opt_ms("tokens_per_s", r.tokens_per_s);
  j["finish_reason"] = r.finish_reason.empty() ? Json(nullptr) : Json(r.finish_reason);
  if (!r.error_code.empty()) j["error_code"] = r.error_code;
  if (r.prompt) j["prompt"] = *r.prompt;
  if (r.completion) j["completion"] = *r.completion;
  return Dump(j);
}

void Logger::Request(const RequestLogRecord& record) { Write(FormatRequest(record, UtcTimestamp())); }

void Logger::Event(const std::string& event, const LogFields& fields, const std::string& level) {
  Json j = {{"ts", UtcTimestamp()}, {"level", level}, {"event", event}};
  for (const auto& [key, value] : fields) {
    std::visit([&, k = key](const auto& v) { j[k] = v; }, value);
  }
  Write(Dump(j));
}

void Logger::Write(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace dsinfer::server
