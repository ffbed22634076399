// Internal to the load runner (load_runner.cc, stream_call.cc): one streamed request as a small
// state machine of Asio completion handlers (connect, write, read header, read body pieces),
// never a thread. Includes Asio/Beast; do not include it anywhere else.
//
// Every handler runs on the runner's single I/O thread, so a call and its CallContext are
// touched by one thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/request_record.h"
#include "loadtest/request_source.h"
#include "loadtest/sse_parser.h"
#include "loadtest/stream_chunk.h"

namespace dsinfer::loadtest::transport {

using Clock = std::chrono::steady_clock;
using Connection = boost::beast::tcp_stream;

// Shared by every call of one run; outlives them.
struct CallContext {
  explicit CallContext(boost::asio::io_context& io) : ioc(io) {}

  boost::asio::io_context& ioc;
  boost::asio::ip::tcp::resolver::results_type endpoints;
  std::string request_head;  // request line and headers, without Content-Length and the blank line
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds stall_timeout{60000};
  Clock::time_point run_start;
  std::vector<std::unique_ptr<Connection>> idle;  // keep-alive connections ready for reuse
  int64_t connections_opened = 0;
};

class StreamCall : public std::enable_shared_from_this<StreamCall> {
 public:
  // Called once, from a completion handler, when the call has ended in any way.
  using Done = std::function<void(StreamCall*, RequestRecord)>;

  StreamCall(CallContext& ctx, int64_t index, RequestPlan plan, Done done);

  // Takes an idle connection (or opens one) and sends the request.
  void Start();
  // Ends the call now (deadline or interrupt): closes its socket; finishes as kCancelled.
  void Abandon();

 private:
  void Connect();
  void Write();
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  // Handles parsed events; false when the stream turned out bad (the call has failed).
  bool ProcessEvents(Clock::time_point now);
  // A failure before any response byte on a reused connection: it was closed by the server
  // while idle. Returns true when the request was resent on a fresh connection.
  bool RetryIfStale(boost::beast::error_code ec);
  void Fail(std::string kind, std::string detail);
  void FailFromError(boost::beast::error_code ec, const char* during);
  void Succeed();
  void Finish(bool reusable);
  double Since(Clock::time_point t) const {
    return std::chrono::duration<double>(t - start_).count();
  }

  CallContext& ctx_;
  std::unique_ptr<Connection> conn_;
  std::string request_bytes_;
  Done done_;
  RequestRecord record_;
  Clock::time_point start_;
  Clock::time_point last_output_;
  bool reused_ = false;
  bool retried_ = false;
  bool abandoned_ = false;
  bool finished_ = false;
  bool saw_done_ = false;
  int status_ = 0;
  std::string error_body_;  // the start of a non-200 body
  std::optional<TokenUsage> usage_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
  std::unique_ptr<char[]> body_buf_;
  SseParser sse_;
  std::vector<std::string> events_;
};

}  // namespace dsinfer::loadtest::transport
