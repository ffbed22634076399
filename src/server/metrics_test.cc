// Prometheus text exposition: names, HELP/TYPE lines, label escaping, histogram buckets, and
// the dsinfer_ / vllm: names the server exports.
#include <gtest/gtest.h>

#include "server/metrics.h"
#include "server/server_metrics.h"

namespace dsinfer::server {
namespace {

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST(MetricsTest, CounterWithLabelsRendersHelpTypeAndSamples) {
  MetricsRegistry r;
  auto& c = r.AddCounter("x_requests_total", "Requests", {"endpoint", "status"});
  c.WithLabels({"chat", "200"}).Add();
  c.WithLabels({"chat", "200"}).Add(2);
  c.WithLabels({"models", "404"}).Add();
  MetricsTextWriter w;
  r.Render(w);
  EXPECT_EQ(w.text(),
            "# HELP x_requests_total Requests\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{endpoint=\"chat\",status=\"200\"} 3\n"
            "x_requests_total{endpoint=\"models\",status=\"404\"} 1\n");
}

TEST(MetricsTest, UnlabelledCounterIsZeroBeforeFirstUse) {
  MetricsRegistry r;
  r.AddCounter("x_total", "X");
  MetricsTextWriter w;
  r.Render(w);
  EXPECT_TRUE(Contains(w.text(), "\nx_total 0\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry r;
  auto& h = r.AddHistogram("x_seconds", "Latency", {0.1, 1.0});
  h.WithLabels({}).Observe(0.05);
  h.WithLabels({}).Observe(0.5);
  h.WithLabels({}).Observe(0.5);
  h.WithLabels({}).Observe(3.0);
  MetricsTextWriter w;
  r.Render(w);
  EXPECT_EQ(w.text(),
            "# HELP x_seconds Latency\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.1\"} 1\n"
            "x_seconds_bucket{le=\"1\"} 3\n"
            "x_seconds_bucket{le=\"+Inf\"} 4\n"
            "x_seconds_sum 4.05\n"
            "x_seconds_count 4\n");
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  MetricsTextWriter w;
  w.Header("m", "line1\nback\\slash", "gauge");
  w.Sample("m", {{"l", "a\"b\\c\nd"}}, 1.5);
  EXPECT_EQ(w.text(), "# HELP m line1\\nback\\\\slash\n# TYPE m gauge\nm{l=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

TEST(MetricsTest, ValuesFormatIntegersExactlyAndSpecials) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(123456789012.0), "123456789012");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
}

TEST(ServerMetricsTest, ExportsStableNamesWithUnits) {
  ServerMetrics m(/*vllm_names=*/false);
  m.RecordHttpRequest("chat_completions", 200, 0.2);
  m.RecordGeneration(0.01, 0.05, 0.2, 12, 8, "length");
  m.RecordInterTokenLatency(0.02);
  m.RecordRejection("rate_limit");
  ScrapeState s;
  s.ready = true;
  engine::EngineStats e;
  e.running = 2;
  e.waiting = 1;
  e.kv_blocks_total = 100;
  e.kv_blocks_used = 25;
  e.steps = 10;
  e.batched_sequences = 15;
  s.engine = e;
  s.model_name = "m";
  const std::string text = m.Render(s);
  for (const char* name :
       {"dsinfer_http_requests_total{endpoint=\"chat_completions\",status=\"200\"} 1",
        "dsinfer_time_to_first_token_seconds_count 1", "dsinfer_inter_token_latency_seconds_count 1",
        "dsinfer_request_queue_time_seconds_count 1", "dsinfer_request_e2e_seconds_count 1",
        "dsinfer_prompt_tokens_total 12", "dsinfer_generation_tokens_total 8",
        "dsinfer_request_finished_total{finish_reason=\"length\"} 1",
        "dsinfer_requests_rejected_total{reason=\"rate_limit\"} 1", "dsinfer_requests_running 2",
        "dsinfer_requests_waiting 1", "dsinfer_kv_cache_usage_ratio 0.25", "dsinfer_kv_cache_blocks_used 25",
        "dsinfer_batch_size_sequences_sum 15", "dsinfer_batch_size_sequences_count 10",
        "dsinfer_preemptions_total 0", "dsinfer_prefix_cache_hits_tokens_total 0", "dsinfer_ready 1",
        "# TYPE dsinfer_process_resident_memory_bytes gauge"}) {
    EXPECT_TRUE(Contains(text, name)) << name;
  }
  EXPECT_FALSE(Contains(text, "vllm:"));
  EXPECT_GT(ProcessResidentBytes(), 0u);
}

TEST(ServerMetricsTest, VllmNamesAreAddedOnRequest) {
  ServerMetrics m(/*vllm_names=*/true);
  ScrapeState s;
  engine::EngineStats e;
  e.running = 3;
  e.kv_blocks_total = 10;
  e.kv_blocks_used = 5;
  s.engine = e;
  s.model_name = "tiny";
  const std::string text = m.Render(s);
  EXPECT_TRUE(Contains(text, "vllm:num_requests_running{model_name=\"tiny\"} 3"));
  EXPECT_TRUE(Contains(text, "vllm:gpu_cache_usage_perc{model_name=\"tiny\"} 0.5"));
  EXPECT_TRUE(Contains(text, "# TYPE vllm:num_requests_waiting gauge"));
}

TEST(ServerMetricsTest, WithoutEngineOnlyServerMetricsAppear) {
  ServerMetrics m(true);
  const std::string text = m.Render(ScrapeState{});
  EXPECT_TRUE(Contains(text, "dsinfer_ready 0"));
  EXPECT_FALSE(Contains(text, "dsinfer_requests_running"));
}

}  // namespace
}  // namespace dsinfer::server
