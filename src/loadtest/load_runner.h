// LoadRunner: drives the load of one run. Every request is a streamed HTTP exchange handled by
// completion handlers on one io_context run by the calling thread (no thread per request), so
// thousands of concurrent streams cost one core's fraction and some memory. Keep-alive
// connections are reused between requests.
//
// Closed loop (`concurrency` only): that many requests are in flight; each one that ends starts
// the next. Open loop (`request_rate`): Poisson arrivals at that rate, seeded by `seed`; with a
// `concurrency` cap, arrivals beyond it wait for a free slot. The run stops issuing after
// `max_requests` or at `duration_s`; at the deadline (or on SIGINT/SIGTERM when
// `handle_signals`) every in-flight request is closed at once and recorded as cancelled.
//
// Thread-compatible: Run() is called by one thread; the progress callback runs on it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "loadtest/request_record.h"
#include "loadtest/request_source.h"
#include "loadtest/url.h"

namespace dsinfer::loadtest {

struct RunnerOptions {
  ServerUrl url;
  std::string path;     // e.g. "/v1/chat/completions"
  std::string api_key;  // "Authorization: Bearer" when set
  int concurrency = 0;
  double request_rate = 0;
  int64_t max_requests = 0;  // 0: no limit
  double duration_s = 0;     // 0: no limit
  double stall_timeout_s = 60;
  double connect_timeout_s = 10;
  uint64_t seed = 0;
  bool handle_signals = false;
};

struct Progress {
  double elapsed_s = 0;
  int64_t issued = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t in_flight = 0;
  int64_t completion_tokens = 0;  // of succeeded requests
};

struct RunResult {
  std::vector<RequestRecord> records;  // one per issued request, by index
  double wall_s = 0;                   // first request issued -> last request ended
  double cpu_s = 0;                    // user + system CPU of this process during the run
  bool stopped_early = false;          // deadline reached with requests in flight, or a signal
  bool interrupted = false;            // SIGINT / SIGTERM
  int64_t max_in_flight = 0;
  int64_t connections_opened = 0;
};

class LoadRunner {
 public:
  LoadRunner(RunnerOptions options, RequestSource* source);
  ~LoadRunner();
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  // Runs the load to its end. `on_progress` (may be empty) is called every `progress_interval_s`.
  // Errors: the host does not resolve. Request failures are data in the records, not errors.
  Expected<RunResult> Run(const std::function<void(const Progress&)>& on_progress = {},
                          double progress_interval_s = 0.5);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsinfer::loadtest
