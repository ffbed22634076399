// RequestRecord: what one load-test request measured, and how it ended. Times are seconds on a
// steady clock; `start_s` counts from the start of the run, the others from the request's own
// start (before connecting). Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dsinfer::loadtest {

enum class Outcome {
  kOk,         // the stream ended with "data: [DONE]"
  kError,      // counted as an error of `error_kind`
  kCancelled,  // abandoned at the end of --duration or on Ctrl-C: neither success nor error
};

// Error kinds, reported under these names (HTTP statuses as "http_<code>"):
//   connect       the TCP connection could not be made (refused, unreachable, connect timeout)
//   dropped       the connection closed or reset after the request was sent, before [DONE]
//   http_<code>   a response status other than 200
//   timeout       no byte arrived for --stall-timeout seconds
//   malformed     the response was not a well-formed event stream of OpenAI chunks, or ended
//                 without [DONE]
//   stream_error  the stream carried an {"error": ...} event

struct RequestRecord {
  int64_t index = 0;  // issue order, from 0
  Outcome outcome = Outcome::kOk;
  std::string error_kind;    // set when outcome == kError (see above)
  std::string error_detail;  // a human-readable detail (first one per kind is reported)
  double start_s = 0;
  double ttft_s = -1;             // first event with generated output; -1: none arrived
  double e2e_s = 0;               // until [DONE] (or until the error / cancellation)
  std::vector<float> itl_s;       // gaps between consecutive output events
  int64_t output_events = 0;      // events that carried generated output
  int64_t prompt_tokens = 0;      // from usage, else the generator's count (0 when unknown)
  int64_t completion_tokens = 0;  // from usage, else output_events
  bool usage_reported = false;
  bool reused_connection = false;
};

}  // namespace dsinfer::loadtest
