#include "engine/admission.h"

#include <string>

#include "engine/sampler.h"

namespace dsinfer::engine {

Status ValidateRequest(const GenerateRequest& r, const AdmissionLimits& limits) {
  const int64_t n_prompt = static_cast<int64_t>(r.prompt.size());
  if (n_prompt == 0) return InvalidArgument("prompt: needs at least one token");
  if (n_prompt >= limits.max_model_len) {
    return InvalidArgument("prompt: " + std::to_string(n_prompt) + " tokens, but the context holds " +
                           std::to_string(limits.max_model_len) + " and at least one must be left to generate");
  }
  if (n_prompt + 1 > limits.kv_token_capacity) {
    return InvalidArgument("prompt: " + std::to_string(n_prompt) + " tokens do not fit the KV cache (" +
                           std::to_string(limits.kv_token_capacity) + " token slots)");
  }
  for (size_t i = 0; i < r.prompt.size(); ++i) {
    if (r.prompt[i] < 0 || r.prompt[i] >= limits.n_vocab) {
      return InvalidArgument("prompt[" + std::to_string(i) + "]: token id " + std::to_string(r.prompt[i]) +
                             " is outside the vocabulary [0, " + std::to_string(limits.n_vocab) + ")");
    }
  }
  if (r.max_tokens < 1) return InvalidArgument("max_tokens: must be >= 1, got " + std::to_string(r.max_tokens));
  if (r.n < 1 || r.n > limits.max_samples) {
    return InvalidArgument("n: must be in [1, " + std::to_string(limits.max_samples) + "], got " + std::to_string(r.n));
  }
  for (int32_t t : r.stop_token_ids) {
    if (t < 0 || t >= limits.n_vocab) {
      return InvalidArgument("stop_token_ids: token id " + std::to_string(t) + " is outside the vocabulary");
    }
  }
  if (!r.stop.empty() && !limits.has_text_decoder) {
    return InvalidArgument("stop: stop strings need a tokenizer, and this engine has none; use stop_token_ids");
  }
  return ValidateSamplingParams(r.sampling, limits.n_vocab);
}

Status CheckQueueSpace(int queued, int max_waiting) {
  if (queued < max_waiting) return Status::Ok();
  return ResourceExhausted("the waiting queue is full (" + std::to_string(max_waiting) +
                           " requests); retry later");
}

}  // namespace dsinfer::engine
