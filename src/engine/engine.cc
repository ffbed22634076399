#include "engine/engine.h"

#include <algorithm>
#include <string>
#include <utility>

#include "engine/model_step_executor.h"

namespace dsinfer::engine {

namespace {

Status ValidateOptions(const EngineOptions& o, int32_t n_vocab, int64_t max_model_len) {
  if (o.scheduler.max_batch_size < 1) {
    return InvalidArgument("max_batch_size must be >= 1, got " + std::to_string(o.scheduler.max_batch_size));
  }
  if (o.scheduler.max_num_batched_tokens < 1) {
    return InvalidArgument("max_num_batched_tokens must be >= 1, got " +
                           std::to_string(o.scheduler.max_num_batched_tokens));
  }
  if (!o.scheduler.chunked_prefill && o.scheduler.max_num_batched_tokens < max_model_len) {
    return InvalidArgument("without chunked prefill, max_num_batched_tokens (" +
                           std::to_string(o.scheduler.max_num_batched_tokens) + ") must be >= max_model_len (" +
                           std::to_string(max_model_len) + ")");
  }
  if (o.max_waiting_requests < 1) {
    return InvalidArgument("max_waiting_requests must be >= 1, got " + std::to_string(o.max_waiting_requests));
  }
  if (max_model_len < 2) return InvalidArgument("max_model_len must be >= 2, got " + std::to_string(max_model_len));
  for (size_t i = 0; i < o.warmup_prompts.size(); ++i) {
    const auto& p = o.warmup_prompts[i];
    if (static_cast<int64_t>(p.size()) > max_model_len) {
      return InvalidArgument("warmup prompt " + std::to_string(i) + ": " + std::to_string(p.size()) +
                             " tokens exceed max_model_len " + std::to_string(max_model_len));
    }
    for (int32_t t : p) {
      if (t < 0 || t >= n_vocab) {
        return InvalidArgument("warmup prompt " + std::to_string(i) + ": token id " + std::to_string(t) +
                               " is outside the vocabulary");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<int32_t> EosTokenIdsFromGguf(const gguf::GgufFile& file) {
  std::vector<int32_t> ids;
  for (const char* key : {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
    auto v = file.GetU32(key);
    if (!v.ok()) continue;
    const int32_t id = static_cast<int32_t>(*v);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

Expected<std::unique_ptr<Engine>> Engine::Create(const Model& model, ThreadPool& pool, EngineOptions options) {
  if (options.max_model_len == 0) options.max_model_len = model.config().n_ctx_train;
  if (options.max_model_len <= 0) return InvalidArgument("max_model_len: the model declares no context length; set one");
  const uint64_t bytes_per_token = KvBytesPerToken(model.kv_layout(), options.kv_type);
  DSINFER_ASSIGN_OR_RETURN(int32_t n_blocks,
                           ResolveKvBlockCount(options.kv_sizing, bytes_per_token, options.block_size,
                                               options.scheduler.max_batch_size, options.max_model_len));
  DSINFER_ASSIGN_OR_RETURN(auto executor,
                           ModelStepExecutor::Create(model, pool, options.block_size, n_blocks, options.kv_type));
  if (!options.eos_token_ids) options.eos_token_ids = EosTokenIdsFromGguf(model.file());
  return CreateWithExecutor(std::move(executor), std::move(options));
}

Expected<std::unique_ptr<Engine>> Engine::CreateWithExecutor(std::unique_ptr<StepExecutor> executor,
                                                             EngineOptions options) {
  DSINFER_RETURN_IF_ERROR(ValidateOptions(options, executor->n_vocab(), options.max_model_len));
  EngineCoreConfig core;
  core.scheduler = options.scheduler;
  core.enable_prefix_caching = options.enable_prefix_caching;
  core.max_model_len = options.max_model_len;
  core.eos_token_ids = options.eos_token_ids.value_or(std::vector<int32_t>());
  core.text_decoder = options.text_decoder;
  core.check_invariants_every_step = options.check_invariants_every_step;
  std::unique_ptr<Engine> engine(new Engine(std::move(executor), options, std::move(core)));
  DSINFER_RETURN_IF_ERROR(engine->core_.Warmup(options.warmup_prompts));
  engine->admission_.kv_token_capacity =
      static_cast<int64_t>(engine->limits_.kv_blocks - engine->core_.num_pinned_blocks()) * engine->limits_.block_size;
  engine->Publish();
  engine->thread_ = std::thread([e = engine.get()] { e->Loop(); });
  return engine;
}

Engine::Engine(std::unique_ptr<StepExecutor> executor, const EngineOptions& options, EngineCoreConfig core_config)
    : executor_(std::move(executor)), core_(executor_.get(), std::move(core_config)) {
  limits_.n_vocab = executor_->n_vocab();
  limits_.max_model_len = options.max_model_len;
  limits_.kv_blocks = executor_->n_blocks();
  limits_.block_size = executor_->block_size();
  limits_.kv_bytes_per_token = executor_->kv_bytes_per_token();
  admission_.n_vocab = limits_.n_vocab;
  admission_.max_model_len = limits_.max_model_len;
  admission_.has_text_decoder = options.text_decoder != nullptr;
  max_waiting_ = options.max_waiting_requests;
}

Engine::~Engine() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Expected<Submission> Engine::Submit(GenerateRequest request, std::function<void()> on_event) {
  const Status valid = ValidateRequest(request, admission_);
  auto stream = std::make_shared<EventStream>();
  if (on_event) stream->set_on_push(std::move(on_event));
  Submission sub;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Status st = valid.ok() ? CheckQueueSpace(queued_submits_ + core_waiting_, max_waiting_) : valid;
    if (st.ok() && stop_) st = ResourceExhausted("the engine is shutting down");
    if (!st.ok()) {
      ++rejected_;
      return st;
    }
    sub.id = next_id_++;
    sub.events = stream;
    inbox_.emplace_back(SubmitCommand{sub.id, std::move(request), std::move(stream), Clock::now()});
    ++queued_submits_;
  }
  cv_.notify_all();
  return sub;
}

void Engine::Cancel(RequestId id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    inbox_.emplace_back(CancelCommand{id});
  }
  cv_.notify_all();
}

EngineStats Engine::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

Status Engine::CheckInvariants() {
  std::promise<Status> result;
  auto future = result.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    inbox_.emplace_back(CheckCommand{&result});
  }
  cv_.notify_all();
  return future.get();
}

void Engine::Apply(Command& command) {
  if (auto* s = std::get_if<SubmitCommand>(&command)) {
    core_.AddRequest(s->id, std::move(s->request), std::move(s->stream), s->submitted);
  } else if (auto* c = std::get_if<CancelCommand>(&command)) {
    core_.Cancel(c->id);
  } else if (auto* k = std::get_if<CheckCommand>(&command)) {
    // Publish first, so a caller that waited for the check also sees current statistics.
    Publish();
    k->result->set_value(core_.CheckInvariants());
  }
}

void Engine::Publish() {
  EngineStats s = core_.Stats();
  {
    std::lock_guard<std::mutex> lock(mu_);
    core_waiting_ = static_cast<int>(core_.num_waiting());
    s.requests_rejected = rejected_;
  }
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_ = s;
}

void Engine::Loop() {
  for (;;) {
    std::vector<Command> commands;
    bool stopping = false;
    const bool has_work = core_.has_work();
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || has_work || !inbox_.empty(); });
      commands.swap(inbox_);
      for (const auto& c : commands) {
        if (std::holds_alternative<SubmitCommand>(c)) --queued_submits_;
      }
      stopping = stop_;
    }
    // Submissions first, then cancellations, so a cancel posted right after its submit finds it.
    for (auto& c : commands) {
      if (std::holds_alternative<SubmitCommand>(c)) Apply(c);
    }
    for (auto& c : commands) {
      if (!std::holds_alternative<SubmitCommand>(c)) Apply(c);
    }
    if (!commands.empty()) Publish();
    if (stopping) {
      core_.CancelAll();
      Publish();
      return;
    }
    core_.Step();
    Publish();
  }
}

}  // namespace dsinfer::engine
