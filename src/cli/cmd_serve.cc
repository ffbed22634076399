// `dsinfer serve [--model FILE] [--config FILE.yaml] [--port N] ...`: the OpenAI-compatible HTTP
// server. Every option of ServerConfig is a flag here (generated from ConfigFields(), so the
// flags, the YAML keys, the DSINFER_* variables and --help never disagree); values are layered
// defaults < YAML < environment < flags. Without --model the built-in tiny demo model is served.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "server/config_file.h"
#include "server/server_config.h"
#include "server/server_main.h"

namespace dsinfer::cli {

namespace {

struct ServeFlags {
  std::string config_file;
  std::map<std::string, std::string> values;  // field key -> flag value
};

std::string HelpFor(const server::ConfigField& field, const server::ServerConfig& defaults) {
  std::string help = field.help;
  if (!field.secret) {
    const std::string d = field.print(defaults);
    help += " [default: " + (d.empty() ? std::string("none") : d) + "]";
  }
  help += " [env " + field.env_name() + "]";
  return help;
}

}  // namespace

void RegisterServe(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the model over an OpenAI-compatible HTTP API (chat/completions, completions, models, tokenize, "
      "health, Prometheus metrics). Settings: defaults < --config YAML < DSINFER_* environment < flags.");
  cmd->add_option("-c,--config", flags->config_file,
                  "YAML file of settings (keys as the flags below, with underscores) [env DSINFER_CONFIG]");
  const server::ServerConfig defaults;
  for (const auto& field : server::ConfigFields()) {
    const std::string key = field.key;
    const std::string help = HelpFor(field, defaults);
    if (field.is_switch) {
      cmd->add_flag_callback(field.flag_name(), [flags, key] { flags->values[key] = "true"; }, help);
      std::string negated = "--no-" + field.flag_name().substr(2);
      cmd->add_flag_callback(negated, [flags, key] { flags->values[key] = "false"; }, "Turn off " + field.flag_name());
    } else {
      std::string names = field.flag_name();
      if (key == "model") names = "-m," + names;
      if (key == "threads") names = "-t," + names;
      cmd->add_option_function<std::string>(names, [flags, key](const std::string& v) { flags->values[key] = v; },
                                            help);
    }
  }
  cmd->callback([flags, exit_code] {
    server::ServerConfig config;
    std::string config_file = flags->config_file;
    if (config_file.empty()) {
      if (const char* env = std::getenv("DSINFER_CONFIG"); env && *env) config_file = env;
    }
    Status st = Status::Ok();
    if (!config_file.empty()) st = server::ApplyConfigFile(config, config_file);
    if (st.ok()) st = server::ApplyEnvironment(config, [](const char* name) { return std::getenv(name); });
    if (st.ok()) st = server::ApplyFlags(config, flags->values);
    if (st.ok()) st = server::ValidateConfig(config);
    if (!st.ok()) {
      PrintError(st.message());
      *exit_code = 2;
      return;
    }
    st = server::RunServer(config, server::ServerVersion());
    if (!st.ok()) {
      PrintError(st.message());
      *exit_code = 1;
      return;
    }
    *exit_code = 0;
  });
}

}  // namespace dsinfer::cli
