#include "server/completion_json.h"

#include <limits>

#include "server/api_json_internal.h"

namespace dsinfer::server {

using api_json::Dump;
using api_json::Fail;
using api_json::FieldError;
using api_json::Json;

namespace {

std::vector<int32_t> TokenIds(const Json& arr, const std::string& field) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < arr.size(); ++i) {
    const Json& t = arr[i];
    if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
      Fail(field + "[" + std::to_string(i) + "]", std::string("expected a token id, got ") + api_json::TypeName(t));
    }
    ids.push_back(static_cast<int32_t>(t.get<int64_t>()));
  }
  return ids;
}

void ReadPrompts(const Json& body, CompletionRequest* out) {
  auto it = body.find("prompt");
  if (it == body.end() || it->is_null()) Fail("prompt", "is required");
  const Json& p = *it;
  if (p.is_string()) {
    out->prompts.push_back({p.get<std::string>(), {}, false});
  } else if (p.is_array()) {
    if (p.empty()) Fail("prompt", "must not be empty");
    if (p[0].is_number()) {
      out->prompts.push_back({"", TokenIds(p, "prompt"), true});
    } else {
      for (size_t i = 0; i < p.size(); ++i) {
        const std::string field = "prompt[" + std::to_string(i) + "]";
        if (p[i].is_string()) {
          out->prompts.push_back({p[i].get<std::string>(), {}, false});
        } else if (p[i].is_array()) {
          if (p[i].empty()) Fail(field, "must not be empty");
          out->prompts.push_back({"", TokenIds(p[i], field), true});
        } else {
          Fail(field, std::string("expected a string or an array of token ids, got ") + api_json::TypeName(p[i]));
        }
      }
    }
  } else {
    Fail("prompt", std::string("expected a string, an array of strings or token ids, got ") + api_json::TypeName(p));
  }
  if (out->prompts.size() > 64) Fail("prompt", "at most 64 prompts per request");
}

Json LegacyLogprobs(const std::vector<TokenLogprobOut>& entries) {
  Json tokens = Json::array(), lps = Json::array(), tops = Json::array(), offsets = Json::array();
  size_t offset = 0;
  for (const auto& e : entries) {
    tokens.push_back(e.token);
    lps.push_back(e.logprob);
    Json top = Json::object();
    for (const auto& alt : e.top) top[alt.token] = alt.logprob;
    tops.push_back(top);
    offsets.push_back(offset);
    offset += e.token.size();
  }
  return {{"tokens", tokens}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offsets}};
}

}  // namespace

std::optional<ApiError> ParseCompletionRequest(std::string_view body, const RequestLimits& limits,
                                               CompletionRequest* out) {
  try {
    const Json j = api_json::ParseBody(body);
    out->model = api_json::OptString(j, "model").value_or("");
    ReadPrompts(j, out);
    out->echo = api_json::OptBool(j, "echo").value_or(false);
    if (auto suffix = api_json::OptString(j, "suffix"); suffix && !suffix->empty()) {
      Fail("suffix", "is not supported");
    }
    api_json::ReadGenerationOptions(j, /*chat=*/false, limits, &out->options);
    if (out->prompts.size() * static_cast<size_t>(out->options.n) > static_cast<size_t>(limits.max_n) * 4) {
      Fail("n", "prompts x n is too large for one request");
    }
  } catch (const FieldError& e) {
    return e.error;
  }
  return std::nullopt;
}

std::string CompletionToJson(const ResponseHeader& header, const std::vector<ChoiceOut>& choices,
                             const UsageOut& usage) {
  Json cs = Json::array();
  for (const auto& c : choices) {
    Json choice = {{"index", c.index}, {"text", c.text}, {"finish_reason", c.finish_reason}};
    choice["logprobs"] = c.logprobs ? LegacyLogprobs(*c.logprobs) : Json(nullptr);
    cs.push_back(std::move(choice));
  }
  Json j = {{"id", header.id},       {"object", "text_completion"}, {"created", header.created},
            {"model", header.model}, {"choices", cs},              {"usage", api_json::UsageJson(usage)},
            {"system_fingerprint", nullptr}};
  return Dump(j);
}

std::string CompletionChunkToJson(const ResponseHeader& header, const std::vector<ChoiceDelta>& deltas,
                                  const std::optional<UsageOut>& usage) {
  Json cs = Json::array();
  for (const auto& d : deltas) {
    Json choice = {{"index", d.index}, {"text", d.text.value_or("")}};
    choice["finish_reason"] = d.finish_reason.empty() ? Json(nullptr) : Json(d.finish_reason);
    choice["logprobs"] = d.logprobs ? LegacyLogprobs(*d.logprobs) : Json(nullptr);
    cs.push_back(std::move(choice));
  }
  Json j = {{"id", header.id}, {"object", "text_completion"}, {"created", header.created},
            {"model", header.model}, {"choices", cs}};
  j["usage"] = usage ? api_json::UsageJson(*usage) : Json(nullptr);
  return Dump(j);
}

}  // namespace dsinfer::server
