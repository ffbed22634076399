// The binding of GenerationBackend to the real engine: loads the GGUF model (or synthesizes the
// built-in `tiny` demo model into the cache directory when no model is configured), its
// tokenizer and chat template, reads the warm-up prompts, and starts dsinfer_engine's Engine
// with the options from ServerConfig. This is the one file that knows the engine's construction
// API; the rest of the server talks to GenerationBackend.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "server/generation_backend.h"
#include "server/server_config.h"

namespace dsinfer::server {

// Where the demo model lives for `config` (model_cache_dir, else $XDG_CACHE_HOME/dsinfer, else
// ~/.cache/dsinfer, else /tmp/dsinfer-cache).
std::string DemoModelPath(const ServerConfig& config);

// Loads everything and starts the engine thread. Errors name the file or option at fault
// ("model /x.gguf: ...", "chat_template_file t.jinja: line 3 ...", "kv_cache_memory: ...").
Expected<std::unique_ptr<GenerationBackend>> LoadEngineBackend(const ServerConfig& config);

}  // namespace dsinfer::server
