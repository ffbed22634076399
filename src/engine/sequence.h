// Sequence: the engine's view of one sample of one request (a request with n samples becomes n
// Sequences once its prompt is computed). It is what the scheduler moves between the waiting
// queue and the running list, what owns a BlockTable, and what the sampler draws for. It is
// never shown to API callers (they see GenerateRequest and StreamEvent).
//
// The one invariant the phases rely on: positions [0, n_computed) of `tokens` have their KV
// written into `blocks`; a waiting sequence either has no blocks (n_computed == 0) or, never
// between steps, a prefix-cache match. A running sequence always has tokens left to compute
// (n_computed < tokens.size()): the next token is sampled exactly when the last one is computed.
//
// Thread-safety: none; only the engine thread touches sequences.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/block_table.h"
#include "engine/request.h"
#include "engine/sampler.h"
#include "engine/stop_string_matcher.h"
#include "engine/text_decoder.h"

namespace dsinfer::engine {

enum class SequenceState { kWaiting, kRunning, kFinished };

struct RequestState;

struct Sequence {
  uint64_t id = 0;                 // unique within the engine
  RequestState* request = nullptr; // owning request; null for a warm-up prefill
  int sample_index = 0;
  int priority = 0;                // lower runs first
  uint64_t arrival = 0;            // submission order: the FCFS key within a priority

  std::vector<int32_t> tokens;     // prompt, then generated tokens
  int32_t n_prompt = 0;
  int64_t n_computed = 0;          // positions whose KV is in `blocks`
  BlockTable blocks;
  SequenceState state = SequenceState::kWaiting;
  int64_t n_preemptions = 0;

  std::unique_ptr<Sampler> sampler;             // null for warm-up
  std::unique_ptr<TextDecoder> decoder;         // with a TextDecoderFactory
  std::optional<StopStringMatcher> stop_matcher;// with stop strings

  int64_t n_remaining() const { return static_cast<int64_t>(tokens.size()) - n_computed; }
  int32_t n_generated() const { return static_cast<int32_t>(tokens.size()) - n_prompt; }
};

// Scheduling order: priority, then arrival, then sample index. The running list and the waiting
// queue are kept in this order; preemption victims are taken from its end.
inline bool RunsBefore(const Sequence& a, const Sequence& b) {
  if (a.priority != b.priority) return a.priority < b.priority;
  if (a.arrival != b.arrival) return a.arrival < b.arrival;
  return a.sample_index < b.sample_index;
}

}  // namespace dsinfer::engine
