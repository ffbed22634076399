#include "loadtest/tokenize_counter.h"

#include <nlohmann/json.hpp>

namespace dsinfer::loadtest {

using Json = nlohmann::json;

TokenizeCounter::TokenizeCounter(BlockingHttpClient* http, std::string path, std::string model,
                                 Endpoint endpoint)
    : http_(http), path_(std::move(path)), model_(std::move(model)), endpoint_(endpoint) {}

Expected<int64_t> TokenizeCounter::CountPrompt(const std::string& text) {
  Json j = Json::object();
  if (!model_.empty()) j["model"] = model_;
  if (endpoint_ == Endpoint::kChat) {
    j["messages"] = Json::array({Json{{"role", "user"}, {"content", text}}});
    j["add_generation_prompt"] = true;
  } else {
    j["prompt"] = text;
  }
  return Count(j.dump());
}

Expected<int64_t> TokenizeCounter::CountFragment(const std::string& fragment) {
  Json j = Json::object();
  if (!model_.empty()) j["model"] = model_;
  j["prompt"] = fragment;
  j["add_special_tokens"] = false;
  return Count(j.dump());
}

Expected<int64_t> TokenizeCounter::Count(const std::string& body) {
  ++calls_;
  auto reply = http_->Call("POST", path_, body);
  if (!reply.ok()) return reply.status();
  const std::string where = "POST " + path_;
  if (reply->status == 404 || reply->status == 405)
    return NotFound(where + ": the server has no tokenize endpoint");
  if (reply->status != 200) {
    return InvalidArgument(where + " answered HTTP " + std::to_string(reply->status) + ": " +
                           reply->body.substr(0, 300));
  }
  Json j = Json::parse(reply->body, nullptr, false);
  if (j.is_object()) {
    if (auto c = j.find("count"); c != j.end() && c->is_number_integer()) return c->get<int64_t>();
    if (auto t = j.find("tokens"); t != j.end() && t->is_array())
      return static_cast<int64_t>(t->size());
  }
  return DataLoss(where + ": expected {\"count\": N} or {\"tokens\": [...]}, got " +
                  reply->body.substr(0, 200));
}

}  // namespace dsinfer::loadtest
