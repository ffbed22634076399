// Internal to the transport (http_listener.cc, http_session.cc): starting a connection's
// session. Includes Asio; do not include it anywhere else.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>

#include "server/http_listener.h"

namespace dsinfer::server::transport {

// Shared by every session of one listener; outlives them (the listener joins its threads before
// destroying it).
struct SessionContext {
  RequestHandler handler;
  uint64_t max_body_bytes = 0;
  int idle_timeout_s = 60;
  boost::asio::ssl::context* tls = nullptr;  // null: plain HTTP
  std::atomic<bool> closing{false};
  std::atomic<int> open_connections{0};
};

// Takes over `socket` (already accepted) and serves HTTP on it until the peer closes, an error,
// the idle timeout, or io_context shutdown.
void StartSession(boost::asio::ip::tcp::socket socket, SessionContext& context);

}  // namespace dsinfer::server::transport
