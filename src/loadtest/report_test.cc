// Report figures from hand-made records: TPOT, ITL, goodput under SLOs, error kinds, cancelled
// requests left out, JSON shape.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loadtest/report.h"

namespace dsinfer::loadtest {
namespace {

using Json = nlohmann::json;

RequestRecord Ok(int64_t index, double ttft_s, double e2e_s, int64_t prompt, int64_t completion,
                 std::vector<float> itl = {}) {
  RequestRecord r;
  r.index = index;
  r.outcome = Outcome::kOk;
  r.ttft_s = ttft_s;
  r.e2e_s = e2e_s;
  r.prompt_tokens = prompt;
  r.completion_tokens = completion;
  r.usage_reported = true;
  r.itl_s = std::move(itl);
  r.output_events = static_cast<int64_t>(r.itl_s.size()) + 1;
  return r;
}

RequestRecord Err(int64_t index, const std::string& kind, const std::string& detail) {
  RequestRecord r;
  r.index = index;
  r.outcome = Outcome::kError;
  r.error_kind = kind;
  r.error_detail = detail;
  return r;
}

RunResult Sample() {
  RunResult run;
  run.wall_s = 2.0;
  run.cpu_s = 0.1;
  run.records.push_back(Ok(0, 0.100, 1.100, 10, 11, {0.1f, 0.1f}));  // TPOT (1.1-0.1)/10 = 100 ms
  run.records.push_back(Ok(1, 0.300, 0.800, 10, 6, {0.2f}));         // TPOT 0.5/5 = 100 ms
  run.records.push_back(Ok(2, 0.050, 0.050, 10, 1));                 // one token: no TPOT
  run.records.push_back(Err(3, "http_500", "HTTP 500: boom"));
  run.records.push_back(Err(4, "dropped", "connection closed"));
  run.records.push_back(Err(5, "http_500", "HTTP 500: second"));
  RequestRecord cancelled;
  cancelled.index = 6;
  cancelled.outcome = Outcome::kCancelled;
  cancelled.prompt_tokens = 10;
  cancelled.ttft_s = 0.2;
  cancelled.output_events = 4;  // streamed before the deadline cut it off
  run.records.push_back(cancelled);
  return run;
}

TEST(ReportTest, CountsAndThroughput) {
  LoadtestOptions o;
  o.concurrency = 2;
  const Report r = BuildReport(Sample(), o);
  EXPECT_EQ(r.issued, 7);
  EXPECT_EQ(r.succeeded, 3);
  EXPECT_EQ(r.failed, 3);
  EXPECT_EQ(r.cancelled, 1);
  EXPECT_DOUBLE_EQ(r.error_rate, 0.5);
  EXPECT_EQ(r.prompt_tokens, 30);
  EXPECT_EQ(r.completion_tokens, 18);  // totals: succeeded requests only
  EXPECT_EQ(r.cancelled_completion_tokens, 4);
  EXPECT_EQ(r.cancelled_prompt_tokens, 10);
  EXPECT_DOUBLE_EQ(r.requests_per_s, 1.5);
  EXPECT_DOUBLE_EQ(r.output_tokens_per_s, 11);  // (18 + 4) / 2 s: what was streamed counts
  EXPECT_DOUBLE_EQ(r.total_tokens_per_s, 31);   // (30 + 10 + 22) / 2 s
  EXPECT_FALSE(r.goodput_per_s.has_value());
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].kind, "dropped");
  EXPECT_EQ(r.errors[1].kind, "http_500");
  EXPECT_EQ(r.errors[1].count, 2);
  EXPECT_EQ(r.errors[1].example, "HTTP 500: boom");
}

TEST(ReportTest, LatencyDistributions) {
  LoadtestOptions o;
  const Report r = BuildReport(Sample(), o);
  EXPECT_EQ(r.ttft_ms.count, 3u);  // latencies: succeeded requests only
  EXPECT_NEAR(r.ttft_ms.p50, 100, 1e-9);
  EXPECT_EQ(r.tpot_ms.count, 2u);
  EXPECT_NEAR(r.tpot_ms.mean, 100, 1e-9);
  EXPECT_EQ(r.itl_ms.count, 3u);
  EXPECT_NEAR(r.itl_ms.max, 200, 1e-3);
  EXPECT_EQ(r.e2e_ms.count, 3u);
  EXPECT_NEAR(r.e2e_ms.max, 1100, 1e-9);
}

TEST(ReportTest, GoodputCountsRequestsMeetingEverySlo) {
  LoadtestOptions o;
  o.slo_ttft_ms = 200;  // request 1 (300 ms) misses
  Report r = BuildReport(Sample(), o);
  ASSERT_TRUE(r.goodput_per_s.has_value());
  EXPECT_EQ(r.slo_met, 2);
  EXPECT_DOUBLE_EQ(*r.goodput_per_s, 1.0);
  o.slo_tpot_ms = 50;  // requests 0 and 1 miss; request 2 has no TPOT and meets it
  r = BuildReport(Sample(), o);
  EXPECT_EQ(r.slo_met, 1);
}

TEST(ReportTest, JsonHasEveryFigure) {
  LoadtestOptions o;
  o.url = "http://h:1";
  o.api_key = "secret";
  o.slo_ttft_ms = 200;
  const Report r = BuildReport(Sample(), o);
  const std::string text = ReportToJson(r);
  EXPECT_EQ(text.find("secret"), std::string::npos);
  const Json j = Json::parse(text);
  EXPECT_EQ(j["requests"]["succeeded"], 3);
  EXPECT_EQ(j["errors"]["by_kind"]["http_500"], 2);
  EXPECT_EQ(j["errors"]["total"], 3);
  EXPECT_EQ(j["tokens"]["prompt"], 30);
  EXPECT_EQ(j["tokens"]["completion"], 18);
  EXPECT_DOUBLE_EQ(j["throughput"]["goodput_requests_per_s"].get<double>(), 1.0);
  for (const char* m : {"ttft", "tpot", "itl", "e2e"}) {
    for (const char* f : {"mean", "p50", "p90", "p99"})
      EXPECT_TRUE(j["latency_ms"][m].contains(f)) << m << f;
  }
  EXPECT_EQ(j["config"]["url"], "http://h:1");
  EXPECT_TRUE(j["client"].contains("cpu_s"));
}

TEST(ReportTest, TableMentionsErrorsAndLatencyRows) {
  LoadtestOptions o;
  o.concurrency = 2;
  const std::string t = FormatTable(BuildReport(Sample(), o));
  for (const char* s :
       {"3 ok, 3 failed, 1 cancelled", "http_500", "dropped", "TTFT", "TPOT", "ITL", "E2E"}) {
    EXPECT_NE(t.find(s), std::string::npos) << s << "\n" << t;
  }
}

}  // namespace
}  // namespace dsinfer::loadtest
