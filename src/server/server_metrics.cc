#include "server/server_metrics.h"

#include <unistd.h>

#include <cstdio>

namespace dsinfer::server {

ServerMetrics::ServerMetrics(bool vllm_names) : vllm_names_(vllm_names) {
  http_requests_ = &registry_.AddCounter("dsinfer_http_requests_total", "HTTP requests answered, by endpoint and status",
                                         {"endpoint", "status"});
  http_duration_ = &registry_.AddHistogram("dsinfer_http_request_duration_seconds",
                                           "Time from request read to response complete", LatencyBuckets(), {"endpoint"});
  ttft_ = &registry_.AddHistogram("dsinfer_time_to_first_token_seconds", "Time from submit to the first generated token",
                                  LatencyBuckets());
  inter_token_ = &registry_.AddHistogram("dsinfer_inter_token_latency_seconds",
                                         "Time between consecutive generated tokens of a stream", LatencyBuckets());
  queue_time_ = &registry_.AddHistogram("dsinfer_request_queue_time_seconds",
                                        "Time a request waited before it was first scheduled", LatencyBuckets());
  e2e_ = &registry_.AddHistogram("dsinfer_request_e2e_seconds", "Time from submit to the last token of a request",
                                 LatencyBuckets());
  prompt_tokens_ = &registry_.AddCounter("dsinfer_prompt_tokens_total", "Prompt tokens of finished requests");
  generation_tokens_ = &registry_.AddCounter("dsinfer_generation_tokens_total", "Tokens generated for finished requests");
  finished_ = &registry_.AddCounter("dsinfer_request_finished_total", "Generation requests finished, by finish reason",
                                    {"finish_reason"});
  rejected_ = &registry_.AddCounter("dsinfer_requests_rejected_total",
                                    "Requests refused before generation, by reason", {"reason"});
}

void ServerMetrics::RecordHttpRequest(const std::string& endpoint, int status, double duration_s) {
  http_requests_->WithLabels({endpoint, std::to_string(status)}).Add();
  http_duration_->WithLabels({endpoint}).Observe(duration_s);
}

void ServerMetrics::RecordRejection(const std::string& reason) { rejected_->WithLabels({reason}).Add(); }

void ServerMetrics::RecordGeneration(double queue_s, double ttft_s, double e2e_s, int prompt_tokens,
                                     int completion_tokens, const std::string& finish_reason) {
  queue_time_->WithLabels({}).Observe(queue_s);
  if (completion_tokens > 0) ttft_->WithLabels({}).Observe(ttft_s);
  e2e_->WithLabels({}).Observe(e2e_s);
  prompt_tokens_->WithLabels({}).Add(prompt_tokens);
  generation_tokens_->WithLabels({}).Add(completion_tokens);
  finished_->WithLabels({finish_reason}).Add();
}

void ServerMetrics::RecordInterTokenLatency(double seconds) { inter_token_->WithLabels({}).Observe(seconds); }

std::string ServerMetrics::Render(const ScrapeState& state) const {
  MetricsTextWriter w;
  registry_.Render(w);
  auto gauge = [&](const std::string& name, const std::string& help, double v) {
    w.Header(name, help, "gauge");
    w.Sample(name, {}, v);
  };
  auto counter = [&](const std::string& name, const std::string& help, double v) {
    w.Header(name, help, "counter");
    w.Sample(name, {}, v);
  };
  gauge("dsinfer_ready", "1 when the model is loaded and the server is not draining", state.ready ? 1 : 0);
  gauge("dsinfer_http_open_connections", "Open client connections", state.open_connections);
  gauge("dsinfer_process_resident_memory_bytes", "Resident memory of the server process",
        static_cast<double>(ProcessResidentBytes()));
  if (state.engine) {
    const engine::EngineStats& s = *state.engine;
    const double usage = s.kv_blocks_total > 0 ? static_cast<double>(s.kv_blocks_used) / s.kv_blocks_total : 0.0;
    gauge("dsinfer_requests_running", "Sequences in the running batch", s.running);
    gauge("dsinfer_requests_waiting", "Sequences waiting to be scheduled (new and preempted)", s.waiting);
    gauge("dsinfer_requests_in_flight", "Requests accepted by the engine and not yet finished", s.requests_in_flight);
    gauge("dsinfer_kv_cache_blocks_total", "KV cache blocks", s.kv_blocks_total);
    gauge("dsinfer_kv_cache_blocks_used", "KV cache blocks owned by sequences or pinned by warm-up", s.kv_blocks_used);
    gauge("dsinfer_kv_cache_blocks_free", "KV cache blocks allocatable now (free plus idle cached)", s.kv_blocks_free);
    gauge("dsinfer_kv_cache_blocks_cached", "Idle KV cache blocks kept for prefix reuse", s.kv_blocks_cached_idle);
    gauge("dsinfer_kv_cache_blocks_pinned", "KV cache blocks pinned by warm-up prompts", s.kv_blocks_pinned);
    gauge("dsinfer_kv_cache_usage_ratio", "Fraction of KV cache blocks in use (0..1)", usage);
    gauge("dsinfer_kv_cache_block_size_tokens", "Token slots per KV block", s.block_size);
    gauge("dsinfer_kv_cache_bytes_per_token", "KV cache bytes per token over all layers",
          static_cast<double>(s.kv_bytes_per_token));
    counter("dsinfer_prefix_cache_queries_tokens_total", "Prompt tokens looked up in the prefix cache",
            static_cast<double>(s.prefix_cache_queries));
    counter("dsinfer_prefix_cache_hits_tokens_total", "Prompt tokens found in the prefix cache",
            static_cast<double>(s.prefix_cache_hits));
    counter("dsinfer_engine_steps_total", "Engine forward steps", static_cast<double>(s.steps));
    counter("dsinfer_engine_prompt_tokens_total", "Prompt tokens computed by the engine (after prefix hits)",
            static_cast<double>(s.prompt_tokens));
    counter("dsinfer_preemptions_total", "Sequences preempted (recomputed later) for lack of KV blocks",
            static_cast<double>(s.preemptions));
    counter("dsinfer_requests_cancelled_total", "Requests cancelled (client gone) or past their deadline",
            static_cast<double>(s.requests_cancelled));
    counter("dsinfer_engine_rejected_total", "Requests refused by engine admission",
            static_cast<double>(s.requests_rejected));
    w.Header("dsinfer_batch_size_sequences", "Sequences per engine step", "summary");
    w.Sample("dsinfer_batch_size_sequences_sum", {}, static_cast<double>(s.batched_sequences));
    w.Sample("dsinfer_batch_size_sequences_count", {}, static_cast<double>(s.steps));
    gauge("dsinfer_batch_size_sequences_last", "Sequences in the latest engine step", s.last_batch_sequences);
    gauge("dsinfer_batch_size_sequences_max", "Largest batch so far", s.max_batch_sequences);
    if (vllm_names_) {
      const std::vector<std::pair<std::string, std::string>> model = {{"model_name", state.model_name}};
      w.Header("vllm:num_requests_running", "Number of requests currently running (dsinfer_requests_running)", "gauge");
      w.Sample("vllm:num_requests_running", model, s.running);
      w.Header("vllm:num_requests_waiting", "Number of requests waiting (dsinfer_requests_waiting)", "gauge");
      w.Sample("vllm:num_requests_waiting", model, s.waiting);
      w.Header("vllm:gpu_cache_usage_perc", "KV cache usage, 1 = 100% (dsinfer_kv_cache_usage_ratio)", "gauge");
      w.Sample("vllm:gpu_cache_usage_perc", model, usage);
      w.Header("vllm:kv_cache_usage_perc", "KV cache usage, 1 = 100% (dsinfer_kv_cache_usage_ratio)", "gauge");
      w.Sample("vllm:kv_cache_usage_perc", model, usage);
    }
  }
  return w.text();
}

uint64_t ProcessResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace dsinfer::server
