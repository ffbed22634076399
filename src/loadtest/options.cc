#include "loadtest/options.h"

#include <cmath>

namespace dsinfer::loadtest {

const char* EndpointName(Endpoint e) { return e == Endpoint::kChat ? "chat" : "completions"; }

Status Validate(const LoadtestOptions& o) {
  if (o.url.empty()) return InvalidArgument("--url is required, e.g. --url http://127.0.0.1:8080");
  if (o.concurrency < 0) return InvalidArgument("--concurrency must be at least 1");
  if (!(o.request_rate >= 0) || std::isinf(o.request_rate)) {
    return InvalidArgument("--request-rate must be a positive number of requests per second");
  }
  if (o.concurrency == 0 && o.request_rate == 0) {
    return InvalidArgument("give --concurrency N (closed loop) or --request-rate R (open loop)");
  }
  if (o.requests < 0) return InvalidArgument("--requests must be at least 1");
  if (!(o.duration_s >= 0) || std::isinf(o.duration_s))
    return InvalidArgument("--duration must be positive seconds");
  if (o.requests == 0 && o.duration_s == 0) {
    return InvalidArgument("give --requests COUNT or --duration SECONDS to say when the run stops");
  }
  if (o.max_tokens < 1) return InvalidArgument("--max-tokens must be at least 1");
  if (o.dataset.empty()) {
    if (o.prompt_tokens < 1) return InvalidArgument("--prompt-tokens must be at least 1");
    if (o.shared_prefix_tokens < 0 || o.shared_prefix_tokens >= o.prompt_tokens) {
      return InvalidArgument("--shared-prefix-tokens must be below --prompt-tokens (" +
                             std::to_string(o.prompt_tokens) + ")");
    }
  } else if (o.shared_prefix_tokens != 0) {
    return InvalidArgument("--shared-prefix-tokens applies to generated prompts, not to --dataset");
  }
  if (o.slo_ttft_ms < 0 || o.slo_tpot_ms < 0)
    return InvalidArgument("--slo-ttft-ms and --slo-tpot-ms must be >= 0");
  if (!(o.stall_timeout_s > 0)) return InvalidArgument("--stall-timeout must be positive seconds");
  if (!(o.connect_timeout_s > 0))
    return InvalidArgument("--connect-timeout must be positive seconds");
  return Status::Ok();
}

}  // namespace dsinfer::loadtest
