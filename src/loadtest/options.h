// LoadtestOptions: everything `dsinfer loadtest` is asked to do, filled by the CLI and checked
// by Validate() before anything connects. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace dsinfer::loadtest {

enum class Endpoint { kChat, kCompletions };

const char* EndpointName(Endpoint e);  // "chat" or "completions"

struct LoadtestOptions {
  std::string url;      // http://HOST:PORT[/v1]
  std::string api_key;  // sent as "Authorization: Bearer KEY" when set
  std::string model;    // empty: the first id of GET /v1/models (omitted if that fails)
  Endpoint endpoint = Endpoint::kChat;

  // Load shape. Closed loop: `concurrency` users, each sends its next request when the previous
  // one ends. Open loop: Poisson arrivals at `request_rate` per second (capped at `concurrency`
  // in flight when both are given; later arrivals wait).
  int concurrency = 0;
  double request_rate = 0;
  // Stop: after `requests` requests were issued, or at `duration_s` (in-flight requests are then
  // cancelled at once). At least one must be set; with both, whichever comes first.
  int64_t requests = 0;
  double duration_s = 0;

  // Workload: generated prompts of `prompt_tokens` tokens (exact when the server has /tokenize),
  // the first `shared_prefix_tokens` of them the same in every request; or a JSONL dataset.
  int prompt_tokens = 128;
  int max_tokens = 64;
  int shared_prefix_tokens = 0;
  std::string dataset;      // JSONL: {"prompt": ...} or {"messages": [...]}, opt. "max_tokens"
  bool ignore_eos = false;  // send "ignore_eos": true (vLLM / dsinfer extension)
  uint64_t seed = 0;

  // Goodput: requests meeting both limits (0: no limit on that figure).
  double slo_ttft_ms = 0;
  double slo_tpot_ms = 0;

  double stall_timeout_s = 60;  // a request with no byte for this long is a `timeout` error
  double connect_timeout_s = 10;
  std::string json_out;  // "" none, "-" stdout, else a file
};

// Checks ranges and combinations; the message names the flag.
Status Validate(const LoadtestOptions& options);

}  // namespace dsinfer::loadtest
