#include "server/config_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace dsinfer::server {

namespace {

std::string Where(const std::string& source, const YAML::Mark& mark) {
  return source + ":" + std::to_string(mark.line + 1);
}

}  // namespace

Status ApplyConfigYaml(ServerConfig& config, const std::string& yaml, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source + ": not valid YAML: " + e.what());
  }
  if (root.IsNull()) return Status::Ok();  // an empty file changes nothing
  if (!root.IsMap()) return InvalidArgument(source + ": expected a map of option: value");
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    const std::string where = Where(source, entry.first.Mark());
    std::string text;
    if (value.IsScalar()) {
      text = value.Scalar();
    } else if (value.IsSequence()) {
      for (const auto& item : value) {
        if (!item.IsScalar()) return InvalidArgument(where + ": " + key + ": list items must be scalars");
        if (!text.empty()) text += ",";
        text += item.Scalar();
      }
    } else if (value.IsNull()) {
      text = "";
    } else {
      return InvalidArgument(where + ": " + key + ": expected a scalar or a list, not a map");
    }
    DSINFER_RETURN_IF_ERROR(ApplyConfigValue(config, key, text, where));
  }
  return Status::Ok();
}

Status ApplyConfigFile(ServerConfig& config, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("config file " + path + ": cannot be opened");
  std::stringstream ss;
  ss << in.rdbuf();
  return ApplyConfigYaml(config, ss.str(), path);
}

}  // namespace dsinfer::server
