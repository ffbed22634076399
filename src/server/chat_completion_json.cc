#include "server/chat_completion_json.h"

#include "chat/openai_messages.h"
#include "server/api_json_internal.h"

namespace dsinfer::server {

using api_json::Dump;
using api_json::Fail;
using api_json::FieldError;
using api_json::Json;

namespace {

void ReadToolChoice(const Json& body, ChatCompletionRequest* out) {
  auto it = body.find("tool_choice");
  if (it == body.end() || it->is_null()) return;
  if (it->is_string()) {
    const std::string v = it->get<std::string>();
    if (v == "auto") out->tool_choice = ToolChoiceMode::kAuto;
    else if (v == "none") out->tool_choice = ToolChoiceMode::kNone;
    else if (v == "required") out->tool_choice = ToolChoiceMode::kRequired;
    else Fail("tool_choice", "expected \"none\", \"auto\", \"required\" or a function object, got \"" + v + "\"");
    return;
  }
  if (!it->is_object()) Fail("tool_choice", std::string("expected a string or an object, got ") + api_json::TypeName(*it));
  auto fn = it->find("function");
  if (fn == it->end() || !fn->is_object() || !fn->contains("name") || !(*fn)["name"].is_string()) {
    Fail("tool_choice.function.name", "expected a string");
  }
  out->tool_choice = ToolChoiceMode::kFunction;
  out->tool_choice_function = (*fn)["name"].get<std::string>();
  bool found = false;
  for (const auto& tool : out->tools) {
    const auto* f = tool.is_dict() ? tool.as_dict().Find("function") : nullptr;
    const auto* name = f && f->is_dict() ? f->as_dict().Find("name") : nullptr;
    if (name && name->is_string() && name->as_string() == out->tool_choice_function) found = true;
  }
  if (!found) Fail("tool_choice.function.name", "no tool named '" + out->tool_choice_function + "' in tools");
}

}  // namespace

std::optional<ApiError> ParseChatCompletionRequest(std::string_view body, const RequestLimits& limits,
                                                   ChatCompletionRequest* out) {
  try {
    const Json j = api_json::ParseBody(body);
    out->model = api_json::OptString(j, "model").value_or("");
    auto messages = j.find("messages");
    if (messages == j.end() || messages->is_null()) Fail("messages", "is required");
    if (!messages->is_array()) Fail("messages", std::string("expected an array, got ") + api_json::TypeName(*messages));
    if (messages->empty()) Fail("messages", "must contain at least one message");
    for (size_t i = 0; i < messages->size(); ++i) {
      const Json& m = (*messages)[i];
      const std::string path = "messages[" + std::to_string(i) + "]";
      if (!m.is_object()) Fail(path, std::string("expected an object, got ") + api_json::TypeName(m));
      auto role = m.find("role");
      if (role == m.end() || !role->is_string()) Fail(path + ".role", "expected a string");
      const std::string r = role->get<std::string>();
      if (r != "system" && r != "user" && r != "assistant" && r != "tool" && r != "developer") {
        Fail(path + ".role", "expected system, developer, user, assistant or tool, got \"" + r + "\"");
      }
    }
    auto parsed = chat::ParseOpenAiMessages(Dump(*messages));
    if (!parsed.ok()) throw FieldError{ApiError::FromStatus(parsed.status())};
    out->messages = std::move(parsed).value();
    for (auto& m : out->messages) {
      if (m.role == "developer") m.role = "system";  // newer clients send "developer" for system
    }
    if (auto tools = j.find("tools"); tools != j.end() && !tools->is_null()) {
      auto parsed_tools = chat::ParseOpenAiTools(Dump(*tools));
      if (!parsed_tools.ok()) throw FieldError{ApiError::FromStatus(parsed_tools.status(), "tools")};
      out->tools = std::move(parsed_tools).value();
    }
    ReadToolChoice(j, out);
    if (out->tool_choice != ToolChoiceMode::kNone && out->tool_choice != ToolChoiceMode::kAuto && out->tools.empty()) {
      Fail("tool_choice", "requires tools");
    }
    if (auto kw = j.find("chat_template_kwargs"); kw != j.end() && !kw->is_null()) {
      if (!kw->is_object()) Fail("chat_template_kwargs", "expected an object");
      auto v = api_json::ToTemplateValue(*kw, "chat_template_kwargs");
      out->template_kwargs = v.as_dict();
    }
    api_json::ReadGenerationOptions(j, /*chat=*/true, limits, &out->options);
  } catch (const FieldError& e) {
    return e.error;
  }
  return std::nullopt;
}

std::string ChatCompletionToJson(const ResponseHeader& header, const std::vector<ChoiceOut>& choices,
                                 const UsageOut& usage) {
  Json cs = Json::array();
  for (const auto& c : choices) {
    Json message = {{"role", "assistant"}};
    message["content"] = (c.text.empty() && !c.tool_calls.empty()) ? Json(nullptr) : Json(c.text);
    if (c.reasoning) message["reasoning_content"] = *c.reasoning;
    if (!c.tool_calls.empty()) message["tool_calls"] = api_json::ToolCallsJson(c.tool_calls, 0, false);
    Json choice = {{"index", c.index}, {"message", message}, {"finish_reason", c.finish_reason}};
    choice["logprobs"] = c.logprobs ? Json{{"content", api_json::LogprobsContentJson(*c.logprobs)}} : Json(nullptr);
    cs.push_back(std::move(choice));
  }
  Json j = {{"id", header.id},         {"object", "chat.completion"}, {"created", header.created},
            {"model", header.model},   {"choices", cs},              {"usage", api_json::UsageJson(usage)},
            {"system_fingerprint", nullptr}};
  return Dump(j);
}

std::string ChatCompletionChunkToJson(const ResponseHeader& header, const std::vector<ChoiceDelta>& deltas,
                                      const std::optional<UsageOut>& usage) {
  Json cs = Json::array();
  for (const auto& d : deltas) {
    Json delta = Json::object();
    if (d.role) delta["role"] = "assistant";
    if (d.text) delta["content"] = *d.text;
    if (d.reasoning) delta["reasoning_content"] = *d.reasoning;
    if (!d.tool_calls.empty()) delta["tool_calls"] = api_json::ToolCallsJson(d.tool_calls, d.tool_call_base, true);
    Json choice = {{"index", d.index}, {"delta", delta}};
    choice["finish_reason"] = d.finish_reason.empty() ? Json(nullptr) : Json(d.finish_reason);
    choice["logprobs"] = d.logprobs ? Json{{"content", api_json::LogprobsContentJson(*d.logprobs)}} : Json(nullptr);
    cs.push_back(std::move(choice));
  }
  Json j = {{"id", header.id}, {"object", "chat.completion.chunk"}, {"created", header.created},
            {"model", header.model}, {"choices", cs}};
  j["usage"] = usage ? api_json::UsageJson(*usage) : Json(nullptr);
  return Dump(j);
}

}  // namespace dsinfer::server
