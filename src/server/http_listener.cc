#include "server/http_listener.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <optional>
#include <thread>
#include <vector>

#include "server/http_session.h"

namespace dsinfer::server {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct HttpListener::Impl {
  explicit Impl(int threads) : ioc(threads), acceptor(net::make_strand(ioc)), work(net::make_work_guard(ioc)) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](boost::system::error_code ec, tcp::socket socket) {
      if (!ec) transport::StartSession(std::move(socket), context);
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      Accept();
    });
  }

  // Declared first so that it is destroyed last: sessions refer to it until the io_context
  // (which owns their pending handlers) is gone.
  transport::SessionContext context;
  std::optional<ssl::context> tls_context;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::vector<std::thread> threads;
  int io_threads = 1;
  int port = 0;
  bool stopped = false;
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() { Shutdown(); }

Expected<std::unique_ptr<HttpListener>> HttpListener::Bind(const ListenerOptions& options, RequestHandler handler) {
  auto impl = std::make_unique<Impl>(options.io_threads);
  impl->io_threads = options.io_threads;
  impl->context.handler = std::move(handler);
  impl->context.max_body_bytes = options.max_body_bytes;
  impl->context.idle_timeout_s = options.idle_timeout_s;
  const std::string where = "port " + std::to_string(options.port) + " on " + options.host;

  if (!options.tls_cert.empty()) {
    impl->tls_context.emplace(ssl::context::tls_server);
    auto& tls = *impl->tls_context;
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    tls.use_certificate_chain_file(options.tls_cert, ec);
    if (ec) return InvalidArgument("tls_cert " + options.tls_cert + ": " + ec.message());
    tls.use_private_key_file(options.tls_key, ssl::context::pem, ec);
    if (ec) return InvalidArgument("tls_key " + options.tls_key + ": " + ec.message());
    impl->context.tls = &tls;
  }

  boost::system::error_code ec;
  tcp::resolver resolver(impl->ioc);
  auto results = resolver.resolve(options.host, std::to_string(options.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return InvalidArgument("host '" + options.host + "' cannot be resolved: " + ec.message());
  const tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return IoError(where + ": cannot open a socket: " + ec.message());
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec == net::error::address_in_use) return IoError(where + " is already in use");
  if (ec) return IoError(where + ": cannot bind: " + ec.message());
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return IoError(where + ": cannot listen: " + ec.message());
  impl->port = acceptor.local_endpoint().port();
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

int HttpListener::port() const { return impl_->port; }

bool HttpListener::tls() const { return impl_->context.tls != nullptr; }

void HttpListener::Start() {
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] { impl->Accept(); });
  for (int i = 0; i < impl_->io_threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->ioc.run(); });
  }
}

void HttpListener::StopAccepting() {
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
  });
}

void HttpListener::set_closing() { impl_->context.closing.store(true); }

int HttpListener::open_connections() const { return impl_->context.open_connections.load(); }

void HttpListener::Shutdown() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace dsinfer::server
