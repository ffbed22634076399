#include "server/generation_call.h"

#include <atomic>
#include <chrono>

#include "chat/output_parser.h"
#include "server/chat_completion_json.h"
#include "server/completion_json.h"
#include "server/sse.h"

namespace dsinfer::server {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Per choice: the output parsers and what has been produced so far.
struct ChoiceState {
  std::unique_ptr<chat::ChatOutputParser> parser;  // chat: reasoning and tool calls split off
  std::string content;
  std::string reasoning;
  bool saw_reasoning = false;
  std::vector<ToolCallOut> tool_calls;
  std::vector<TokenLogprobOut> logprobs;
  std::string finish_reason;
  bool finished = false;
  bool started = false;  // streaming: the first chunk (role / echo) was sent
  SteadyClock::time_point last_token;
  bool has_last_token = false;
};

engine::GenerateRequest ToEngineRequest(const GenerationOptions& o, std::vector<int32_t> prompt) {
  engine::GenerateRequest r;
  r.prompt = std::move(prompt);
  r.sampling.temperature = o.temperature;
  r.sampling.top_k = o.top_k < 0 ? 0 : o.top_k;
  r.sampling.top_p = o.top_p;
  r.sampling.min_p = o.min_p;
  r.sampling.repetition_penalty = o.repetition_penalty;
  r.sampling.presence_penalty = o.presence_penalty;
  r.sampling.frequency_penalty = o.frequency_penalty;
  r.sampling.logit_bias = o.logit_bias;
  r.sampling.seed = o.seed;
  r.sampling.logprobs = o.logprobs;
  r.sampling.top_logprobs = o.top_logprobs;
  r.max_tokens = o.max_tokens;
  r.stop = o.stop;
  r.ignore_eos = o.ignore_eos;
  r.n = o.n;
  r.priority = o.priority;
  return r;
}

std::string FinishReasonFor(const engine::StreamEvent& e, bool has_tool_calls) {
  switch (e.finish) {
    case engine::FinishReason::kStop: return has_tool_calls ? "tool_calls" : "stop";
    case engine::FinishReason::kLength: return "length";
    case engine::FinishReason::kError: return "error";
    case engine::FinishReason::kCancelled:
    case engine::FinishReason::kDeadline: return "abort";
    case engine::FinishReason::kNone: break;
  }
  return "";
}

class GenerationCall : public std::enable_shared_from_this<GenerationCall> {
 public:
  GenerationCall(GenerationPlan plan, ServingState& state, GenerationBackend& backend, std::shared_ptr<Exchange> exchange)
      : plan_(std::move(plan)), state_(state), backend_(backend), exchange_(std::move(exchange)) {
    const int n_choices = static_cast<int>(plan_.prompts.size()) * plan_.options.n;
    choices_.resize(n_choices);
    if (plan_.parse_reasoning || plan_.parse_tool_calls) {
      chat::ChatOutputParser::Options o;
      o.parse_reasoning = plan_.parse_reasoning;
      o.starts_in_reasoning = plan_.starts_in_reasoning;
      o.parse_tool_calls = plan_.parse_tool_calls;
      for (auto& c : choices_) c.parser = std::make_unique<chat::ChatOutputParser>(o);
    }
    state_.generations_in_flight.fetch_add(1);
  }
  ~GenerationCall() { state_.generations_in_flight.fetch_sub(1); }

  void Start() {
    auto self = shared_from_this();
    for (size_t i = 0; i < plan_.prompts.size(); ++i) {
      auto sub = backend_.Submit(ToEngineRequest(plan_.options, plan_.prompts[i]), [self] { self->ScheduleDrain(); });
      if (!sub.ok()) {
        for (const auto& s : submissions_) backend_.Cancel(s.id);
        const ApiError error = ApiError::FromStatus(sub.status(), "");
        state_.metrics.RecordRejection(error.http_status == 429 ? "queue_full" : "invalid");
        responded_ = true;
        exchange_->SendError(error);
        if (submissions_.empty()) return;
        break;
      }
      submissions_.push_back(std::move(sub).value());
      done_.push_back(false);
    }
    exchange_->OnDisconnect([weak = std::weak_ptr<GenerationCall>(self)] {
      if (auto call = weak.lock()) call->OnClientGone();
    });
    if (responded_) {
      client_gone_ = true;  // nobody reads the rest
      return;
    }
    if (plan_.options.stream) {
      HttpHeaders headers;
      headers.Set("Content-Type", "text/event-stream");
      headers.Set("Cache-Control", "no-cache");
      headers.Set("X-Accel-Buffering", "no");
      exchange_->BeginStream(200, std::move(headers));
    }
  }

 private:
  void ScheduleDrain() {  // engine thread: must be cheap
    if (drain_scheduled_.exchange(true)) return;
    exchange_->Post([self = shared_from_this()] {
      self->drain_scheduled_.store(false);
      self->Drain();
    });
  }

  void OnClientGone() {
    if (client_gone_) return;
    client_gone_ = true;
    for (size_t i = 0; i < submissions_.size(); ++i) {
      if (!done_[i]) backend_.Cancel(submissions_[i].id);
    }
  }

  void Drain() {
    if (complete_) return;
    for (size_t i = 0; i < submissions_.size(); ++i) {
      if (done_[i] || !submissions_[i].events) continue;
      while (auto event = submissions_[i].events->TryNext()) {
        Process(static_cast<int>(i), *event);
        if (event->done) {
          done_[i] = true;
          break;
        }
      }
    }
    for (bool d : done_) {
      if (!d) return;
    }
    Complete();
  }

  void Process(int submission, const engine::StreamEvent& e) {
    const int index = submission * plan_.options.n + e.index;
    if (index < 0 || index >= static_cast<int>(choices_.size())) return;
    ChoiceState& c = choices_[index];
    const auto now = SteadyClock::now();
    if (!e.tokens.empty()) {
      if (c.has_last_token) {
        const double gap = std::chrono::duration<double>(now - c.last_token).count() / e.tokens.size();
        for (size_t k = 0; k < e.tokens.size(); ++k) state_.metrics.RecordInterTokenLatency(gap);
      }
      c.last_token = now;
      c.has_last_token = true;
    }
    ChoiceDelta delta;
    delta.index = index;
    if (plan_.options.logprobs && !e.tokens.empty()) {
      std::vector<TokenLogprobOut> entries;
      const tokenizer::Tokenizer& tok = backend_.tokenizer();
      for (const auto& t : e.tokens) {
        TokenLogprobOut out{tok.TokenPiece(t.token), t.logprob, {}};
        for (const auto& alt : t.top_logprobs) out.top.push_back({tok.TokenPiece(alt.token), alt.logprob});
        entries.push_back(std::move(out));
      }
      c.logprobs.insert(c.logprobs.end(), entries.begin(), entries.end());
      delta.logprobs = std::move(entries);
    }
    std::string reasoning_piece, content_piece;
    auto take = [&](chat::OutputDelta d) {
      reasoning_piece += d.reasoning;
      content_piece += d.content;
      for (auto& call : d.tool_calls) delta.tool_calls.push_back({call.id, call.name, call.arguments.as_string()});
    };
    auto route = [&](const std::string& text, bool at_end) {
      if (!c.parser) {
        content_piece += text;
        return;
      }
      take(c.parser->Feed(text));
      if (at_end) take(c.parser->Finish());
    };
    const bool finishing = e.finish != engine::FinishReason::kNone;
    if (!e.text.empty() || finishing) route(e.text, finishing);
    if (!reasoning_piece.empty()) c.saw_reasoning = true;
    c.reasoning += reasoning_piece;
    c.content += content_piece;
    delta.tool_call_base = static_cast<int>(c.tool_calls.size());
    c.tool_calls.insert(c.tool_calls.end(), delta.tool_calls.begin(), delta.tool_calls.end());
    if (finishing) {
      c.finished = true;
      c.finish_reason = FinishReasonFor(e, !c.tool_calls.empty());
      if (e.finish == engine::FinishReason::kError) error_message_ = e.error;
    }
    if (e.done) {
      usage_.prompt_tokens += e.usage.prompt_tokens;
      usage_.completion_tokens += e.usage.completion_tokens;
      usage_.cached_tokens += e.usage.cached_prompt_tokens;
      if (submission == 0) first_timings_ = e.timings;
      state_.metrics.RecordGeneration(e.timings.queued_s, e.timings.first_token_s, e.timings.total_s,
                                      e.usage.prompt_tokens, e.usage.completion_tokens,
                                      engine::FinishReasonName(e.finish == engine::FinishReason::kNone
                                                                   ? engine::FinishReason::kStop
                                                                   : e.finish));
      decode_s_ += e.timings.decode_s;
    }
    if (!plan_.options.stream || client_gone_ || responded_) return;
    if (!reasoning_piece.empty()) delta.reasoning = reasoning_piece;
    if (!content_piece.empty()) delta.text = content_piece;
    if (finishing) delta.finish_reason = c.finish_reason;
    if (!c.started) {
      c.started = true;
      delta.role = plan_.api == GenerationApi::kChat;
      if (!plan_.echo_texts.empty()) {
        delta.text = plan_.echo_texts[submission] + delta.text.value_or("");
      } else if (delta.role && !delta.text) {
        delta.text = "";
      }
    }
    if (plan_.api == GenerationApi::kCompletion && !delta.text && !delta.logprobs && !finishing) return;
    if (plan_.api == GenerationApi::kChat && !delta.role && !delta.text && !delta.reasoning &&
        delta.tool_calls.empty() && !delta.logprobs && !finishing) {
      return;
    }
    if (finishing && e.finish == engine::FinishReason::kError) {
      exchange_->WriteChunk(SseEvent(ApiError::Internal("generation failed: " + e.error).ToJson()));
    }
    exchange_->WriteChunk(SseEvent(Chunk({delta}, std::nullopt)));
  }

  std::string Chunk(const std::vector<ChoiceDelta>& deltas, const std::optional<UsageOut>& usage) const {
    return plan_.api == GenerationApi::kChat ? ChatCompletionChunkToJson(plan_.header, deltas, usage)
                                             : CompletionChunkToJson(plan_.header, deltas, usage);
  }

  void FillRecord() {
    RequestLogRecord& r = exchange_->record();
    r.prompt_tokens = usage_.prompt_tokens;
    r.completion_tokens = usage_.completion_tokens;
    r.cached_tokens = usage_.cached_tokens;
    r.queue_ms = first_timings_.queued_s * 1000.0;
    r.ttft_ms = first_timings_.first_token_s * 1000.0;
    r.generation_time_ms = first_timings_.total_s * 1000.0;
    if (decode_s_ > 0) r.tokens_per_s = usage_.completion_tokens / decode_s_;
    r.finish_reason = choices_.empty() ? "" : choices_[0].finish_reason;
    if (!plan_.prompt_for_log.empty()) {
      r.prompt = plan_.prompt_for_log;
      std::string completion;
      for (const auto& c : choices_) {
        if (!completion.empty()) completion += "\n---\n";
        if (c.saw_reasoning) completion += "<think>" + c.reasoning + "</think>";
        completion += c.content;
      }
      r.completion = completion;
    }
  }

  void Complete() {
    complete_ = true;
    FillRecord();
    for (auto& s : submissions_) s.events.reset();  // breaks the stream -> callback -> call cycle
    if (responded_) return;
    if (client_gone_) {
      exchange_->record().finish_reason = "cancelled";
      exchange_->Abandon();
      return;
    }
    if (plan_.options.stream) {
      if (plan_.options.include_usage) exchange_->WriteChunk(SseEvent(Chunk({}, usage_)));
      exchange_->WriteChunk(SseDone());
      exchange_->EndStream();
      return;
    }
    if (!error_message_.empty()) {
      exchange_->SendError(ApiError::Internal("generation failed: " + error_message_));
      return;
    }
    std::vector<ChoiceOut> out;
    for (size_t i = 0; i < choices_.size(); ++i) {
      ChoiceState& c = choices_[i];
      ChoiceOut o;
      o.index = static_cast<int>(i);
      o.text = c.content;
      if (!plan_.echo_texts.empty()) o.text = plan_.echo_texts[i / plan_.options.n] + o.text;
      if (c.saw_reasoning || plan_.starts_in_reasoning) o.reasoning = c.reasoning;
      o.tool_calls = c.tool_calls;
      o.finish_reason = c.finish_reason;
      if (plan_.options.logprobs) o.logprobs = c.logprobs;
      out.push_back(std::move(o));
    }
    exchange_->SendJson(200, plan_.api == GenerationApi::kChat ? ChatCompletionToJson(plan_.header, out, usage_)
                                                               : CompletionToJson(plan_.header, out, usage_));
  }

  GenerationPlan plan_;
  ServingState& state_;
  GenerationBackend& backend_;
  std::shared_ptr<Exchange> exchange_;
  std::vector<engine::Submission> submissions_;
  std::vector<bool> done_;
  std::vector<ChoiceState> choices_;
  std::atomic<bool> drain_scheduled_{false};
  UsageOut usage_;
  engine::RequestTimings first_timings_;
  double decode_s_ = 0;
  std::string error_message_;
  bool client_gone_ = false;
  bool responded_ = false;
  bool complete_ = false;
};

}  // namespace

void StartGeneration(GenerationPlan plan, ServingState& state, GenerationBackend& backend,
                     std::shared_ptr<Exchange> exchange) {
  auto call = std::make_shared<GenerationCall>(std::move(plan), state, backend, std::move(exchange));
  call->Start();
}

}  // namespace dsinfer::server
