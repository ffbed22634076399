#include "loadtest/stream_call.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <limits>

namespace dsinfer::loadtest::transport {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

constexpr size_t kBodyBufferBytes = 8192;
constexpr size_t kErrorBodyBytes = 300;

bool IsConnectionLoss(beast::error_code ec) {
  return ec == net::error::eof || ec == http::error::end_of_stream ||
         ec == http::error::partial_message || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::connection_aborted ||
         ec == net::error::not_connected;
}

}  // namespace

StreamCall::StreamCall(CallContext& ctx, int64_t index, RequestPlan plan, Done done)
    : ctx_(ctx), done_(std::move(done)) {
  record_.index = index;
  record_.prompt_tokens = plan.prompt_tokens;
  request_bytes_.reserve(ctx.request_head.size() + plan.body.size() + 32);
  request_bytes_ = ctx.request_head;
  request_bytes_ += "Content-Length: " + std::to_string(plan.body.size()) + "\r\n\r\n";
  request_bytes_ += plan.body;
}

void StreamCall::Start() {
  start_ = Clock::now();
  record_.start_s = std::chrono::duration<double>(start_ - ctx_.run_start).count();
  if (!ctx_.idle.empty()) {
    conn_ = std::move(ctx_.idle.back());
    ctx_.idle.pop_back();
    reused_ = record_.reused_connection = true;
    Write();
  } else {
    Connect();
  }
}

void StreamCall::Abandon() {
  if (finished_ || abandoned_) return;
  abandoned_ = true;
  conn_->close();  // the pending operation completes with operation_aborted
}

void StreamCall::Connect() {
  conn_ = std::make_unique<Connection>(ctx_.ioc);
  ++ctx_.connections_opened;
  conn_->expires_after(ctx_.connect_timeout);
  conn_->async_connect(ctx_.endpoints,
                       [self = shared_from_this()](beast::error_code ec, const auto&) {
                         if (self->abandoned_) return self->Finish(false);
                         if (ec == beast::error::timeout)
                           return self->Fail("connect", "no connection within the connect timeout");
                         if (ec) return self->Fail("connect", ec.message());
                         self->conn_->socket().set_option(net::ip::tcp::no_delay(true), ec);
                         self->Write();
                       });
}

void StreamCall::Write() {
  conn_->expires_after(ctx_.stall_timeout);
  net::async_write(*conn_, net::buffer(request_bytes_),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (self->abandoned_) return self->Finish(false);
                     if (ec) {
                       if (self->RetryIfStale(ec)) return;
                       return self->FailFromError(ec, "sending the request");
                     }
                     self->ReadHeader();
                   });
}

void StreamCall::ReadHeader() {
  parser_.emplace();
  parser_->header_limit(64 * 1024);
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  conn_->expires_after(ctx_.stall_timeout);
  http::async_read_header(
      *conn_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void StreamCall::OnHeader(beast::error_code ec) {
  if (abandoned_) return Finish(false);
  if (ec) {
    if (RetryIfStale(ec)) return;
    return FailFromError(ec, "waiting for the response");
  }
  const auto& head = parser_->get();
  status_ = static_cast<int>(head.result_int());
  if (status_ == 200) {
    const std::string_view type(head[http::field::content_type].data(),
                                head[http::field::content_type].size());
    if (type.find("text/event-stream") == std::string_view::npos) {
      return Fail("malformed",
                  "HTTP 200 with Content-Type '" + std::string(type) + "', not text/event-stream");
    }
  }
  body_buf_ = std::make_unique<char[]>(kBodyBufferBytes);
  ReadBody();
}

void StreamCall::ReadBody() {
  if (parser_->is_done()) return OnBody({});
  parser_->get().body().data = body_buf_.get();
  parser_->get().body().size = kBodyBufferBytes;
  conn_->expires_after(ctx_.stall_timeout);
  http::async_read_some(
      *conn_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void StreamCall::OnBody(beast::error_code ec) {
  const Clock::time_point now = Clock::now();
  if (abandoned_) return Finish(false);
  if (ec == http::error::need_buffer) ec = {};
  const size_t got =
      body_buf_ && parser_->get().body().data ? kBodyBufferBytes - parser_->get().body().size : 0;
  parser_->get().body().data = nullptr;
  parser_->get().body().size = 0;
  if (status_ != 200) {
    // Keep the start of the error body for the report; the request is an error either way.
    error_body_.append(
        body_buf_.get(),
        std::min(got, kErrorBodyBytes - std::min(kErrorBodyBytes, error_body_.size())));
    if (!ec && !parser_->is_done()) return ReadBody();
    record_.outcome = Outcome::kError;
    record_.error_kind = "http_" + std::to_string(status_);
    record_.error_detail =
        "HTTP " + std::to_string(status_) + (error_body_.empty() ? "" : ": " + error_body_);
    return Finish(!ec && parser_->is_done() && parser_->keep_alive());
  }
  if (got > 0) {
    if (Status st = sse_.Feed(std::string_view(body_buf_.get(), got), &events_); !st.ok()) {
      return Fail("malformed", st.message());
    }
    if (!ProcessEvents(now)) return;
  }
  if (ec) {
    if (saw_done_ && IsConnectionLoss(ec)) return Succeed();  // closed right after [DONE]
    return FailFromError(ec, "streaming the response");
  }
  if (parser_->is_done()) {
    if (!saw_done_) return Fail("malformed", "the event stream ended without data: [DONE]");
    return Succeed();
  }
  ReadBody();
}

bool StreamCall::ProcessEvents(Clock::time_point now) {
  for (std::string& data : events_) {
    if (saw_done_) continue;  // nothing counts after [DONE]
    auto chunk = ParseStreamChunk(data);
    if (!chunk.ok()) {
      events_.clear();
      Fail("malformed", chunk.status().message());
      return false;
    }
    if (chunk->done) {
      saw_done_ = true;
      record_.e2e_s = Since(now);
      continue;
    }
    if (!chunk->error.empty()) {
      events_.clear();
      Fail("stream_error", chunk->error);
      return false;
    }
    if (chunk->usage) usage_ = chunk->usage;
    if (chunk->has_output) {
      if (record_.output_events == 0) {
        record_.ttft_s = Since(now);
      } else {
        record_.itl_s.push_back(
            static_cast<float>(std::chrono::duration<double>(now - last_output_).count()));
      }
      last_output_ = now;
      ++record_.output_events;
    }
  }
  events_.clear();
  return true;
}

bool StreamCall::RetryIfStale(beast::error_code ec) {
  const bool nothing_received = !parser_ || !parser_->got_some();
  if (!reused_ || retried_ || !nothing_received || !IsConnectionLoss(ec)) return false;
  retried_ = true;
  reused_ = false;
  parser_.reset();
  buffer_.clear();
  Connect();
  return true;
}

void StreamCall::FailFromError(beast::error_code ec, const char* during) {
  if (ec == beast::error::timeout) {
    return Fail("timeout", std::string("no data for the stall timeout while ") + during);
  }
  if (IsConnectionLoss(ec))
    return Fail("dropped", std::string("connection closed while ") + during + ": " + ec.message());
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    return Fail("malformed", std::string("invalid HTTP while ") + during + ": " + ec.message());
  }
  Fail("dropped", std::string(during) + ": " + ec.message());
}

void StreamCall::Fail(std::string kind, std::string detail) {
  record_.outcome = Outcome::kError;
  record_.error_kind = std::move(kind);
  record_.error_detail = std::move(detail);
  Finish(false);
}

void StreamCall::Succeed() {
  record_.outcome = Outcome::kOk;
  if (usage_) {
    record_.usage_reported = true;
    record_.prompt_tokens = usage_->prompt_tokens;
    record_.completion_tokens = usage_->completion_tokens;
  } else {
    record_.completion_tokens = record_.output_events;
  }
  Finish(parser_ && parser_->is_done() && parser_->keep_alive() && buffer_.size() == 0);
}

void StreamCall::Finish(bool reusable) {
  if (finished_) return;
  finished_ = true;
  if (abandoned_) {
    record_.outcome = Outcome::kCancelled;
    record_.error_kind.clear();
    reusable = false;
  }
  if (record_.outcome != Outcome::kOk) record_.e2e_s = Since(Clock::now());
  if (reusable && conn_) {
    ctx_.idle.push_back(std::move(conn_));
  } else if (conn_) {
    beast::error_code ignored;
    conn_->socket().close(ignored);
  }
  Done done = std::move(done_);
  done(this, std::move(record_));
}

}  // namespace dsinfer::loadtest::transport
