#include "engine/engine_core.h"

#include <algorithm>
#include <climits>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "base/check.h"
#include "engine/batch_builder.h"

namespace dsinfer::engine {

namespace {

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

bool Contains(const std::vector<int32_t>& v, int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

uint64_t RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

EngineCore::EngineCore(StepExecutor* executor, EngineCoreConfig config)
    : executor_(executor),
      config_(std::move(config)),
      scheduler_(config_.scheduler),
      kv_(executor->n_blocks(), executor->block_size(), config_.enable_prefix_caching, executor) {
  CHECK(config_.max_model_len > 0) << "max_model_len must be positive";
}

std::unique_ptr<Sequence> EngineCore::NewSequence(RequestState* request, int sample_index, int priority,
                                                  std::vector<int32_t> tokens) {
  auto s = std::make_unique<Sequence>();
  s->id = next_sequence_id_++;
  s->request = request;
  s->sample_index = sample_index;
  s->priority = priority;
  s->n_prompt = static_cast<int32_t>(tokens.size());
  s->tokens = std::move(tokens);
  if (request != nullptr) {
    if (config_.text_decoder != nullptr) s->decoder = config_.text_decoder->Create();
    if (!request->request.stop.empty()) s->stop_matcher.emplace(request->request.stop);
  }
  return s;
}

Status EngineCore::Warmup(const std::vector<std::vector<int32_t>>& prompts) {
  if (prompts.empty()) return Status::Ok();
  if (!config_.enable_prefix_caching) return InvalidArgument("warm-up prompts need prefix caching, which is off");
  for (const auto& p : prompts) {
    if (p.empty()) continue;
    auto s = NewSequence(nullptr, 0, INT_MIN, p);
    s->arrival = next_arrival_++;
    waiting_.Push(s.get());
    warmup_.push_back(std::move(s));
  }
  warmup_status_ = Status::Ok();
  while (has_work()) Step();
  return warmup_status_;
}

void EngineCore::AddRequest(RequestId id, GenerateRequest request, std::shared_ptr<EventStream> stream,
                            Clock::time_point submitted) {
  auto r = std::make_unique<RequestState>();
  r->id = id;
  r->stream = std::move(stream);
  r->submitted = submitted;
  r->seed = request.sampling.seed ? *request.sampling.seed : RandomSeed();
  std::vector<int32_t> prompt = std::move(request.prompt);
  r->request = std::move(request);
  r->usage.prompt_tokens = static_cast<int>(prompt.size());
  auto seq = NewSequence(r.get(), 0, r->request.priority, std::move(prompt));
  seq->arrival = next_arrival_++;
  seq->sampler = std::make_unique<Sampler>(r->request.sampling, DeriveSampleSeed(r->seed, 0), seq->tokens);
  waiting_.Push(seq.get());
  r->samples.push_back(std::move(seq));
  requests_.emplace(id, std::move(r));
}

bool EngineCore::Cancel(RequestId id) {
  auto it = requests_.find(id);
  if (it == requests_.end() || it->second->done) return false;
  FinishRequestSamples(*it->second, FinishReason::kCancelled, "", Clock::now());
  ReleaseFinished();
  FlushEvents();
  return true;
}

void EngineCore::CancelAll() {
  const auto now = Clock::now();
  for (auto& [id, r] : requests_) {
    if (!r->done) FinishRequestSamples(*r, FinishReason::kCancelled, "", now);
  }
  ReleaseFinished();
  FlushEvents();
}

void EngineCore::Step() {
  const auto now = Clock::now();
  ExpireDeadlines(now);
  ReleaseFinished();

  StepPlan plan = scheduler_.Schedule(&running_, &waiting_, &kv_);
  counters_.preemptions += plan.preempted.size();
  counters_.prefix_cache_queries += static_cast<uint64_t>(plan.prefix_query_tokens);
  counters_.prefix_cache_hits += static_cast<uint64_t>(plan.prefix_hit_tokens);
  RecordStarts(plan, now);
  for (Sequence* s : plan.unfittable) {
    StreamEvent e;
    e.index = s->sample_index;
    e.error = "the sequence needs " + std::to_string(kv_.BlocksFor(static_cast<int64_t>(s->tokens.size()))) +
              " KV blocks but the cache can give it only " + std::to_string(kv_.num_available());
    FinishSequence(*s, FinishReason::kError, std::move(e), now);
  }

  if (!plan.empty()) {
    const ForwardBatch batch = BuildForwardBatch(plan);
    const auto forward_start = Clock::now();
    const Status st = executor_->Forward(batch, &logits_);
    if (plan.n_tokens == static_cast<int64_t>(plan.chunks.size())) {
      counters_.decode_steps++;
      counters_.decode_step_tokens += static_cast<uint64_t>(plan.n_tokens);
      counters_.decode_step_seconds += std::chrono::duration<double>(Clock::now() - forward_start).count();
    }
    counters_.steps++;
    counters_.batched_sequences += plan.chunks.size();
    counters_.batched_tokens += static_cast<uint64_t>(plan.n_tokens);
    counters_.last_batch_sequences = static_cast<int>(plan.chunks.size());
    counters_.last_batch_tokens = static_cast<int>(plan.n_tokens);
    counters_.max_batch_sequences = std::max(counters_.max_batch_sequences, counters_.last_batch_sequences);
    const auto done_at = Clock::now();
    if (!st.ok()) {
      for (const auto& c : plan.chunks) {
        StreamEvent e;
        e.index = c.seq->sample_index;
        e.error = "forward pass failed: " + st.message();
        FinishSequence(*c.seq, FinishReason::kError, std::move(e), done_at);
      }
    } else {
      CHECK_EQ(logits_.size(), plan.chunks.size() * static_cast<size_t>(executor_->n_vocab()));
      for (size_t i = 0; i < plan.chunks.size(); ++i) {
        ProcessChunk(plan.chunks[i], logits_.data() + i * static_cast<size_t>(executor_->n_vocab()), done_at);
      }
    }
  }

  ReleaseFinished();
  if (config_.check_invariants_every_step) {
    const Status st = CheckInvariants();
    CHECK(st.ok()) << st.message();
  }
  FlushEvents();
}

void EngineCore::ExpireDeadlines(Clock::time_point now) {
  for (auto& [id, r] : requests_) {
    if (!r->done && r->request.deadline && now >= *r->request.deadline) {
      FinishRequestSamples(*r, FinishReason::kDeadline, "deadline exceeded", now);
    }
  }
}

void EngineCore::RecordStarts(const StepPlan& plan, Clock::time_point now) {
  for (Sequence* s : plan.started) {
    RequestState* r = s->request;
    if (r == nullptr || r->scheduled) continue;
    r->scheduled = true;
    r->first_scheduled = now;
    r->usage.cached_prompt_tokens = static_cast<int>(s->n_computed);
  }
}

void EngineCore::ProcessChunk(const ScheduledChunk& chunk, const float* logits_row, Clock::time_point now) {
  Sequence& seq = *chunk.seq;
  const int64_t start = seq.n_computed;
  seq.n_computed += chunk.n_tokens;
  counters_.prompt_tokens += static_cast<uint64_t>(std::max<int64_t>(0, std::min<int64_t>(seq.n_computed, seq.n_prompt) - start));
  kv_.CommitFullBlocks(seq.tokens, seq.n_computed, &seq.blocks);
  if (seq.n_remaining() > 0) return;
  if (seq.request == nullptr) {
    // A warm-up prompt is complete: pin its cached full blocks.
    BlockTable pin;
    kv_.MatchPrefix(seq.tokens, static_cast<int64_t>(seq.tokens.size()), &pin);
    if (!pin.empty()) pinned_.push_back(std::move(pin));
    FinishSequence(seq, FinishReason::kStop, StreamEvent(), now);
    return;
  }
  RequestState& r = *seq.request;
  if (!r.forked && r.request.n > 1) {
    ForkSamples(r, seq);
    for (auto& sample : r.samples) SampleAndEmit(*sample, logits_row, now);
    return;
  }
  SampleAndEmit(seq, logits_row, now);
}

void EngineCore::ForkSamples(RequestState& r, Sequence& parent) {
  r.forked = true;
  for (int i = 1; i < r.request.n; ++i) {
    auto child = NewSequence(&r, i, parent.priority, parent.tokens);
    child->arrival = parent.arrival;
    child->n_prompt = parent.n_prompt;
    child->n_computed = parent.n_computed;
    kv_.Fork(parent.blocks, &child->blocks);
    child->sampler = parent.sampler->Clone(DeriveSampleSeed(r.seed, i));
    child->state = SequenceState::kRunning;
    InsertRunning(&running_, child.get());
    r.samples.push_back(std::move(child));
  }
}

void EngineCore::SampleAndEmit(Sequence& seq, const float* logits_row, Clock::time_point now) {
  RequestState& r = *seq.request;
  const GenerateRequest& q = r.request;
  SampleResult res = seq.sampler->Sample(std::span<const float>(logits_row, static_cast<size_t>(executor_->n_vocab())));
  const int32_t token = res.token;
  seq.tokens.push_back(token);
  counters_.generated_tokens++;
  r.usage.completion_tokens++;
  if (!r.has_first_token) {
    r.has_first_token = true;
    r.first_token = now;
  }

  StreamEvent e;
  e.index = seq.sample_index;
  GeneratedToken g;
  g.token = token;
  if (q.sampling.logprobs || q.sampling.top_logprobs > 0) {
    g.logprob = res.logprob;
    g.top_logprobs = std::move(res.top_logprobs);
  }
  e.tokens.push_back(std::move(g));

  FinishReason finish = FinishReason::kNone;
  const bool is_eos = !q.ignore_eos && Contains(config_.eos_token_ids, token);
  const bool is_stop_token = Contains(q.stop_token_ids, token);
  if (is_eos || is_stop_token) {
    // Like vLLM, the text of a stop token is not emitted.
    finish = FinishReason::kStop;
    if (is_stop_token) e.stop_token = token;
  } else if (seq.decoder) {
    std::string delta = seq.decoder->Push(token);
    if (seq.stop_matcher) {
      StopStringMatcher::Result m = seq.stop_matcher->Push(delta);
      e.text = std::move(m.released);
      if (m.matched) {
        finish = FinishReason::kStop;
        e.stop_string = std::move(m.stop);
      }
    } else {
      e.text = std::move(delta);
    }
  }
  if (finish == FinishReason::kNone &&
      (seq.n_generated() >= q.max_tokens || static_cast<int64_t>(seq.tokens.size()) >= config_.max_model_len)) {
    finish = FinishReason::kLength;
  }
  if (finish == FinishReason::kNone) {
    outbox_.emplace_back(r.stream, std::move(e));
    return;
  }
  FinishSequence(seq, finish, std::move(e), now);
}

void EngineCore::FinishSequence(Sequence& seq, FinishReason reason, StreamEvent event, Clock::time_point now) {
  if (seq.state == SequenceState::kFinished) return;
  seq.state = SequenceState::kFinished;
  finished_.push_back(&seq);
  if (seq.request == nullptr) {
    if (reason == FinishReason::kError && warmup_status_.ok()) warmup_status_ = Internal("warm-up prefill: " + event.error);
    return;
  }
  RequestState& r = *seq.request;
  if (seq.decoder && event.stop_string.empty()) {
    const std::string tail = seq.decoder->Finish();
    if (seq.stop_matcher) {
      StopStringMatcher::Result m = seq.stop_matcher->Push(tail);
      event.text += m.released;
      if (m.matched) {
        reason = FinishReason::kStop;
        event.stop_string = std::move(m.stop);
      } else {
        event.text += seq.stop_matcher->Flush();
      }
    } else {
      event.text += tail;
    }
  }
  event.finish = reason;

  std::vector<StreamEvent> events;
  events.push_back(std::move(event));
  r.n_finished++;
  if (!r.forked && r.request.n > 1) {
    // The prompt never completed, so samples 1..n-1 never started: they end the same way.
    for (int i = 1; i < r.request.n; ++i) {
      StreamEvent e;
      e.index = i;
      e.finish = reason;
      e.error = events.front().error;
      events.push_back(std::move(e));
    }
    r.n_finished = r.request.n;
  }
  if (r.n_finished == r.request.n) {
    r.done = true;
    StreamEvent& last = events.back();
    last.done = true;
    last.usage = r.usage;
    RequestTimings& t = last.timings;
    t.queued_s = Seconds(r.submitted, r.scheduled ? r.first_scheduled : now);
    if (r.has_first_token) {
      t.prefill_s = Seconds(r.first_scheduled, r.first_token);
      t.first_token_s = Seconds(r.submitted, r.first_token);
      t.decode_s = Seconds(r.first_token, now);
    } else if (r.scheduled) {
      t.prefill_s = Seconds(r.first_scheduled, now);
    }
    t.total_s = Seconds(r.submitted, now);
    counters_.requests_finished++;
    if (reason == FinishReason::kCancelled || reason == FinishReason::kDeadline) counters_.requests_cancelled++;
    if (reason == FinishReason::kError) counters_.requests_failed++;
  }
  for (auto& e : events) outbox_.emplace_back(r.stream, std::move(e));
}

void EngineCore::FinishRequestSamples(RequestState& r, FinishReason reason, const std::string& error,
                                      Clock::time_point now) {
  for (auto& s : r.samples) {
    if (s->state == SequenceState::kFinished) continue;
    StreamEvent e;
    e.index = s->sample_index;
    e.error = error;
    FinishSequence(*s, reason, std::move(e), now);
  }
}

void EngineCore::ReleaseFinished() {
  for (Sequence* s : finished_) {
    auto it = std::find(running_.begin(), running_.end(), s);
    if (it != running_.end()) running_.erase(it);
    waiting_.Remove(s);
    kv_.Free(&s->blocks);
  }
  finished_.clear();
  for (auto it = requests_.begin(); it != requests_.end();) {
    it = it->second->done ? requests_.erase(it) : std::next(it);
  }
  std::erase_if(warmup_, [](const auto& s) { return s->state == SequenceState::kFinished; });
}

void EngineCore::FlushEvents() {
  for (auto& [stream, event] : outbox_) stream->Push(std::move(event));
  outbox_.clear();
}

int32_t EngineCore::num_pinned_blocks() const {
  std::set<int32_t> blocks;
  for (const auto& t : pinned_) blocks.insert(t.blocks.begin(), t.blocks.end());
  return static_cast<int32_t>(blocks.size());
}

EngineStats EngineCore::Stats() const {
  EngineStats s = counters_;
  s.running = static_cast<int>(running_.size());
  s.waiting = static_cast<int>(waiting_.size());
  s.requests_in_flight = static_cast<int>(requests_.size());
  s.kv_blocks_total = kv_.n_blocks();
  s.kv_blocks_used = kv_.num_used();
  s.kv_blocks_free = kv_.num_available();
  s.kv_blocks_cached_idle = kv_.num_idle_cached();
  s.kv_blocks_pinned = num_pinned_blocks();
  s.block_size = kv_.block_size();
  s.kv_bytes_per_token = executor_->kv_bytes_per_token();
  s.copy_on_write_blocks = kv_.num_copies();
  s.evicted_blocks = kv_.num_evictions();
  return s;
}

Status EngineCore::CheckInvariants() const {
  std::vector<const BlockTable*> owners;
  for (const auto& [id, r] : requests_) {
    for (const auto& s : r->samples) owners.push_back(&s->blocks);
  }
  for (const auto& s : warmup_) owners.push_back(&s->blocks);
  for (const auto& t : pinned_) owners.push_back(&t);
  DSINFER_RETURN_IF_ERROR(CheckBlockOwnership(kv_, owners));
  for (size_t i = 0; i < running_.size(); ++i) {
    const Sequence& s = *running_[i];
    const std::string name = "running sequence " + std::to_string(s.id);
    if (s.state != SequenceState::kRunning) return Internal(name + " is not in the running state");
    if (s.n_remaining() < 1) return Internal(name + " has nothing left to compute");
    if (static_cast<int64_t>(s.blocks.blocks.size()) < kv_.BlocksFor(s.n_computed)) {
      return Internal(name + " has fewer blocks than computed positions");
    }
    if (i > 0 && !RunsBefore(*running_[i - 1], s)) return Internal(name + " is out of scheduling order");
  }
  for (const Sequence* s : waiting_) {
    const std::string name = "waiting sequence " + std::to_string(s->id);
    if (s->state != SequenceState::kWaiting) return Internal(name + " is not in the waiting state");
    if (!s->blocks.empty() || s->n_computed != 0) return Internal(name + " holds blocks");
  }
  if (!finished_.empty()) return Internal("finished sequences not released between steps");
  return Status::Ok();
}

}  // namespace dsinfer::engine
