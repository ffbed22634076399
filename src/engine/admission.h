// Admission control, the first phase a request meets (on the caller's thread, in
// Engine::Submit). Two checks, with errors the server maps to HTTP statuses:
//   ValidateRequest   - kInvalidArgument (400): the request can never run as given (empty or
//                       too long prompt, token ids outside the vocabulary, a prompt larger than
//                       the whole KV cache, bad sampling parameters, stop strings without a
//                       text decoder, ...). Messages name the field.
//   CheckQueueSpace   - kResourceExhausted (429/503): the bounded waiting queue is full now;
//                       the same request may succeed later.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "engine/request.h"

namespace dsinfer::engine {

struct AdmissionLimits {
  int32_t n_vocab = 0;
  int64_t max_model_len = 0;     // positions per sequence
  int64_t kv_token_capacity = 0; // token slots a single sequence can get (unpinned blocks)
  bool has_text_decoder = false;
  int max_samples = 64;          // upper bound for GenerateRequest::n
};

Status ValidateRequest(const GenerateRequest& request, const AdmissionLimits& limits);

// `queued`: requests accepted but not yet running.
Status CheckQueueSpace(int queued, int max_waiting);

}  // namespace dsinfer::engine
