#include "server/server_main.h"

#include <signal.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server/api_handlers.h"
#include "server/engine_backend.h"
#include "server/http_listener.h"
#include "server/request_dispatcher.h"

namespace dsinfer::server {

namespace {

Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) return IoError("port_file " + path + ": cannot be written");
    out << port << "\n";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IoError("port_file " + path + ": " + ec.message());
  return Status::Ok();
}

// Waits for SIGTERM or SIGINT (blocked in every thread) and returns its number.
int WaitForStopSignal(const sigset_t& signals) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) == 0) return sig;
  }
}

}  // namespace

const char* ServerVersion() { return DSINFER_SERVER_VERSION; }

Status RunServer(const ServerConfig& config, const std::string& version) {
  DSINFER_RETURN_IF_ERROR(ValidateConfig(config));
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // inherited by every thread started below

  Logger logger(stderr);
  ServerMetrics metrics(config.vllm_metrics);
  ServingState state(config, logger, metrics, version);
  DSINFER_ASSIGN_OR_RETURN(ApiKeyStore keys, ApiKeyStore::Load(config.api_key_file, config.api_keys));
  const size_t key_count = keys.size();

  Router router;
  RegisterGenerationRoutes(router, state);
  RegisterInfoRoutes(router, state);
  RequestDispatcher dispatcher(state, router, std::move(keys));

  ListenerOptions lo;
  lo.host = config.host;
  lo.port = config.port;
  lo.io_threads = config.io_threads;
  lo.max_body_bytes = config.max_body_bytes;
  lo.idle_timeout_s = config.idle_timeout_s;
  lo.tls_cert = config.tls_cert;
  lo.tls_key = config.tls_key;
  DSINFER_ASSIGN_OR_RETURN(
      std::unique_ptr<HttpListener> listener,
      HttpListener::Bind(lo, [&dispatcher](HttpRequest r, std::optional<ApiError> e, std::shared_ptr<ResponseSink> s) {
        dispatcher.Dispatch(std::move(r), std::move(e), std::move(s));
      }));
  state.open_connections = [l = listener.get()] { return l->open_connections(); };

  const bool demo = config.model.empty();
  const std::string model_path = demo ? DemoModelPath(config) : config.model;
  LogFields starting = {{"version", version},
                        {"host", config.host},
                        {"port", static_cast<int64_t>(listener->port())},
                        {"tls", listener->tls()},
                        {"model", model_path},
                        {"demo_model", demo},
                        {"api_keys", static_cast<int64_t>(key_count)},
                        {"max_batch_size", static_cast<int64_t>(config.max_batch_size)}};
  if (demo) {
    starting.emplace_back("message", "no --model given: serving the built-in 'tiny' demo model (random weights), "
                                     "synthesized into " + model_path);
  }
  logger.Event("starting", starting);
  if (!config.port_file.empty()) DSINFER_RETURN_IF_ERROR(WritePortFile(config.port_file, listener->port()));
  listener->Start();

  const auto load_start = std::chrono::steady_clock::now();
  auto loaded = LoadEngineBackend(config);
  if (!loaded.ok()) {
    listener->Shutdown();
    return loaded.status();
  }
  std::unique_ptr<GenerationBackend> backend = std::move(loaded).value();
  const engine::EngineStats stats = backend->Stats();
  state.backend_ptr.store(backend.get(), std::memory_order_release);
  logger.Event("ready", {{"model_id", backend->description().model_id},
                         {"model", backend->description().model_path},
                         {"max_model_len", backend->description().max_model_len},
                         {"kv_blocks", static_cast<int64_t>(stats.kv_blocks_total)},
                         {"kv_block_size", static_cast<int64_t>(stats.block_size)},
                         {"kv_blocks_pinned", static_cast<int64_t>(stats.kv_blocks_pinned)},
                         {"packed_bytes", static_cast<int64_t>(backend->description().packed_bytes)},
                         {"pack_cache", backend->description().pack_cache_path},
                         {"pack_skipped", backend->description().pack_skipped},
                         {"pack_evicted_source", backend->description().pack_evicted_source},
                         {"load_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count()}});

  const int sig = WaitForStopSignal(stop_signals);
  state.draining.store(true);
  listener->set_closing();
  listener->StopAccepting();
  logger.Event("draining", {{"signal", std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT")},
                            {"in_flight", static_cast<int64_t>(state.generations_in_flight.load())},
                            {"drain_timeout_s", config.drain_timeout_s}});
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(config.drain_timeout_s * 1000));
  while (state.generations_in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int left = state.generations_in_flight.load();
  if (left > 0) logger.Event("drain_timeout", {{"cancelled", static_cast<int64_t>(left)}}, "warning");
  // Let the last responses reach their sockets before the I/O threads stop.
  const auto flush_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (listener->open_connections() > 0 && std::chrono::steady_clock::now() < flush_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (left > 0) {
    // Requests still running after the drain timeout are abandoned on purpose: end the process
    // now, as the operator asked, instead of unwinding I/O handlers that still reference them.
    logger.Event("stopped", {{"signal", std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT")},
                             {"abandoned_requests", static_cast<int64_t>(left)}});
    std::fflush(nullptr);
    std::_Exit(0);
  }
  listener->Shutdown();
  state.backend_ptr.store(nullptr);
  backend.reset();  // stops the engine thread
  listener.reset();
  logger.Event("stopped", {{"signal", std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT")}});
  return Status::Ok();
}

}  // namespace dsinfer::server
