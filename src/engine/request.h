// The API-facing types of the engine: what a caller submits (GenerateRequest with its
// SamplingParams) and what it receives back (StreamEvent with tokens, text, finish reason,
// usage and timings). Plain value types with no behaviour; thread-compatible. The engine's own
// bookkeeping for a request (Sequence, block tables) lives elsewhere and never leaks out here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dsinfer::engine {

using RequestId = uint64_t;
using Clock = std::chrono::steady_clock;

// How logits become a token. vLLM semantics throughout; the defaults change nothing.
struct SamplingParams {
  float temperature = 1.0f;          // 0: greedy (argmax, lowest id on exact ties)
  int top_k = 0;                     // keep the k most likely tokens; 0 or -1: all
  float top_p = 1.0f;                // keep the smallest set with probability mass >= top_p
  float min_p = 0.0f;                // drop tokens with p < min_p * p_max
  float repetition_penalty = 1.0f;   // prompt and output tokens: logit / r if > 0, else * r
  float presence_penalty = 0.0f;     // output tokens: logit -= presence if seen at all
  float frequency_penalty = 0.0f;    // output tokens: logit -= frequency * count
  std::vector<std::pair<int32_t, float>> logit_bias;  // added to the raw logits
  // Seed of this request's own RNG: same seed, same output, whatever else runs in the batch.
  // Absent: a random seed.
  std::optional<uint64_t> seed;
  bool logprobs = false;             // report the log-probability of each chosen token
  int top_logprobs = 0;              // and of the k most likely alternatives (0..20)
};

struct GenerateRequest {
  std::vector<int32_t> prompt;       // token ids; non-empty, each < n_vocab
  SamplingParams sampling;
  int max_tokens = 256;              // generated tokens per sample (>= 1)
  std::vector<int32_t> stop_token_ids;  // finish with kStop after emitting one of these
  std::vector<std::string> stop;     // stop strings; need a TextDecoderFactory in the engine
  bool ignore_eos = false;           // do not stop at the model's end-of-generation tokens
  int n = 1;                         // independent samples sharing the prompt's KV blocks
  int priority = 0;                  // lower values are served first (vLLM); FCFS within one
  std::optional<Clock::time_point> deadline;  // finish with kDeadline when passed
};

enum class FinishReason {
  kNone,       // not finished
  kStop,       // end-of-generation token, stop token id or stop string
  kLength,     // max_tokens or the context length reached
  kCancelled,  // Engine::Cancel
  kDeadline,   // GenerateRequest::deadline passed
  kError,      // the engine failed the request (StreamEvent::error says why)
};

// "none", "stop", "length", "cancelled", "deadline", "error".
const char* FinishReasonName(FinishReason reason);

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

struct GeneratedToken {
  int32_t token = 0;
  float logprob = 0.0f;                     // set when SamplingParams::logprobs
  std::vector<TokenLogprob> top_logprobs;   // SamplingParams::top_logprobs entries, best first
};

struct Usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;       // over all n samples
  int cached_prompt_tokens = 0;    // prompt tokens served from the prefix cache (first sample)
};

// Seconds, measured on the engine thread. Zero for a phase that did not happen.
struct RequestTimings {
  double queued_s = 0;        // submit -> first scheduled
  double prefill_s = 0;       // first scheduled -> first token
  double first_token_s = 0;   // submit -> first token (time to first token)
  double decode_s = 0;        // first token -> finish
  double total_s = 0;         // submit -> finish
};

// One message on a request's stream. Sample `index` gets events in order; each sample's last
// event has `finish` set; the very last event of the request has `done` set and carries usage
// and timings (it may be the same event as the last sample's finish).
struct StreamEvent {
  int index = 0;                         // which of the n samples
  std::vector<GeneratedToken> tokens;    // newly generated tokens (ids are never withheld)
  std::string text;                      // newly released text (with a text decoder)
  FinishReason finish = FinishReason::kNone;
  std::optional<int32_t> stop_token;     // the token id that stopped this sample
  std::string stop_string;               // the stop string that stopped it (not in `text`)
  std::string error;                     // with FinishReason::kError
  bool done = false;
  Usage usage;                           // with done
  RequestTimings timings;                // with done
};

}  // namespace dsinfer::engine
