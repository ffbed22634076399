#include "server/utility_api_json.h"

#include <limits>

#include "chat/openai_messages.h"
#include "server/api_json_internal.h"

namespace dsinfer::server {

using api_json::Dump;
using api_json::Fail;
using api_json::FieldError;
using api_json::Json;

std::string ModelListToJson(const std::vector<ModelCard>& models) {
  Json data = Json::array();
  for (const auto& m : models) {
    data.push_back({{"id", m.id},
                    {"object", "model"},
                    {"created", m.created},
                    {"owned_by", m.owned_by},
                    {"max_model_len", m.max_model_len}});
  }
  return Dump(Json{{"object", "list"}, {"data", data}});
}

std::optional<ApiError> ParseTokenizeRequest(std::string_view body, TokenizeRequest* out) {
  try {
    const Json j = api_json::ParseBody(body);
    out->model = api_json::OptString(j, "model").value_or("");
    out->add_special_tokens = api_json::OptBool(j, "add_special_tokens").value_or(true);
    out->add_generation_prompt = api_json::OptBool(j, "add_generation_prompt").value_or(true);
    auto messages = j.find("messages");
    if (messages != j.end() && !messages->is_null()) {
      if (!messages->is_array()) Fail("messages", "expected an array");
      auto parsed = chat::ParseOpenAiMessages(Dump(*messages));
      if (!parsed.ok()) throw FieldError{ApiError::FromStatus(parsed.status())};
      out->messages = std::move(parsed).value();
      out->has_messages = true;
      if (auto tools = j.find("tools"); tools != j.end() && !tools->is_null()) {
        auto parsed_tools = chat::ParseOpenAiTools(Dump(*tools));
        if (!parsed_tools.ok()) throw FieldError{ApiError::FromStatus(parsed_tools.status(), "tools")};
        out->tools = std::move(parsed_tools).value();
      }
      if (j.contains("prompt")) Fail("prompt", "give either prompt or messages, not both");
    } else {
      auto prompt = api_json::OptString(j, "prompt");
      if (!prompt) Fail("prompt", "is required (a string), or give messages");
      out->prompt = *prompt;
    }
  } catch (const FieldError& e) {
    return e.error;
  }
  return std::nullopt;
}

std::string TokenizeResponseToJson(const std::vector<int32_t>& tokens, int64_t max_model_len) {
  return Dump(Json{{"tokens", tokens}, {"count", tokens.size()}, {"max_model_len", max_model_len}});
}

std::optional<ApiError> ParseDetokenizeRequest(std::string_view body, DetokenizeRequest* out) {
  try {
    const Json j = api_json::ParseBody(body);
    out->model = api_json::OptString(j, "model").value_or("");
    auto tokens = j.find("tokens");
    if (tokens == j.end() || tokens->is_null()) Fail("tokens", "is required");
    if (!tokens->is_array()) Fail("tokens", std::string("expected an array of token ids, got ") + api_json::TypeName(*tokens));
    for (size_t i = 0; i < tokens->size(); ++i) {
      const Json& t = (*tokens)[i];
      if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
        Fail("tokens[" + std::to_string(i) + "]", std::string("expected a token id, got ") + Dump(t));
      }
      out->tokens.push_back(static_cast<int32_t>(t.get<int64_t>()));
    }
  } catch (const FieldError& e) {
    return e.error;
  }
  return std::nullopt;
}

std::string DetokenizeResponseToJson(const std::string& text) { return Dump(Json{{"prompt", text}}); }

std::string VersionToJson(const std::string& version) {
  return Dump(Json{{"version", version}, {"server", "dsinfer"}});
}

std::string StatusToJson(const std::string& status, const std::string& reason) {
  Json j = {{"status", status}};
  if (!reason.empty()) j["reason"] = reason;
  return Dump(j);
}

}  // namespace dsinfer::server
