// RunServer: `dsinfer serve` from start to exit.
//
// Lifecycle:
//   1. load the API keys; bind host:port (a port in use fails here, before the model loads);
//   2. first log line: "starting" with the bound port and the model (or that the built-in
//      tiny demo model is synthesized into the cache); --port-file gets the port;
//   3. I/O threads start: /healthz answers 200, /readyz 503 ("model_loading");
//   4. the model, tokenizer, chat template and engine load; /readyz turns 200 ("ready" line);
//   5. SIGTERM or SIGINT: /readyz turns 503, the listening socket closes, responses carry
//      "Connection: close", in-flight generations get up to drain_timeout_s to finish; then
//      the engine stops (cancelling what is left) and the I/O threads stop ("stopped" line).
// Returns OK for a clean stop (exit 0); a start-up failure (keys, address, TLS files, model,
// engine options) returns a Status whose message is the one line to print.
//
// Must be called from the main thread: it blocks SIGTERM/SIGINT in every thread it starts and
// waits for them itself.
#pragma once

#include <string>

#include "base/status.h"
#include "server/server_config.h"

namespace dsinfer::server {

Status RunServer(const ServerConfig& config, const std::string& version);

// The dsinfer version this server reports on GET /version (the CMake project version).
const char* ServerVersion();

}  // namespace dsinfer::server
