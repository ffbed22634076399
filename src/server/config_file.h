// The YAML layer of ServerConfig: a flat map of option keys to scalars (snake_case keys as in
// ConfigFields(), dashes accepted), e.g.
//   model: /models/deepseek-v2-lite-Q4_K_M.gguf
//   max_batch_size: 32
//   kv_cache_memory: 2GiB
//   open_paths: [/healthz, /readyz, /metrics]   # sequences are joined with commas
// Unknown keys and nested maps are errors naming the file, line and key. yaml-cpp stays inside
// config_file.cc. Pure functions; thread-safe.
#pragma once

#include <string>

#include "base/status.h"
#include "server/server_config.h"

namespace dsinfer::server {

// Applies the YAML text `yaml` (named `source` in errors) over `config`.
Status ApplyConfigYaml(ServerConfig& config, const std::string& yaml, const std::string& source);

// Reads `path` and applies it; a missing or unreadable file is an error naming it.
Status ApplyConfigFile(ServerConfig& config, const std::string& path);

}  // namespace dsinfer::server
