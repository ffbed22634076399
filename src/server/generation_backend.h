// GenerationBackend: everything the HTTP layer needs from the model side, behind one interface:
// the tokenizer and chat template of the served model, and the engine's submit / cancel /
// statistics calls. engine_backend.cc binds it to dsinfer_engine (the only file that creates an
// Engine); unit tests of the HTTP layer may substitute a test double.
//
// Thread-safety: every method is safe from any number of threads (the engine's own contract:
// Submit and Cancel post to its queue; the tokenizer and template are immutable).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "chat/chat_template.h"
#include "engine/engine.h"
#include "tokenizer/bpe_tokenizer.h"

namespace dsinfer::server {

struct BackendDescription {
  std::string model_id;        // what clients send as "model"
  std::string model_path;
  bool demo_model = false;     // the synthesized built-in tiny model
  int64_t max_model_len = 0;   // context window per sequence
  int32_t n_vocab = 0;
  int64_t created_unix = 0;    // load time
  std::string bos_text;        // rendered into templates as bos_token
  std::string eos_text;
  // What the model load packed for the fast kernels (model/packed_weights.h).
  uint64_t packed_bytes = 0;
  std::string pack_cache_path;   // cache file mapped or written, if any
  std::string pack_skipped;      // why nothing was packed, if something could have been
  bool pack_evicted_source = false;  // the file's pages left the page cache as they were packed
};

class GenerationBackend {
 public:
  virtual ~GenerationBackend() = default;

  virtual const BackendDescription& description() const = 0;
  virtual const tokenizer::Tokenizer& tokenizer() const = 0;
  virtual const chat::ChatTemplate& chat_template() const = 0;

  // Engine::Submit: kInvalidArgument (400) or kResourceExhausted (queue full) on refusal.
  virtual Expected<engine::Submission> Submit(engine::GenerateRequest request, std::function<void()> on_event) = 0;
  virtual void Cancel(engine::RequestId id) = 0;
  virtual engine::EngineStats Stats() const = 0;
};

}  // namespace dsinfer::server
