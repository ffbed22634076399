#include "loadtest/stream_chunk.h"

#include <nlohmann/json.hpp>

namespace dsinfer::loadtest {

namespace {

using Json = nlohmann::json;

std::string Quote(std::string_view data) {
  constexpr size_t kMax = 120;
  std::string out(data.substr(0, kMax));
  if (data.size() > kMax) out += "...";
  return "'" + out + "'";
}

bool NonEmptyString(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

bool ChoiceHasOutput(const Json& choice) {
  if (!choice.is_object()) return false;
  if (NonEmptyString(choice, "text")) return true;  // completions
  auto delta = choice.find("delta");                // chat
  if (delta == choice.end() || !delta->is_object()) return false;
  if (NonEmptyString(*delta, "content") || NonEmptyString(*delta, "reasoning_content") ||
      NonEmptyString(*delta, "reasoning")) {
    return true;
  }
  auto calls = delta->find("tool_calls");
  return calls != delta->end() && calls->is_array() && !calls->empty();
}

}  // namespace

Expected<StreamChunk> ParseStreamChunk(std::string_view data) {
  StreamChunk chunk;
  if (data == "[DONE]") {
    chunk.done = true;
    return chunk;
  }
  Json j = Json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return DataLoss("stream event is not JSON: " + Quote(data));
  if (!j.is_object()) return DataLoss("stream event is not a JSON object: " + Quote(data));
  if (auto error = j.find("error"); error != j.end() && !error->is_null()) {
    std::string message;
    if (error->is_object() && error->contains("message") && (*error)["message"].is_string()) {
      message = (*error)["message"].get<std::string>();
    } else {
      message = error->dump();
    }
    chunk.error = message.empty() ? "error event without a message" : message;
    return chunk;
  }
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array()) {
    return DataLoss("stream event has no 'choices' array: " + Quote(data));
  }
  for (const Json& choice : *choices) {
    if (ChoiceHasOutput(choice)) {
      chunk.has_output = true;
      break;
    }
  }
  if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
    auto count = [&](const char* key) -> std::optional<int64_t> {
      auto it = usage->find(key);
      if (it == usage->end() || !it->is_number_integer()) return std::nullopt;
      return it->get<int64_t>();
    };
    auto prompt = count("prompt_tokens");
    auto completion = count("completion_tokens");
    if (!prompt || !completion)
      return DataLoss("stream event has a 'usage' without integer token counts: " + Quote(data));
    chunk.usage = TokenUsage{*prompt, *completion};
  }
  return chunk;
}

}  // namespace dsinfer::loadtest
