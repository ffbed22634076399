// One HTTP/1.1 connection: read a request (Beast parser, body limit, 100-continue), hand it to
// the handler, write the response bytes it produces (fixed or chunked), repeat while keep-alive.
// While a request is being handled, a read is kept open on the socket so a client that goes
// away is noticed at once (ResponseSink::OnDisconnect), not only at the next write.
//
// Every member is touched only on the connection's strand (all completion handlers run there;
// Post() is the way in from other threads).
#include "server/http_session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <type_traits>

#include "server/http_wire.h"

namespace dsinfer::server::transport {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kMaxQueuedResponseBytes = 16u << 20;  // a reader this far behind is dropped
constexpr size_t kMaxPipelinedBytes = 64u << 10;       // unread request bytes kept while handling

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

template <class Stream>
class Session final : public ResponseSink, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, SessionContext& ctx, std::string peer)
      : stream_(std::move(stream)), ctx_(ctx), peer_(std::move(peer)) {
    ctx_.open_connections.fetch_add(1);
  }
  ~Session() override { ctx_.open_connections.fetch_sub(1); }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  void Send(HttpResponse response) override {
    CHECK(!response_started_) << "a second response for one request";
    response_started_ = true;
    response_queued_ = true;
    if (gone_) return;
    keep_alive_ = keep_alive_ && !close_after_ && !ctx_.closing.load();
    std::string bytes = ResponseHead(response.status, response.headers, response.body.size(), keep_alive_);
    if (!is_head_) bytes += response.body;
    Enqueue(std::move(bytes));
  }

  void BeginStream(int status, HttpHeaders headers) override {
    CHECK(!response_started_) << "a second response for one request";
    response_started_ = true;
    if (gone_) return;
    keep_alive_ = keep_alive_ && !close_after_ && !ctx_.closing.load();
    Enqueue(ResponseHead(status, headers, std::nullopt, keep_alive_));
  }

  void WriteChunk(std::string data) override {
    if (gone_ || data.empty() || response_queued_) return;
    Enqueue(ChunkFrame(data));
  }

  void EndStream() override {
    if (response_queued_) return;
    response_queued_ = true;
    if (gone_) return;
    Enqueue(LastChunk());
  }

  void Post(std::function<void()> fn) override {
    net::post(stream_.get_executor(), [self = this->shared_from_this(), fn = std::move(fn)] { fn(); });
  }

  void OnDisconnect(std::function<void()> fn) override {
    if (gone_) {
      Post(std::move(fn));
      return;
    }
    on_disconnect_ = std::move(fn);
  }

  bool connected() const override { return !gone_; }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if constexpr (kIsTls<Stream>) {
      lowest().expires_after(std::chrono::seconds(ctx_.idle_timeout_s));
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->Close();
        self->ReadNext();
      });
    } else {
      ReadNext();
    }
  }

  void ReadNext() {
    response_started_ = response_queued_ = response_written_ = close_after_ = is_head_ = false;
    on_disconnect_ = nullptr;
    parser_.emplace();
    parser_->body_limit(ctx_.max_body_bytes);
    parser_->header_limit(16 * 1024);
    lowest().expires_after(std::chrono::seconds(ctx_.idle_timeout_s));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnRead(ec);
    const auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue), [self = this->shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  HttpRequest RequestFromParser() {
    const auto& msg = parser_->get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    const size_t q = req.target.find('?');
    req.path = q == std::string::npos ? req.target : req.target.substr(0, q);
    for (const auto& field : msg) req.headers.Add(std::string(field.name_string()), std::string(field.value()));
    req.client_address = peer_;
    return req;
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      close_after_ = true;
      Dispatch(RequestFromParser(), ApiError::PayloadTooLarge(ctx_.max_body_bytes));
      return;
    }
    if (ec) {
      // A syntax error after bytes arrived deserves an answer; EOF, timeouts and resets do not.
      const bool parse_error = ec.category() == http::make_error_code(http::error::bad_target).category() &&
                               ec != http::error::end_of_stream && ec != http::error::partial_message;
      if (!parse_error) return Close();
      close_after_ = true;
      HttpRequest req;
      if (parser_->is_header_done()) {
        req = RequestFromParser();
      } else {
        req.method = "UNKNOWN";
        req.client_address = peer_;
      }
      Dispatch(std::move(req), ApiError::InvalidRequest("Malformed HTTP request: " + ec.message(), "", "malformed_http"));
      return;
    }
    HttpRequest req = RequestFromParser();
    req.body = std::move(parser_->get().body());
    keep_alive_ = parser_->get().keep_alive();
    Dispatch(std::move(req), std::nullopt);
  }

  void Dispatch(HttpRequest req, std::optional<ApiError> transport_error) {
    lowest().expires_never();
    is_head_ = req.method == "HEAD";
    if (close_after_) keep_alive_ = false;
    ctx_.handler(std::move(req), std::move(transport_error), this->shared_from_this());
    if (!response_queued_ && !gone_ && !close_after_) ArmWatch();
  }

  void ArmWatch() {
    if (watch_pending_ || gone_ || buffer_.size() > kMaxPipelinedBytes) return;
    watch_pending_ = true;
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      self->OnWatch(ec, n);
    });
  }

  void OnWatch(beast::error_code ec, size_t n) {
    watch_pending_ = false;
    if (!ec) {
      buffer_.commit(n);  // the start of a pipelined request: parsed after this response
      if (response_written_) return ReadNext();
      if (!response_queued_) ArmWatch();
      return;
    }
    if (ec == net::error::operation_aborted && response_written_ && !gone_) return ReadNext();
    MarkGone();
  }

  void Enqueue(std::string bytes) {
    out_bytes_ += bytes.size();
    out_.push_back(std::move(bytes));
    if (out_bytes_ > kMaxQueuedResponseBytes) return MarkGone();
    if (!write_pending_) WriteFront();
  }

  void WriteFront() {
    write_pending_ = true;
    net::async_write(stream_, net::buffer(out_.front()), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  void OnWrite(beast::error_code ec) {
    write_pending_ = false;
    if (!out_.empty()) {
      out_bytes_ -= out_.front().size();
      out_.pop_front();
    }
    if (ec) return MarkGone();
    if (gone_) return;
    if (!out_.empty()) return WriteFront();
    if (response_queued_) ResponseWritten();
  }

  void ResponseWritten() {
    if (!keep_alive_ || ctx_.closing.load()) return Close();
    response_written_ = true;
    if (watch_pending_) {
      beast::error_code ignored;
      lowest().socket().cancel(ignored);  // OnWatch continues with ReadNext
      return;
    }
    ReadNext();
  }

  void MarkGone() {
    if (gone_) return;
    gone_ = true;
    // Drop what is not being written; the buffer of a pending write must live until it completes.
    while (out_.size() > (write_pending_ ? 1u : 0u)) {
      out_bytes_ -= out_.back().size();
      out_.pop_back();
    }
    if (on_disconnect_ && !response_written_) {
      auto fn = std::move(on_disconnect_);
      on_disconnect_ = nullptr;
      fn();
    }
    Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    gone_ = true;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  Stream stream_;
  SessionContext& ctx_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool is_head_ = false;
  bool close_after_ = false;       // answer, then close (unreadable or oversized request)
  bool response_started_ = false;  // Send or BeginStream called for the current request
  bool response_queued_ = false;   // the whole response is queued (Send or EndStream)
  bool response_written_ = false;  // ... and written to the socket
  bool watch_pending_ = false;
  bool write_pending_ = false;
  bool gone_ = false;              // the client went away (or we closed): writes are dropped
  bool closed_ = false;
  std::deque<std::string> out_;
  size_t out_bytes_ = 0;
  std::function<void()> on_disconnect_;
};

std::string PeerAddress(const tcp::socket& socket) {
  beast::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return "";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

void StartSession(tcp::socket socket, SessionContext& context) {
  std::string peer = PeerAddress(socket);
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (context.tls != nullptr) {
    using TlsStream = beast::ssl_stream<beast::tcp_stream>;
    auto session = std::make_shared<Session<TlsStream>>(TlsStream(beast::tcp_stream(std::move(socket)), *context.tls),
                                                        context, std::move(peer));
    session->Run();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), context,
                                                                std::move(peer));
    session->Run();
  }
}

}  // namespace dsinfer::server::transport
