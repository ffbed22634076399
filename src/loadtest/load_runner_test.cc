// LoadRunner against an in-process fake upstream (blocking sockets on test threads): streamed
// successes with usage and keep-alive reuse, every error kind, the stall timeout, cancellation
// at the deadline, open-loop arrivals and the concurrency cap.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loadtest/load_runner.h"

namespace dsinfer::loadtest {
namespace {

enum class Behaviour { kStream, kDrop, kHttp500, kStall, kMalformed, kNoDone, kErrorEvent };

// A tiny HTTP/1.1 server speaking just enough of the OpenAI streaming protocol.
class FakeUpstream {
 public:
  explicit FakeUpstream(std::function<Behaviour(int)> choose, int tokens = 3, int gap_ms = 2)
      : choose_(std::move(choose)), tokens_(tokens), gap_ms_(gap_ms) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 128), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~FakeUpstream() {
    stop_ = true;
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  static bool Send(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  static std::string Chunk(const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
  }

  // Reads one request; false at EOF.
  static bool ReadRequest(int fd, std::string* buffered) {
    std::string& in = *buffered;
    size_t head_end;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
    }
    size_t length = 0;
    const size_t cl = in.find("Content-Length: ");
    if (cl != std::string::npos && cl < head_end) length = std::stoul(in.substr(cl + 16));
    while (in.size() < head_end + 4 + length) {
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
    }
    in.erase(0, head_end + 4 + length);
    return true;
  }

  void Serve(int fd) {
    std::string buffered;
    const std::string sse_head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string token =
        Chunk("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok\"}}]}\n\n");
    while (!stop_ && ReadRequest(fd, &buffered)) {
      const Behaviour b = choose_(requests_++);
      bool keep = true;
      switch (b) {
        case Behaviour::kStream:
        case Behaviour::kNoDone: {
          std::string out = sse_head;
          keep = Send(fd, out);
          for (int i = 0; i < tokens_ && keep; ++i) {
            keep = Send(fd, token);
            std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms_));
          }
          if (b == Behaviour::kStream) {
            out =
                Chunk(
                    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" +
                    std::to_string(tokens_) + ",\"total_tokens\":0}}\n\n") +
                Chunk("data: [DONE]\n\n");
          } else {
            out.clear();
          }
          keep = keep && Send(fd, out + "0\r\n\r\n");
          break;
        }
        case Behaviour::kDrop:
          Send(fd, sse_head + token);
          keep = false;
          break;
        case Behaviour::kHttp500: {
          const std::string body = "{\"error\":{\"message\":\"boom\"}}";
          keep = Send(fd,
                      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: "
                      "application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body);
          break;
        }
        case Behaviour::kStall:
          Send(fd, sse_head + token);
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
          keep = false;
          break;
        case Behaviour::kMalformed:
          keep = Send(fd, sse_head + Chunk("data: this is not json\n\n") +
                              Chunk("data: [DONE]\n\n") + "0\r\n\r\n");
          break;
        case Behaviour::kErrorEvent:
          keep = Send(fd, sse_head + token +
                              Chunk("data: {\"error\":{\"message\":\"engine failed\"}}\n\n") +
                              Chunk("data: [DONE]\n\n") + "0\r\n\r\n");
          break;
      }
      if (!keep) break;
    }
    ::shutdown(fd, SHUT_RDWR);
    std::lock_guard<std::mutex> lock(mu_);
    std::erase(open_fds_, fd);
    ::close(fd);
  }

  std::function<Behaviour(int)> choose_;
  int tokens_;
  int gap_ms_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
};

class FixedSource : public RequestSource {
 public:
  RequestPlan Plan(uint64_t index) override { return {"{\"prompt\":\"x\",\"stream\":true}", 0}; }
};

RunnerOptions Options(int port) {
  RunnerOptions o;
  o.url.host = "127.0.0.1";
  o.url.port = port;
  o.path = "/v1/completions";
  o.stall_timeout_s = 5;
  o.connect_timeout_s = 2;
  return o;
}

std::map<std::string, int> Kinds(const RunResult& r) {
  std::map<std::string, int> kinds;
  for (const auto& q : r.records) {
    if (q.outcome == Outcome::kOk) ++kinds["ok"];
    if (q.outcome == Outcome::kCancelled) ++kinds["cancelled"];
    if (q.outcome == Outcome::kError) ++kinds[q.error_kind];
  }
  return kinds;
}

TEST(LoadRunnerTest, ClosedLoopStreamsAndReusesConnections) {
  FakeUpstream up([](int) { return Behaviour::kStream; }, /*tokens=*/4);
  RunnerOptions o = Options(up.port());
  o.concurrency = 3;
  o.max_requests = 12;
  FixedSource source;
  LoadRunner runner(o, &source);
  auto run = runner.Run();
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run->records.size(), 12u);
  for (size_t i = 0; i < run->records.size(); ++i) {
    const RequestRecord& q = run->records[i];
    EXPECT_EQ(q.index, static_cast<int64_t>(i));
    ASSERT_EQ(q.outcome, Outcome::kOk) << q.error_kind << ": " << q.error_detail;
    EXPECT_TRUE(q.usage_reported);
    EXPECT_EQ(q.prompt_tokens, 5);
    EXPECT_EQ(q.completion_tokens, 4);
    EXPECT_EQ(q.output_events, 4);
    EXPECT_EQ(q.itl_s.size(), 3u);
    EXPECT_GE(q.ttft_s, 0);
    EXPECT_GE(q.e2e_s, q.ttft_s);
  }
  EXPECT_EQ(run->max_in_flight, 3);
  EXPECT_LE(run->connections_opened, 4);  // keep-alive: one connection per user
  EXPECT_EQ(up.connections(), run->connections_opened);
}

TEST(LoadRunnerTest, ReportsEachErrorKind) {
  const Behaviour cycle[] = {Behaviour::kStream,    Behaviour::kDrop,   Behaviour::kHttp500,
                             Behaviour::kMalformed, Behaviour::kNoDone, Behaviour::kErrorEvent};
  FakeUpstream up([&cycle](int n) { return cycle[n % 6]; });
  RunnerOptions o = Options(up.port());
  o.concurrency = 1;  // sequential, so request n meets behaviour n % 6
  o.max_requests = 12;
  FixedSource source;
  LoadRunner runner(o, &source);
  auto run = runner.Run();
  ASSERT_TRUE(run.ok());
  const auto kinds = Kinds(*run);
  EXPECT_EQ(
      kinds,
      (std::map<std::string, int>{
          {"ok", 2}, {"dropped", 2}, {"http_500", 2}, {"malformed", 4}, {"stream_error", 2}}));
  for (const auto& q : run->records) {
    if (q.error_kind == "http_500") {
      EXPECT_NE(q.error_detail.find("boom"), std::string::npos);
    }
  }
}

TEST(LoadRunnerTest, StalledStreamTimesOut) {
  FakeUpstream up([](int) { return Behaviour::kStall; });
  RunnerOptions o = Options(up.port());
  o.concurrency = 2;
  o.max_requests = 2;
  o.stall_timeout_s = 0.3;
  FixedSource source;
  LoadRunner runner(o, &source);
  const auto t0 = std::chrono::steady_clock::now();
  auto run = runner.Run();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(Kinds(*run), (std::map<std::string, int>{{"timeout", 2}}));
  EXPECT_LT(took, 3.0);
}

TEST(LoadRunnerTest, DeadlineCancelsInFlightRequestsPromptly) {
  FakeUpstream up([](int) { return Behaviour::kStall; });
  RunnerOptions o = Options(up.port());
  o.concurrency = 8;
  o.duration_s = 0.5;
  o.stall_timeout_s = 60;
  FixedSource source;
  LoadRunner runner(o, &source);
  const auto t0 = std::chrono::steady_clock::now();
  auto run = runner.Run();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(Kinds(*run), (std::map<std::string, int>{{"cancelled", 8}}));
  EXPECT_TRUE(run->stopped_early);
  EXPECT_LT(took, 1.5);
  EXPECT_GE(run->wall_s, 0.45);
}

TEST(LoadRunnerTest, RefusedConnectionIsAConnectError) {
  // A port that was just free: bind, read it, close.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  RunnerOptions o = Options(ntohs(addr.sin_port));
  o.concurrency = 2;
  o.max_requests = 3;
  FixedSource source;
  LoadRunner runner(o, &source);
  auto run = runner.Run();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(Kinds(*run), (std::map<std::string, int>{{"connect", 3}}));
}

TEST(LoadRunnerTest, OpenLoopHonoursTheConcurrencyCap) {
  FakeUpstream up([](int) { return Behaviour::kStream; }, /*tokens=*/3, /*gap_ms=*/5);
  RunnerOptions o = Options(up.port());
  o.request_rate = 1000;  // arrivals far faster than requests finish
  o.concurrency = 2;
  o.max_requests = 8;
  o.seed = 3;
  FixedSource source;
  LoadRunner runner(o, &source);
  auto run = runner.Run();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(Kinds(*run), (std::map<std::string, int>{{"ok", 8}}));
  EXPECT_EQ(run->max_in_flight, 2);
}

TEST(LoadRunnerTest, OpenLoopSpacesArrivalsByTheRate) {
  FakeUpstream up([](int) { return Behaviour::kStream; }, /*tokens=*/1, /*gap_ms=*/0);
  RunnerOptions o = Options(up.port());
  o.request_rate = 40;
  o.max_requests = 10;
  o.seed = 1;
  FixedSource source;
  LoadRunner runner(o, &source);
  auto run = runner.Run();
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(Kinds(*run), (std::map<std::string, int>{{"ok", 10}}));
  // Ten arrivals of a 40/s Poisson process: the last starts well after 0 and the starts grow.
  for (size_t i = 1; i < run->records.size(); ++i)
    EXPECT_GE(run->records[i].start_s, run->records[i - 1].start_s);
  EXPECT_GT(run->records.back().start_s, 0.05);
}

}  // namespace
}  // namespace dsinfer::loadtest
