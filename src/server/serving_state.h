// ServingState: what the request handlers share for the lifetime of the server: the
// configuration, logger, metrics, and the model backend once it is loaded. Readiness and
// draining are flags the lifecycle code flips.
//
// Thread-safety: config, logger and metrics are safe to use from any thread (see their
// headers). backend() is null until the model is loaded and then never changes until the
// server stops; the flags are atomics.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "server/generation_backend.h"
#include "server/request_log.h"
#include "server/server_config.h"
#include "server/server_metrics.h"

namespace dsinfer::server {

struct ServingState {
  ServingState(const ServerConfig& c, Logger& l, ServerMetrics& m, std::string v)
      : config(c), logger(l), metrics(m), version(std::move(v)) {}

  const ServerConfig& config;
  Logger& logger;
  ServerMetrics& metrics;
  std::string version;

  std::atomic<GenerationBackend*> backend_ptr{nullptr};
  std::atomic<bool> draining{false};
  std::atomic<int> generations_in_flight{0};   // GenerationCalls not yet finished
  std::function<int()> open_connections;       // set by the server; may be empty

  GenerationBackend* backend() const { return backend_ptr.load(std::memory_order_acquire); }
  bool ready() const { return backend() != nullptr && !draining.load(); }
};

}  // namespace dsinfer::server
