// HttpListener: the asynchronous HTTP/1.1 transport (Boost.Beast/Asio, optional TLS through
// OpenSSL). A fixed set of I/O threads runs every connection; a connection is a small state
// machine on its own strand, never a thread, so thousands of idle or streaming connections cost
// memory, not threads. Connections are kept alive between requests, bodies are limited to
// max_body_bytes (413 before the body is read), idle connections close after idle_timeout_s,
// and a client that disconnects while its request is handled is reported to the handler
// (ResponseSink::OnDisconnect) so its generation can be cancelled.
//
// Boost stays inside http_listener.cc and http_session.cc; this header is Beast-free.
//
// Thread-safety: Bind/Start/StopAccepting/Shutdown are called by the owning thread. The
// handler is invoked on I/O threads, concurrently for different connections. port(),
// open_connections() and set_closing() are safe from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "server/api_error.h"
#include "server/http_message.h"
#include "server/response_sink.h"

namespace dsinfer::server {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;            // 0: ephemeral
  int io_threads = 2;
  uint64_t max_body_bytes = 4u << 20;
  int idle_timeout_s = 60;
  std::string tls_cert;       // both set: HTTPS
  std::string tls_key;
};

// Called once per request on the connection's strand. `transport_error` is set when the
// request could not be read completely (413 body too large, 400 malformed HTTP); the handler
// must still answer through the sink (the connection closes afterwards).
using RequestHandler = std::function<void(HttpRequest request, std::optional<ApiError> transport_error,
                                          std::shared_ptr<ResponseSink> sink)>;

class HttpListener {
 public:
  // Resolves and binds host:port and loads the TLS files. Errors name the address ("port 8080
  // on 127.0.0.1 is already in use") or the file. Nothing runs until Start().
  static Expected<std::unique_ptr<HttpListener>> Bind(const ListenerOptions& options, RequestHandler handler);
  ~HttpListener();  // Shutdown()
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const;          // the bound port (the ephemeral one for port 0)
  bool tls() const;

  void Start();              // starts accepting on io_threads threads
  void StopAccepting();      // closes the listening socket; open connections keep working
  // From now on responses carry "Connection: close" and connections close after them.
  void set_closing();
  int open_connections() const;
  void Shutdown();           // stops the I/O threads and closes every connection

 private:
  struct Impl;
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsinfer::server
