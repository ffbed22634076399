// Engine: the serving engine's public, HTTP-independent API.
//
//   auto engine = Engine::Create(model, pool, options);        // warm-up runs here
//   auto sub = engine->Submit(request);                         // validated, queued, or refused
//   while (auto ev = sub->events->Next()) { ...tokens, text, finish, usage, timings... }
//   engine->Cancel(sub->id);                                    // any time, from any thread
//   EngineStats s = engine->Stats();
//
// Threading: one engine thread, started by Create and joined by the destructor, owns the
// EngineCore (scheduler, sequences, every KV block) and is the only thread that runs the model.
// Callers talk to it through queues only: Submit and Cancel post commands to its inbox, events
// come back through each request's EventStream, and Stats() reads a snapshot the engine thread
// publishes after every step. Submit, Cancel, Stats and CheckInvariants are safe to call from
// any number of threads at once. Destroying the engine cancels every open request (its stream
// gets a kCancelled finish and the done event) and must not race with other calls.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/admission.h"
#include "engine/engine_core.h"
#include "engine/engine_options.h"
#include "engine/engine_stats.h"
#include "engine/event_stream.h"
#include "engine/request.h"
#include "engine/step_executor.h"
#include "model/model.h"

namespace dsinfer::engine {

struct Submission {
  RequestId id = 0;
  std::shared_ptr<EventStream> events;
};

// Facts about the engine a frontend needs (immutable after Create).
struct EngineLimits {
  int32_t n_vocab = 0;
  int64_t max_model_len = 0;
  int32_t kv_blocks = 0;
  int block_size = 0;
  uint64_t kv_bytes_per_token = 0;
};

class Engine {
 public:
  // Sizes and allocates the KV cache for `model`, prefills the warm-up prompts and starts the
  // engine thread. `model` and `pool` must outlive the engine; the engine thread is the pool's
  // only user meanwhile. Errors name the option at fault.
  static Expected<std::unique_ptr<Engine>> Create(const Model& model, ThreadPool& pool, EngineOptions options);
  // The same over any StepExecutor (tests use a fake). options.max_model_len must be set; the
  // KV geometry comes from the executor (options.block_size and kv_sizing are ignored).
  static Expected<std::unique_ptr<Engine>> CreateWithExecutor(std::unique_ptr<StepExecutor> executor,
                                                              EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates and queues a request. Errors: kInvalidArgument when the request can never run,
  // kResourceExhausted when the waiting queue is full (or the engine is being destroyed). `on_event`, if given, is called on the
  // engine thread after each event is queued on the stream (see EventStream::set_on_push).
  Expected<Submission> Submit(GenerateRequest request, std::function<void()> on_event = {});

  // Asks the engine to cancel the request; takes effect before its next step (its blocks are
  // freed and its stream ends with kCancelled). Unknown or finished ids are ignored.
  void Cancel(RequestId id);

  // The snapshot published after the latest step or command.
  EngineStats Stats() const;
  const EngineLimits& limits() const { return limits_; }

  // Runs EngineCore::CheckInvariants on the engine thread between steps and returns its result.
  Status CheckInvariants();

 private:
  struct SubmitCommand {
    RequestId id;
    GenerateRequest request;
    std::shared_ptr<EventStream> stream;
    Clock::time_point submitted;
  };
  struct CancelCommand {
    RequestId id;
  };
  struct CheckCommand {
    std::promise<Status>* result;
  };
  using Command = std::variant<SubmitCommand, CancelCommand, CheckCommand>;

  Engine(std::unique_ptr<StepExecutor> executor, const EngineOptions& options, EngineCoreConfig core_config);
  void Loop();
  void Apply(Command& command);
  void Publish();

  std::unique_ptr<StepExecutor> executor_;
  EngineCore core_;               // engine thread only (after Create returns)
  EngineLimits limits_;
  AdmissionLimits admission_;
  int max_waiting_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Command> inbox_;    // guarded by mu_
  int queued_submits_ = 0;        // guarded by mu_: submits in the inbox
  int core_waiting_ = 0;          // guarded by mu_: waiting sequences after the last step
  RequestId next_id_ = 1;         // guarded by mu_
  uint64_t rejected_ = 0;         // guarded by mu_
  bool stop_ = false;             // guarded by mu_

  mutable std::mutex stats_mu_;
  EngineStats stats_;             // guarded by stats_mu_

  std::thread thread_;
};

// The end-of-generation ids a GGUF declares (tokenizer.ggml eos, eot and eom token ids).
std::vector<int32_t> EosTokenIdsFromGguf(const gguf::GgufFile& file);

}  // namespace dsinfer::engine
