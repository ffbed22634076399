// The JSON edge shared by the generation endpoints: typed field readers and the sampling /
// output options of chat and text completions.
#include <cmath>
#include <limits>

#include "chat/jinja/json.h"
#include "server/api_json_internal.h"

namespace dsinfer::server::api_json {

void Fail(const std::string& field, const std::string& problem) {
  throw FieldError{ApiError::InvalidRequest(field.empty() ? problem : field + ": " + problem, field)};
}

const char* TypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    default: return "unknown";
  }
}

Json ParseBody(std::string_view body) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    throw FieldError{ApiError::InvalidRequest("The request body is not valid JSON", "", "invalid_json")};
  }
  if (!j.is_object()) {
    throw FieldError{ApiError::InvalidRequest(std::string("The request body must be a JSON object, got ") +
                                                  TypeName(j), "", "invalid_json")};
  }
  return j;
}

namespace {

const Json* Present(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

std::optional<std::string> OptString(const Json& obj, const char* key) {
  const Json* v = Present(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) Fail(key, std::string("expected a string, got ") + TypeName(*v));
  return v->get<std::string>();
}

std::optional<bool> OptBool(const Json& obj, const char* key) {
  const Json* v = Present(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) Fail(key, std::string("expected a boolean, got ") + TypeName(*v));
  return v->get<bool>();
}

std::optional<int64_t> OptInt(const Json& obj, const char* key, int64_t min, int64_t max) {
  const Json* v = Present(obj, key);
  if (!v) return std::nullopt;
  int64_t n = 0;
  if (v->is_number_integer()) {
    n = v->get<int64_t>();
  } else if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    n = u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? std::numeric_limits<int64_t>::max()
                                                                       : static_cast<int64_t>(u);
  } else if (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>() &&
             std::fabs(v->get<double>()) < 9e15) {
    n = static_cast<int64_t>(v->get<double>());  // 5.0 is accepted as 5, as Python clients send
  } else {
    Fail(key, std::string("expected an integer, got ") + TypeName(*v));
  }
  if (n < min || n > max) {
    Fail(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(n));
  }
  return n;
}

std::optional<double> OptNumber(const Json& obj, const char* key, double min, double max) {
  const Json* v = Present(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) Fail(key, std::string("expected a number, got ") + TypeName(*v));
  const double d = v->get<double>();
  if (!(d >= min && d <= max)) {
    Fail(key, "must be in [" + Dump(Json(min)) + ", " + Dump(Json(max)) + "], got " + Dump(*v));
  }
  return d;
}

void ReadGenerationOptions(const Json& body, bool chat, const RequestLimits& limits, GenerationOptions* o) {
  o->max_tokens = limits.default_max_tokens;
  const char* max_key = "max_tokens";
  std::optional<int64_t> max_tokens = OptInt(body, "max_tokens", 1, std::numeric_limits<int32_t>::max());
  if (chat) {
    if (auto mct = OptInt(body, "max_completion_tokens", 1, std::numeric_limits<int32_t>::max())) {
      max_tokens = mct;
      max_key = "max_completion_tokens";
    }
  }
  if (max_tokens) {
    if (*max_tokens > limits.max_tokens_limit) {
      Fail(max_key, "must be at most " + std::to_string(limits.max_tokens_limit) + " on this server, got " +
                        std::to_string(*max_tokens));
    }
    o->max_tokens = static_cast<int>(*max_tokens);
    o->max_tokens_given = true;
  }
  if (auto n = OptInt(body, "n", 1, limits.max_n)) o->n = static_cast<int>(*n);
  if (auto best_of = OptInt(body, "best_of", 1, limits.max_n); best_of && *best_of != o->n) {
    Fail("best_of", "is not supported (must equal n)");
  }
  if (const Json* stop = body.contains("stop") ? &body["stop"] : nullptr; stop && !stop->is_null()) {
    if (stop->is_string()) {
      o->stop.push_back(stop->get<std::string>());
    } else if (stop->is_array()) {
      if (stop->size() > 16) Fail("stop", "at most 16 stop strings are allowed, got " + std::to_string(stop->size()));
      for (size_t i = 0; i < stop->size(); ++i) {
        const Json& s = (*stop)[i];
        if (!s.is_string()) Fail("stop[" + std::to_string(i) + "]", std::string("expected a string, got ") + TypeName(s));
        o->stop.push_back(s.get<std::string>());
      }
    } else {
      Fail("stop", std::string("expected a string or an array of strings, got ") + TypeName(*stop));
    }
    for (size_t i = 0; i < o->stop.size(); ++i) {
      if (o->stop[i].empty()) Fail("stop[" + std::to_string(i) + "]", "stop strings must not be empty");
    }
  }
  if (auto t = OptNumber(body, "temperature", 0.0, 2.0)) o->temperature = static_cast<float>(*t);
  if (auto p = OptNumber(body, "top_p", 0.0, 1.0)) {
    if (*p <= 0.0) Fail("top_p", "must be in (0, 1], got 0");
    o->top_p = static_cast<float>(*p);
  }
  if (auto k = OptInt(body, "top_k", -1, std::numeric_limits<int32_t>::max())) o->top_k = static_cast<int>(*k);
  if (auto m = OptNumber(body, "min_p", 0.0, 1.0)) o->min_p = static_cast<float>(*m);
  if (auto r = OptNumber(body, "repetition_penalty", 0.0, 10.0)) {
    if (*r <= 0.0) Fail("repetition_penalty", "must be > 0");
    o->repetition_penalty = static_cast<float>(*r);
  }
  if (auto p = OptNumber(body, "presence_penalty", -2.0, 2.0)) o->presence_penalty = static_cast<float>(*p);
  if (auto f = OptNumber(body, "frequency_penalty", -2.0, 2.0)) o->frequency_penalty = static_cast<float>(*f);
  if (auto s = OptInt(body, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max())) {
    o->seed = static_cast<uint64_t>(*s);
  }
  if (chat) {
    o->logprobs = OptBool(body, "logprobs").value_or(false);
    if (auto k = OptInt(body, "top_logprobs", 0, 20)) {
      if (!o->logprobs && *k > 0) Fail("top_logprobs", "requires logprobs to be true");
      o->top_logprobs = static_cast<int>(*k);
    }
  } else if (auto k = OptInt(body, "logprobs", 0, 20)) {
    o->logprobs = true;
    o->top_logprobs = static_cast<int>(*k);
  }
  if (const Json* bias = body.contains("logit_bias") ? &body["logit_bias"] : nullptr; bias && !bias->is_null()) {
    if (!bias->is_object()) Fail("logit_bias", std::string("expected an object, got ") + TypeName(*bias));
    for (auto it = bias->begin(); it != bias->end(); ++it) {
      const std::string field = "logit_bias." + it.key();
      char* end = nullptr;
      const long id = std::strtol(it.key().c_str(), &end, 10);
      if (it.key().empty() || *end != '\0' || id < 0 || id > std::numeric_limits<int32_t>::max()) {
        Fail(field, "keys must be token ids");
      }
      if (limits.n_vocab > 0 && id >= limits.n_vocab) {
        Fail(field, "token id " + it.key() + " is outside the vocabulary (" + std::to_string(limits.n_vocab) + " tokens)");
      }
      if (!it.value().is_number()) Fail(field, std::string("expected a number, got ") + TypeName(it.value()));
      const double b = it.value().get<double>();
      if (!(b >= -100.0 && b <= 100.0)) Fail(field, "must be in [-100, 100]");
      o->logit_bias.emplace_back(static_cast<int32_t>(id), static_cast<float>(b));
    }
  }
  o->ignore_eos = OptBool(body, "ignore_eos").value_or(false);
  if (auto p = OptInt(body, "priority", -1000000, 1000000)) o->priority = static_cast<int>(*p);
  o->stream = OptBool(body, "stream").value_or(false);
  if (const Json* so = body.contains("stream_options") ? &body["stream_options"] : nullptr; so && !so->is_null()) {
    if (!so->is_object()) Fail("stream_options", std::string("expected an object, got ") + TypeName(*so));
    if (!o->stream) Fail("stream_options", "is only allowed when stream is true");
    if (so->contains("include_usage") && !(*so)["include_usage"].is_null()) {
      if (!(*so)["include_usage"].is_boolean()) Fail("stream_options.include_usage", "expected a boolean");
      o->include_usage = (*so)["include_usage"].get<bool>();
    }
  }
  o->user = OptString(body, "user").value_or("");
}

jinja::Value ToTemplateValue(const Json& v, const std::string& field) {
  auto parsed = jinja::ParseJson(Dump(v));
  if (!parsed.ok()) Fail(field, parsed.status().message());
  return std::move(parsed).value();
}

namespace {
std::vector<int> Bytes(const std::string& s) {
  std::vector<int> out;
  for (unsigned char c : s) out.push_back(c);
  return out;
}
}  // namespace

Json LogprobsContentJson(const std::vector<TokenLogprobOut>& entries) {
  Json content = Json::array();
  for (const auto& e : entries) {
    Json top = Json::array();
    for (const auto& alt : e.top) {
      top.push_back({{"token", alt.token}, {"logprob", alt.logprob}, {"bytes", Bytes(alt.token)}});
    }
    content.push_back({{"token", e.token}, {"logprob", e.logprob}, {"bytes", Bytes(e.token)}, {"top_logprobs", top}});
  }
  return content;
}

Json ToolCallsJson(const std::vector<ToolCallOut>& calls, int base_index, bool streaming) {
  Json out = Json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    Json c = {{"id", calls[i].id},
              {"type", "function"},
              {"function", {{"name", calls[i].name}, {"arguments", calls[i].arguments}}}};
    if (streaming) c["index"] = base_index + static_cast<int>(i);
    out.push_back(std::move(c));
  }
  return out;
}

Json UsageJson(const UsageOut& u) {
  return {{"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.prompt_tokens + u.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", u.cached_tokens}}}};
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace dsinfer::server::api_json
