#include "loadtest/load_runner.h"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <unordered_map>

#include "loadtest/rng.h"
#include "loadtest/stream_call.h"

namespace dsinfer::loadtest {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using transport::Clock;
using transport::StreamCall;

namespace {

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0 + 0.5));
}

}  // namespace

struct LoadRunner::Impl {
  Impl(RunnerOptions o, RequestSource* s)
      : opt(std::move(o)), source(s), rng(DeriveSeed(opt.seed, 0xA771'BA15ull)) {}

  bool open_loop() const { return opt.request_rate > 0; }
  bool ArrivalsLeft() const {
    return !stopping && (opt.max_requests == 0 || arrived < opt.max_requests);
  }
  bool AtCap() const {
    return opt.concurrency > 0 && static_cast<int64_t>(active.size()) >= opt.concurrency;
  }

  void Issue() {
    RequestPlan plan = source->Plan(static_cast<uint64_t>(issued));
    auto call = std::make_shared<StreamCall>(
        ctx, issued, std::move(plan),
        [this](StreamCall* c, RequestRecord r) { OnDone(c, std::move(r)); });
    ++issued;
    active.emplace(call.get(), call);
    max_in_flight = std::max<int64_t>(max_in_flight, static_cast<int64_t>(active.size()));
    call->Start();
  }

  // Closed loop: keeps `concurrency` requests in flight while the budget lasts.
  void FillClosedLoop() {
    while (!AtCap() && ArrivalsLeft()) {
      ++arrived;
      Issue();
    }
  }

  void ScheduleArrival() {
    next_arrival += std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(rng.Exponential(opt.request_rate)));
    arrival_timer.expires_at(next_arrival);
    arrival_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || !ArrivalsLeft()) return;
      OnArrival();
    });
  }

  void OnArrival() {
    ++arrived;
    if (AtCap()) {
      ++waiting;
    } else {
      Issue();
    }
    if (ArrivalsLeft()) ScheduleArrival();
  }

  void OnDone(StreamCall* call, RequestRecord record) {
    if (record.outcome == Outcome::kOk) {
      ++succeeded;
      completion_tokens += record.completion_tokens;
    } else if (record.outcome == Outcome::kError) {
      ++failed;
    }
    records.push_back(std::move(record));
    active.erase(call);  // the call's own handler still holds it
    if (!stopping) {
      if (open_loop()) {
        if (waiting > 0 && !AtCap()) {
          --waiting;
          Issue();
        }
      } else {
        FillClosedLoop();
      }
    }
    MaybeFinish();
  }

  void MaybeFinish() {
    if (finished || !active.empty() || waiting > 0 || ArrivalsLeft()) return;
    finished = true;
    end = Clock::now();
    deadline_timer.cancel();
    arrival_timer.cancel();
    progress_timer.cancel();
    if (signals) signals->cancel();
  }

  void Stop(bool by_signal) {
    if (finished || stopping) return;
    stopping = true;
    interrupted = by_signal;
    waiting = 0;
    arrival_timer.cancel();
    if (!active.empty()) stopped_early = true;
    std::vector<std::shared_ptr<StreamCall>> calls;
    calls.reserve(active.size());
    for (auto& [ptr, call] : active) calls.push_back(call);
    for (auto& call : calls) call->Abandon();
    MaybeFinish();
  }

  void ScheduleProgress() {
    progress_timer.expires_after(progress_every);
    progress_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || finished) return;
      Progress p;
      p.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
      p.issued = issued;
      p.succeeded = succeeded;
      p.failed = failed;
      p.in_flight = static_cast<int64_t>(active.size());
      p.completion_tokens = completion_tokens;
      on_progress(p);
      ScheduleProgress();
    });
  }

  RunnerOptions opt;
  RequestSource* source;
  net::io_context ioc{1};
  transport::CallContext ctx{ioc};
  std::unordered_map<StreamCall*, std::shared_ptr<StreamCall>> active;
  net::steady_timer deadline_timer{ioc};
  net::steady_timer arrival_timer{ioc};
  net::steady_timer progress_timer{ioc};
  std::optional<net::signal_set> signals;
  SplitMix64 rng;
  std::function<void(const Progress&)> on_progress;
  Clock::duration progress_every{};
  std::vector<RequestRecord> records;
  int64_t arrived = 0, issued = 0, waiting = 0, succeeded = 0, failed = 0, completion_tokens = 0;
  int64_t max_in_flight = 0;
  bool stopping = false, finished = false, stopped_early = false, interrupted = false;
  Clock::time_point start, end, next_arrival;
};

LoadRunner::LoadRunner(RunnerOptions options, RequestSource* source)
    : impl_(std::make_unique<Impl>(std::move(options), source)) {}

LoadRunner::~LoadRunner() = default;

Expected<RunResult> LoadRunner::Run(const std::function<void(const Progress&)>& on_progress,
                                    double progress_interval_s) {
  Impl& s = *impl_;
  CHECK(s.opt.concurrency > 0 || s.opt.request_rate > 0) << "no load shape";
  CHECK(s.opt.max_requests > 0 || s.opt.duration_s > 0) << "no stop condition";
  CHECK(!s.finished && s.issued == 0) << "Run() called twice";

  boost::system::error_code ec;
  tcp::resolver resolver(s.ioc);
  s.ctx.endpoints = resolver.resolve(s.opt.url.host, std::to_string(s.opt.url.port), ec);
  if (ec || s.ctx.endpoints.empty()) {
    return IoError("cannot resolve " + s.opt.url.host + ": " +
                   (ec ? ec.message() : "no addresses"));
  }
  std::string head = "POST " + s.opt.path + " HTTP/1.1\r\nHost: " + s.opt.url.HostHeader() +
                     "\r\nUser-Agent: dsinfer-loadtest\r\nAccept: text/event-stream\r\n"
                     "Content-Type: application/json\r\n";
  if (!s.opt.api_key.empty()) head += "Authorization: Bearer " + s.opt.api_key + "\r\n";
  s.ctx.request_head = std::move(head);
  s.ctx.connect_timeout = Millis(s.opt.connect_timeout_s);
  s.ctx.stall_timeout = Millis(s.opt.stall_timeout_s);

  const double cpu_before = ProcessCpuSeconds();
  s.start = s.next_arrival = s.ctx.run_start = Clock::now();
  if (s.opt.duration_s > 0) {
    s.deadline_timer.expires_at(s.start + Millis(s.opt.duration_s));
    s.deadline_timer.async_wait([&s](boost::system::error_code e) {
      if (!e) s.Stop(false);
    });
  }
  if (s.opt.handle_signals) {
    s.signals.emplace(s.ioc, SIGINT, SIGTERM);
    s.signals->async_wait([&s](boost::system::error_code e, int) {
      if (!e) s.Stop(true);
    });
  }
  if (on_progress && progress_interval_s > 0) {
    s.on_progress = on_progress;
    s.progress_every = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(progress_interval_s));
    s.ScheduleProgress();
  }
  if (s.open_loop()) {
    s.OnArrival();  // the first request goes out at once
  } else {
    s.FillClosedLoop();
  }
  s.MaybeFinish();
  s.ioc.run();
  if (!s.finished) s.end = Clock::now();
  s.ctx.idle.clear();
  s.signals.reset();

  RunResult result;
  result.records = std::move(s.records);
  std::sort(result.records.begin(), result.records.end(),
            [](const RequestRecord& a, const RequestRecord& b) { return a.index < b.index; });
  result.wall_s = std::chrono::duration<double>(s.end - s.start).count();
  result.cpu_s = ProcessCpuSeconds() - cpu_before;
  result.stopped_early = s.stopped_early;
  result.interrupted = s.interrupted;
  result.max_in_flight = s.max_in_flight;
  result.connections_opened = s.ctx.connections_opened;
  return result;
}

}  // namespace dsinfer::loadtest
