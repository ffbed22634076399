#include "loadtest/report.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

namespace dsinfer::loadtest {

using Json = nlohmann::json;

Report BuildReport(const RunResult& run, const LoadtestOptions& options) {
  Report r;
  r.options = options;
  r.options.api_key.clear();
  r.wall_s = run.wall_s;
  r.cpu_s = run.cpu_s;
  r.issued = static_cast<int64_t>(run.records.size());
  r.max_in_flight = run.max_in_flight;
  r.connections_opened = run.connections_opened;
  r.stopped_early = run.stopped_early;
  r.interrupted = run.interrupted;

  std::map<std::string, ErrorCount> errors;
  std::vector<double> ttft, tpot, itl, e2e;
  for (const RequestRecord& q : run.records) {
    if (q.outcome == Outcome::kCancelled) {
      ++r.cancelled;
      r.cancelled_completion_tokens += q.output_events;
      if (q.output_events > 0) r.cancelled_prompt_tokens += q.prompt_tokens;
      continue;
    }
    if (q.outcome == Outcome::kError) {
      ++r.failed;
      ErrorCount& e = errors[q.error_kind];
      if (e.count++ == 0) {
        e.kind = q.error_kind;
        e.example = q.error_detail;
      }
      continue;
    }
    ++r.succeeded;
    r.prompt_tokens += q.prompt_tokens;
    r.completion_tokens += q.completion_tokens;
    if (q.usage_reported) ++r.usage_reported;
    const double ttft_ms = q.ttft_s * 1000.0;
    if (q.ttft_s >= 0) ttft.push_back(ttft_ms);
    e2e.push_back(q.e2e_s * 1000.0);
    for (float gap : q.itl_s) itl.push_back(static_cast<double>(gap) * 1000.0);
    std::optional<double> tpot_ms;
    if (q.ttft_s >= 0 && q.completion_tokens > 1) {
      tpot_ms = (q.e2e_s - q.ttft_s) * 1000.0 / static_cast<double>(q.completion_tokens - 1);
      tpot.push_back(*tpot_ms);
    }
    const bool ttft_ok =
        options.slo_ttft_ms <= 0 || (q.ttft_s >= 0 && ttft_ms <= options.slo_ttft_ms);
    const bool tpot_ok = options.slo_tpot_ms <= 0 || !tpot_ms || *tpot_ms <= options.slo_tpot_ms;
    if (ttft_ok && tpot_ok) ++r.slo_met;
  }
  for (auto& [kind, e] : errors) r.errors.push_back(std::move(e));
  if (r.succeeded + r.failed > 0)
    r.error_rate = static_cast<double>(r.failed) / static_cast<double>(r.succeeded + r.failed);
  if (r.wall_s > 0) {
    r.requests_per_s = static_cast<double>(r.succeeded) / r.wall_s;
    const int64_t output = r.completion_tokens + r.cancelled_completion_tokens;
    const int64_t prompt = r.prompt_tokens + r.cancelled_prompt_tokens;
    r.output_tokens_per_s = static_cast<double>(output) / r.wall_s;
    r.total_tokens_per_s = static_cast<double>(prompt + output) / r.wall_s;
    if (options.slo_ttft_ms > 0 || options.slo_tpot_ms > 0)
      r.goodput_per_s = static_cast<double>(r.slo_met) / r.wall_s;
  }
  r.ttft_ms = Summarize(std::move(ttft));
  r.tpot_ms = Summarize(std::move(tpot));
  r.itl_ms = Summarize(std::move(itl));
  r.e2e_ms = Summarize(std::move(e2e));
  return r;
}

namespace {

std::string Format(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string LoadShape(const LoadtestOptions& o) {
  std::string s;
  if (o.request_rate > 0) {
    s = Format("%.3g requests/s (Poisson)", o.request_rate);
    if (o.concurrency > 0) s += Format(", at most %d in flight", o.concurrency);
  } else {
    s = Format("concurrency %d", o.concurrency);
  }
  if (o.requests > 0) s += Format(", %lld requests", static_cast<long long>(o.requests));
  if (o.duration_s > 0) s += Format(", for %.3g s", o.duration_s);
  return s;
}

Json DistributionJson(const Distribution& d) {
  return Json{{"count", d.count}, {"mean", d.mean}, {"min", d.min}, {"max", d.max},
              {"p50", d.p50},     {"p90", d.p90},   {"p99", d.p99}};
}

}  // namespace

std::string FormatTable(const Report& r) {
  const LoadtestOptions& o = r.options;
  std::string t;
  t += "dsinfer loadtest: " + r.target + (r.model.empty() ? "" : ", model " + r.model) + "\n";
  t += "  load         " + LoadShape(o) + "\n";
  t += "  prompts      " + r.prompt_source + ", max_tokens " + std::to_string(o.max_tokens) + "\n";
  t += Format(
      "  duration     %.2f s%s (loadtest CPU %.2f s = %.1f%% of one core, %lld connections, "
      "%lld most in flight)\n",
      r.wall_s,
      r.interrupted ? ", interrupted" : (r.stopped_early ? ", stopped at the deadline" : ""),
      r.cpu_s, r.wall_s > 0 ? 100.0 * r.cpu_s / r.wall_s : 0.0,
      static_cast<long long>(r.connections_opened), static_cast<long long>(r.max_in_flight));
  t += Format("  requests     %lld ok, %lld failed, %lld cancelled (error rate %.2f%%)\n",
              static_cast<long long>(r.succeeded), static_cast<long long>(r.failed),
              static_cast<long long>(r.cancelled), 100.0 * r.error_rate);
  if (!r.errors.empty()) {
    for (const ErrorCount& e : r.errors) {
      std::string example = e.example.substr(0, 100);
      for (char& c : example) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      t += Format("  error        %-14s %6lld  e.g. %s\n", e.kind.c_str(),
                  static_cast<long long>(e.count), example.c_str());
    }
  }
  t += Format("  throughput   %.2f requests/s, %.1f output tokens/s, %.1f total tokens/s\n",
              r.requests_per_s, r.output_tokens_per_s, r.total_tokens_per_s);
  if (r.goodput_per_s) {
    std::string slo;
    if (o.slo_ttft_ms > 0) slo += Format("TTFT <= %g ms", o.slo_ttft_ms);
    if (o.slo_tpot_ms > 0)
      slo += std::string(slo.empty() ? "" : ", ") + Format("TPOT <= %g ms", o.slo_tpot_ms);
    t += Format("  goodput      %.2f requests/s (%lld requests with %s)\n", *r.goodput_per_s,
                static_cast<long long>(r.slo_met), slo.c_str());
  }
  t += Format("  tokens       %lld prompt, %lld completion (server usage on %lld of %lld)",
              static_cast<long long>(r.prompt_tokens), static_cast<long long>(r.completion_tokens),
              static_cast<long long>(r.usage_reported), static_cast<long long>(r.succeeded));
  if (r.cancelled_completion_tokens > 0) {
    t += Format("; cancelled requests had streamed %lld",
                static_cast<long long>(r.cancelled_completion_tokens));
  }
  t += "\n";
  t += "\n  latency (ms)        mean       p50       p90       p99       max     count\n";
  auto row = [&t](const char* name, const Distribution& d) {
    t += Format("  %-14s %9.2f %9.2f %9.2f %9.2f %9.2f %9zu\n", name, d.mean, d.p50, d.p90, d.p99,
                d.max, d.count);
  };
  row("TTFT", r.ttft_ms);
  row("TPOT", r.tpot_ms);
  row("ITL", r.itl_ms);
  row("E2E", r.e2e_ms);
  return t;
}

std::string ReportToJson(const Report& r) {
  const LoadtestOptions& o = r.options;
  Json config = {{"url", o.url},
                 {"target", r.target},
                 {"endpoint", EndpointName(o.endpoint)},
                 {"model", r.model},
                 {"concurrency", o.concurrency},
                 {"request_rate", o.request_rate},
                 {"requests", o.requests},
                 {"duration_s", o.duration_s},
                 {"prompt_tokens", o.prompt_tokens},
                 {"max_tokens", o.max_tokens},
                 {"shared_prefix_tokens", o.shared_prefix_tokens},
                 {"dataset", o.dataset},
                 {"prompt_source", r.prompt_source},
                 {"ignore_eos", o.ignore_eos},
                 {"seed", o.seed},
                 {"slo_ttft_ms", o.slo_ttft_ms},
                 {"slo_tpot_ms", o.slo_tpot_ms},
                 {"stall_timeout_s", o.stall_timeout_s}};
  Json errors = Json::object();
  Json examples = Json::object();
  for (const ErrorCount& e : r.errors) {
    errors[e.kind] = e.count;
    examples[e.kind] = e.example;
  }
  Json j = {
      {"config", config},
      {"duration_s", r.wall_s},
      {"stopped_early", r.stopped_early},
      {"interrupted", r.interrupted},
      {"requests",
       {{"issued", r.issued},
        {"succeeded", r.succeeded},
        {"failed", r.failed},
        {"cancelled", r.cancelled}}},
      {"errors",
       {{"total", r.failed}, {"rate", r.error_rate}, {"by_kind", errors}, {"examples", examples}}},
      {"tokens",
       {{"prompt", r.prompt_tokens},
        {"completion", r.completion_tokens},
        {"usage_reported", r.usage_reported}}},
      {"throughput",
       {{"requests_per_s", r.requests_per_s},
        {"output_tokens_per_s", r.output_tokens_per_s},
        {"total_tokens_per_s", r.total_tokens_per_s},
        {"goodput_requests_per_s", r.goodput_per_s ? Json(*r.goodput_per_s) : Json(nullptr)},
        {"slo_met", r.slo_met}}},
      {"latency_ms",
       {{"ttft", DistributionJson(r.ttft_ms)},
        {"tpot", DistributionJson(r.tpot_ms)},
        {"itl", DistributionJson(r.itl_ms)},
        {"e2e", DistributionJson(r.e2e_ms)}}},
      {"client",
       {{"cpu_s", r.cpu_s},
        {"cpu_fraction_of_one_core", r.wall_s > 0 ? r.cpu_s / r.wall_s : 0.0},
        {"max_in_flight", r.max_in_flight},
        {"connections_opened", r.connections_opened}}},
  };
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace dsinfer::loadtest
