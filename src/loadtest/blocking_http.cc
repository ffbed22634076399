#include "loadtest/blocking_http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>

namespace dsinfer::loadtest {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct BlockingHttpClient::Impl {
  ServerUrl url;
  std::string api_key;
  std::chrono::milliseconds timeout;
  net::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  std::string Where() const { return "http://" + url.HostHeader(); }

  // Runs the queued operations to completion.
  void Drain() {
    ioc.restart();
    ioc.run();
  }

  Status Connect() {
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
    if (ec) return IoError(Where() + ": cannot resolve " + url.host + ": " + ec.message());
    stream.emplace(ioc);
    buffer.clear();
    stream->expires_after(timeout);
    stream->async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    Drain();
    if (ec) {
      stream.reset();
      return IoError(Where() + ": cannot connect: " + ec.message());
    }
    return Status::Ok();
  }

  // One exchange on the current connection. `fresh` is false on a reused connection, where a
  // failure before any response byte means the server had closed it (the caller retries).
  Expected<HttpReply> Exchange(const http::request<http::string_body>& req, bool* stale) {
    beast::error_code ec;
    stream->expires_after(timeout);
    http::async_write(*stream, req, [&ec](beast::error_code e, size_t) { ec = e; });
    Drain();
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (!ec) {
      stream->expires_after(timeout);
      http::async_read(*stream, buffer, parser, [&ec](beast::error_code e, size_t) { ec = e; });
      Drain();
    }
    if (ec) {
      *stale = !parser.got_some() && ec != beast::error::timeout;
      stream.reset();
      if (ec == beast::error::timeout) return IoError(Where() + ": no answer within the timeout");
      return IoError(Where() + ": " + ec.message());
    }
    HttpReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = std::move(parser.get().body());
    if (!parser.keep_alive()) stream.reset();
    return reply;
  }
};

BlockingHttpClient::BlockingHttpClient(ServerUrl url, std::string api_key, double timeout_s)
    : impl_(std::make_unique<Impl>()) {
  impl_->url = std::move(url);
  impl_->api_key = std::move(api_key);
  impl_->timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
}

BlockingHttpClient::~BlockingHttpClient() = default;

Expected<HttpReply> BlockingHttpClient::Call(const std::string& method, const std::string& target,
                                             const std::string& body) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, impl_->url.HostHeader());
  req.set(http::field::user_agent, "dsinfer-loadtest");
  req.keep_alive(true);
  if (!impl_->api_key.empty()) req.set(http::field::authorization, "Bearer " + impl_->api_key);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) DSINFER_RETURN_IF_ERROR(impl_->Connect());
    bool stale = false;
    auto reply = impl_->Exchange(req, &stale);
    if (reply.ok() || !(reused && stale) || attempt > 0) return reply;
  }
}

}  // namespace dsinfer::loadtest
