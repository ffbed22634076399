#include "loadtest/loadtest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>

#include "loadtest/blocking_http.h"
#include "loadtest/dataset.h"
#include "loadtest/prompt_generator.h"
#include "loadtest/request_source.h"
#include "loadtest/tokenize_counter.h"
#include "loadtest/url.h"

namespace dsinfer::loadtest {

namespace {

constexpr int kExactnessSamples = 4;
constexpr int64_t kMaxExactPool = 2000;
constexpr double kSetupTimeoutS = 10;

void Note(const RunHooks& hooks, const std::string& text) {
  if (hooks.note) hooks.note(text);
}

// The first model id of GET <base>/models, or "" (with a note) when there is none.
std::string DiscoverModel(BlockingHttpClient& http, const ServerUrl& url, const RunHooks& hooks) {
  const std::string path = url.base_path + "/models";
  auto reply = http.Call("GET", path);
  if (reply.ok() && reply->status == 200) {
    auto j = nlohmann::json::parse(reply->body, nullptr, false);
    if (j.is_object() && j.contains("data") && j["data"].is_array() && !j["data"].empty() &&
        j["data"][0].is_object() && j["data"][0].contains("id") && j["data"][0]["id"].is_string()) {
      return j["data"][0]["id"].get<std::string>();
    }
  }
  Note(hooks,
       "GET " + path + " gave no model id (" +
           (reply.ok() ? "HTTP " + std::to_string(reply->status) : reply.status().message()) +
           "); requests are sent without \"model\" (use --model)");
  return "";
}

struct Workload {
  std::unique_ptr<RequestSource> source;
  std::string description;
};

Expected<Workload> GeneratedWorkload(const LoadtestOptions& o, BlockingHttpClient& http,
                                     const std::string& model, const BodyOptions& body,
                                     const RunHooks& hooks) {
  TokenizeCounter counter(&http, "/tokenize", model, o.endpoint);
  // One probe decides whether the server can count for us.
  auto probe = counter.CountFragment(" the");
  TokenCounter* measure = probe.ok() ? &counter : nullptr;
  if (!measure) {
    Note(hooks, "prompt lengths are approximate (one token per word): " + probe.status().message() +
                    "; token counts in the report come from the server's usage");
  }
  DSINFER_ASSIGN_OR_RETURN(
      PromptGenerator generator,
      PromptGenerator::Create(measure, o.prompt_tokens, o.shared_prefix_tokens, o.seed));
  std::string description = "generated, " + std::to_string(o.prompt_tokens) + " tokens";
  if (o.shared_prefix_tokens > 0)
    description += " (" + std::to_string(o.shared_prefix_tokens) + " shared)";
  std::vector<GeneratedPrompt> pool;
  if (measure) {
    // Word costs add up for byte-level BPE tokenizers; check a few prompts against the server.
    bool additive = true;
    const int64_t samples =
        o.requests > 0 ? std::min<int64_t>(kExactnessSamples, o.requests) : kExactnessSamples;
    for (int64_t i = 0; i < samples && additive; ++i) {
      DSINFER_ASSIGN_OR_RETURN(GeneratedPrompt exact,
                               generator.GenerateExact(static_cast<uint64_t>(i), &counter));
      GeneratedPrompt local = generator.Generate(static_cast<uint64_t>(i));
      additive = exact.text == local.text && exact.tokens == local.tokens;
    }
    if (additive) {
      description += ", exact (checked with /tokenize)";
    } else {
      const int64_t n = o.requests > 0 ? std::min(o.requests, kMaxExactPool) : kMaxExactPool / 4;
      Note(hooks, "the server's token counts are not additive over words; making " +
                      std::to_string(n) + " prompts exact with /tokenize before the run" +
                      (o.requests > n || o.requests == 0 ? " (reused cyclically)" : ""));
      pool.reserve(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        DSINFER_ASSIGN_OR_RETURN(GeneratedPrompt p,
                                 generator.GenerateExact(static_cast<uint64_t>(i), &counter));
        pool.push_back(std::move(p));
      }
      description += ", exact (each made exact with /tokenize)";
    }
  } else {
    description += ", approximate (no /tokenize)";
  }
  return Workload{std::make_unique<GeneratedSource>(std::move(generator), body, std::move(pool)),
                  description};
}

}  // namespace

Expected<Report> RunLoadtest(const LoadtestOptions& o, const RunHooks& hooks) {
  DSINFER_RETURN_IF_ERROR(Validate(o));
  DSINFER_ASSIGN_OR_RETURN(ServerUrl url, ParseServerUrl(o.url));
  // Set-up calls use their own connection, closed before the load starts. Each is bounded (at
  // most kSetupTimeoutS) so a stalled server delays the start by seconds, not minutes.
  auto http = std::make_unique<BlockingHttpClient>(
      url, o.api_key, std::min(kSetupTimeoutS, std::max(o.stall_timeout_s, o.connect_timeout_s)));

  std::string model = o.model.empty() ? DiscoverModel(*http, url, hooks) : o.model;
  BodyOptions body;
  body.endpoint = o.endpoint;
  body.model = model;
  body.max_tokens = o.max_tokens;
  body.ignore_eos = o.ignore_eos;

  Workload workload;
  if (!o.dataset.empty()) {
    DSINFER_ASSIGN_OR_RETURN(std::vector<DatasetEntry> entries, LoadDataset(o.dataset, o.endpoint));
    workload.description =
        "dataset " + o.dataset + " (" + std::to_string(entries.size()) + " entries)";
    workload.source = std::make_unique<DatasetSource>(std::move(entries), body);
  } else {
    DSINFER_ASSIGN_OR_RETURN(workload, GeneratedWorkload(o, *http, model, body, hooks));
  }
  http.reset();

  RunnerOptions ro;
  ro.url = url;
  ro.path = url.base_path + (o.endpoint == Endpoint::kChat ? "/chat/completions" : "/completions");
  ro.api_key = o.api_key;
  ro.concurrency = o.concurrency;
  ro.request_rate = o.request_rate;
  ro.max_requests = o.requests;
  ro.duration_s = o.duration_s;
  ro.stall_timeout_s = o.stall_timeout_s;
  ro.connect_timeout_s = o.connect_timeout_s;
  ro.seed = o.seed;
  ro.handle_signals = hooks.handle_signals;
  const std::string target = "http://" + url.HostHeader() + ro.path;

  LoadRunner runner(std::move(ro), workload.source.get());
  DSINFER_ASSIGN_OR_RETURN(RunResult run, runner.Run(hooks.progress, 0.5));
  Report report = BuildReport(run, o);
  report.target = target;
  report.model = model;
  report.prompt_source = workload.description;
  return report;
}

}  // namespace dsinfer::loadtest
