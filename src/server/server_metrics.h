// ServerMetrics: the stable dsinfer_* metrics of `dsinfer serve` and their /metrics rendering.
//
// Recorded by the HTTP layer (per request):
//   dsinfer_http_requests_total{endpoint,status}            counter
//   dsinfer_http_request_duration_seconds{endpoint}         histogram (end to end)
//   dsinfer_time_to_first_token_seconds                     histogram
//   dsinfer_inter_token_latency_seconds                     histogram (gap between token events)
//   dsinfer_request_queue_time_seconds                      histogram (submit -> scheduled)
//   dsinfer_request_e2e_seconds                             histogram (submit -> finished)
//   dsinfer_prompt_tokens_total, dsinfer_generation_tokens_total   counters
//   dsinfer_request_finished_total{finish_reason}           counter
//   dsinfer_requests_rejected_total{reason}                 counter (auth, rate_limit, queue_full, draining)
// Read from the engine's statistics snapshot at scrape time:
//   dsinfer_requests_running, dsinfer_requests_waiting, dsinfer_requests_in_flight    gauges
//   dsinfer_kv_cache_blocks_total / _used / _free / _cached / _pinned, dsinfer_kv_cache_usage_ratio
//   dsinfer_kv_cache_block_size_tokens, dsinfer_kv_cache_bytes_per_token                gauges
//   dsinfer_prefix_cache_queries_tokens_total, dsinfer_prefix_cache_hits_tokens_total  counters
//   dsinfer_engine_steps_total, dsinfer_preemptions_total, dsinfer_requests_cancelled_total
//   dsinfer_batch_size_sequences (summary: _sum over steps, _count = steps), dsinfer_batch_size_sequences_last
// Process: dsinfer_process_resident_memory_bytes, dsinfer_ready, dsinfer_http_open_connections.
// With vllm_names: vllm:num_requests_running, vllm:num_requests_waiting, vllm:gpu_cache_usage_perc,
// vllm:kv_cache_usage_perc (labelled model_name), for dashboards and routers built for vLLM.
//
// Thread-safety: every method is safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "engine/engine_stats.h"
#include "server/metrics.h"

namespace dsinfer::server {

struct ScrapeState {
  std::optional<engine::EngineStats> engine;  // absent while the model loads
  bool ready = false;
  int open_connections = 0;
  std::string model_name;
};

class ServerMetrics {
 public:
  explicit ServerMetrics(bool vllm_names);

  void RecordHttpRequest(const std::string& endpoint, int status, double duration_s);
  void RecordRejection(const std::string& reason);
  // Once per finished generation request.
  void RecordGeneration(double queue_s, double ttft_s, double e2e_s, int prompt_tokens, int completion_tokens,
                        const std::string& finish_reason);
  void RecordInterTokenLatency(double seconds);

  // The whole /metrics body.
  std::string Render(const ScrapeState& state) const;

 private:
  bool vllm_names_;
  MetricsRegistry registry_;
  CounterFamily* http_requests_;
  HistogramFamily* http_duration_;
  HistogramFamily* ttft_;
  HistogramFamily* inter_token_;
  HistogramFamily* queue_time_;
  HistogramFamily* e2e_;
  CounterFamily* prompt_tokens_;
  CounterFamily* generation_tokens_;
  CounterFamily* finished_;
  CounterFamily* rejected_;
};

// Resident set size of this process in bytes (/proc/self/statm), 0 when unknown.
uint64_t ProcessResidentBytes();

}  // namespace dsinfer::server
