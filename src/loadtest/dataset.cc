#include "loadtest/dataset.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace dsinfer::loadtest {

using Json = nlohmann::json;

Expected<std::vector<DatasetEntry>> ParseDataset(const std::string& text, const std::string& name,
                                                 Endpoint endpoint) {
  std::vector<DatasetEntry> out;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = name + ":" + std::to_string(line_no);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
      return InvalidArgument(where + ": expected one JSON object per line");
    DatasetEntry e;
    auto prompt = j.find("prompt");
    auto messages = j.find("messages");
    const bool has_prompt = prompt != j.end() && !prompt->is_null();
    const bool has_messages = messages != j.end() && !messages->is_null();
    if (has_prompt == has_messages)
      return InvalidArgument(where + ": give exactly one of \"prompt\" or \"messages\"");
    if (has_prompt) {
      if (!prompt->is_string()) return InvalidArgument(where + ": \"prompt\" must be a string");
      e.prompt = prompt->get<std::string>();
    } else {
      if (!messages->is_array() || messages->empty()) {
        return InvalidArgument(where + ": \"messages\" must be a non-empty array of chat messages");
      }
      if (endpoint == Endpoint::kCompletions) {
        return InvalidArgument(
            where + ": \"messages\" needs --endpoint chat (completions takes \"prompt\")");
      }
      e.messages_json = messages->dump();
    }
    if (auto mt = j.find("max_tokens"); mt != j.end() && !mt->is_null()) {
      if (!mt->is_number_integer() || mt->get<int64_t>() < 1 || mt->get<int64_t>() > (1 << 30)) {
        return InvalidArgument(where + ": \"max_tokens\" must be a positive integer");
      }
      e.max_tokens = static_cast<int>(mt->get<int64_t>());
    }
    out.push_back(std::move(e));
  }
  if (out.empty()) return InvalidArgument(name + ": the dataset has no entries");
  return out;
}

Expected<std::vector<DatasetEntry>> LoadDataset(const std::string& path, Endpoint endpoint) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("--dataset " + path + ": cannot open the file");
  std::ostringstream text;
  text << file.rdbuf();
  return ParseDataset(text.str(), path, endpoint);
}

}  // namespace dsinfer::loadtest
