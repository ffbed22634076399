#include "loadtest/request_source.h"

#include <nlohmann/json.hpp>

#include "base/check.h"

namespace dsinfer::loadtest {

using Json = nlohmann::json;

std::string BuildRequestBody(const BodyOptions& options, const std::string& prompt,
                             const std::string& messages_json, std::optional<int> max_tokens) {
  Json j = Json::object();
  if (!options.model.empty()) j["model"] = options.model;
  if (options.endpoint == Endpoint::kChat) {
    if (!messages_json.empty()) {
      j["messages"] = Json::parse(messages_json);
    } else {
      j["messages"] = Json::array({Json{{"role", "user"}, {"content", prompt}}});
    }
  } else {
    j["prompt"] = prompt;
  }
  j["max_tokens"] = max_tokens.value_or(options.max_tokens);
  j["stream"] = true;
  j["stream_options"] = Json{{"include_usage", true}};
  if (options.ignore_eos) j["ignore_eos"] = true;
  // Invalid UTF-8 (possible only in dataset text) is replaced, never a reason to stop the run.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

GeneratedSource::GeneratedSource(PromptGenerator generator, BodyOptions body,
                                 std::vector<GeneratedPrompt> pool)
    : generator_(std::move(generator)), body_(std::move(body)), pool_(std::move(pool)) {}

RequestPlan GeneratedSource::Plan(uint64_t index) {
  GeneratedPrompt p = pool_.empty() ? generator_.Generate(index) : pool_[index % pool_.size()];
  return {BuildRequestBody(body_, p.text), p.tokens};
}

DatasetSource::DatasetSource(std::vector<DatasetEntry> entries, BodyOptions body)
    : entries_(std::move(entries)), body_(std::move(body)) {
  CHECK(!entries_.empty());
}

RequestPlan DatasetSource::Plan(uint64_t index) {
  const DatasetEntry& e = entries_[index % entries_.size()];
  return {BuildRequestBody(body_, e.prompt, e.messages_json, e.max_tokens), 0};
}

}  // namespace dsinfer::loadtest
