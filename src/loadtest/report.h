// Report: the figures of one run, computed from its request records (BuildReport), printed as a
// table (FormatTable) and written as JSON (ReportToJson). Latency figures are over succeeded
// requests; throughput divides their tokens by the run's wall time.
//   TTFT  request start (before connecting) -> first event with generated output
//   TPOT  (E2E - TTFT) / (completion tokens - 1), requests with at least 2 tokens
//   ITL   every gap between consecutive output events
//   E2E   request start -> data: [DONE]
// Goodput counts succeeded requests meeting every SLO given (TTFT and TPOT limits), per second.
// Token throughput also counts what requests cut off by the --duration deadline had streamed
// (their output events, and their prompt once its first token arrived), so a short window at
// high concurrency does not under-report the server; token totals count succeeded requests only.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/load_runner.h"
#include "loadtest/options.h"
#include "loadtest/percentiles.h"

namespace dsinfer::loadtest {

struct ErrorCount {
  std::string kind;  // see request_record.h
  int64_t count = 0;
  std::string example;  // the first request's detail
};

struct Report {
  LoadtestOptions options;  // what was asked (api_key is never reported)
  std::string target;       // the generation URL
  std::string model;
  std::string prompt_source;  // "generated (exact via /tokenize)", "dataset FILE", ...

  double wall_s = 0;
  double cpu_s = 0;  // loadtest's own CPU during the run
  int64_t issued = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t cancelled = 0;           // abandoned at the deadline / on a signal
  double error_rate = 0;           // failed / (succeeded + failed)
  std::vector<ErrorCount> errors;  // by kind, sorted by name

  int64_t prompt_tokens = 0;                // of succeeded requests
  int64_t completion_tokens = 0;            // of succeeded requests
  int64_t usage_reported = 0;               // succeeded requests whose counts came from `usage`
  int64_t cancelled_prompt_tokens = 0;      // prompts of cancelled requests that had output
  int64_t cancelled_completion_tokens = 0;  // output events cancelled requests had received

  double requests_per_s = 0;
  double output_tokens_per_s = 0;
  double total_tokens_per_s = 0;
  std::optional<double> goodput_per_s;  // set when an SLO was given
  int64_t slo_met = 0;

  Distribution ttft_ms, tpot_ms, itl_ms, e2e_ms;

  int64_t max_in_flight = 0;
  int64_t connections_opened = 0;
  bool stopped_early = false;
  bool interrupted = false;
};

Report BuildReport(const RunResult& run, const LoadtestOptions& options);

// The human-readable summary (several lines, ending in a newline).
std::string FormatTable(const Report& report);

// Every figure as one JSON object (pretty-printed, ending in a newline).
std::string ReportToJson(const Report& report);

}  // namespace dsinfer::loadtest
