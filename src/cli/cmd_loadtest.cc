// `dsinfer loadtest --url URL (--concurrency N | --request-rate R) (--requests COUNT | --duration
// S)
// [--prompt-tokens P] [--max-tokens T] [--dataset FILE.jsonl] [--endpoint chat|completions]
// [--shared-prefix-tokens X] [--seed S] [--slo-ttft-ms MS] [--slo-tpot-ms MS] [--json OUT] ...`:
// streams requests against any OpenAI-compatible server and reports TTFT, TPOT, ITL, end-to-end
// latency, throughput, goodput and errors by kind. The work is done by src/loadtest; this file
// maps flags to LoadtestOptions and prints. Exit code 0 when the run completed (failed requests
// are figures in the report), 1 when it could not run or no request succeeded, 2 for bad usage.
#include <CLI/CLI.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "loadtest/loadtest.h"

namespace dsinfer::cli {

namespace {

// Every stream is a socket: raise the soft open-files limit to the hard one when it is low.
void RaiseOpenFileLimit(int64_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur != RLIM_INFINITY && static_cast<int64_t>(limit.rlim_cur) < needed + 64) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

void PrintProgress(const loadtest::Progress& p) {
  const double tok_s =
      p.elapsed_s > 0 ? static_cast<double>(p.completion_tokens) / p.elapsed_s : 0.0;
  std::fprintf(
      stderr,
      "\r\033[K[%6.1fs] %lld issued, %lld ok, %lld failed, %lld in flight, %.0f output tok/s",
      p.elapsed_s, static_cast<long long>(p.issued), static_cast<long long>(p.succeeded),
      static_cast<long long>(p.failed), static_cast<long long>(p.in_flight), tok_s);
  std::fflush(stderr);
}

int Run(const loadtest::LoadtestOptions& options) {
  RaiseOpenFileLimit(options.concurrency);
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  bool progress_shown = false;
  loadtest::RunHooks hooks;
  hooks.handle_signals = true;
  hooks.note = [&progress_shown](const std::string& text) {
    std::fprintf(stderr, "%sdsinfer loadtest: %s\n", progress_shown ? "\r\033[K" : "",
                 text.c_str());
  };
  if (tty) {
    hooks.progress = [&progress_shown](const loadtest::Progress& p) {
      progress_shown = true;
      PrintProgress(p);
    };
  }
  auto report = loadtest::RunLoadtest(options, hooks);
  if (progress_shown) std::fprintf(stderr, "\r\033[K");
  if (!report.ok()) {
    PrintError(report.status().message());
    return report.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const std::string table = loadtest::FormatTable(*report);
  std::fputs(table.c_str(), options.json_out == "-" ? stderr : stdout);
  if (!options.json_out.empty()) {
    const std::string json = loadtest::ReportToJson(*report);
    if (options.json_out == "-") {
      std::fputs(json.c_str(), stdout);
    } else {
      std::ofstream out(options.json_out, std::ios::binary | std::ios::trunc);
      out << json;
      out.close();
      if (!out) {
        PrintError("--json " + options.json_out + ": cannot write the file");
        return 1;
      }
    }
  }
  std::fflush(stdout);
  if (report->succeeded == 0 && report->failed > 0) {
    PrintError("no request succeeded (" + std::to_string(report->failed) +
               " failed; see the errors above)");
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterLoadtest(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<loadtest::LoadtestOptions>();
  CLI::App* cmd = app.add_subcommand("loadtest",
                                     "Load-test an OpenAI-compatible server: streamed requests "
                                     "from one core (Boost.Asio, no thread per request); "
                                     "reports TTFT, TPOT, inter-token latency, end-to-end latency "
                                     "(mean/p50/p90/p99), requests/s, tokens/s, "
                                     "goodput and errors by kind.");
  cmd->add_option("--url", o->url,
                  "Server, e.g. http://127.0.0.1:8080 (base path /v1 unless the URL has one)")
      ->required();
  cmd->add_option("--api-key", o->api_key, "Sent as 'Authorization: Bearer KEY'")
      ->envname("DSINFER_LOADTEST_API_KEY");
  cmd->add_option("--model", o->model,
                  "Model id to request (default: the first id of GET /v1/models)");
  cmd->add_option(
         "--concurrency", o->concurrency,
         "Closed loop: this many requests in flight (with --request-rate: the most in flight)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--request-rate", o->request_rate,
                  "Open loop: Poisson arrivals at this many requests/s")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--requests", o->requests, "Stop after issuing this many requests")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--duration", o->duration_s,
                  "Stop after this many seconds; requests still in flight are cancelled at once")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--prompt-tokens", o->prompt_tokens,
                  "Generated prompt length in tokens, exact when the server has POST /tokenize")
      ->capture_default_str();
  cmd->add_option("--max-tokens", o->max_tokens,
                  "max_tokens of every request (dataset entries may override)")
      ->capture_default_str();
  cmd->add_option("--dataset", o->dataset,
                  "JSONL file, one {\"prompt\": ...} or {\"messages\": [...]} per line, optional "
                  "\"max_tokens\"");
  auto endpoint = std::make_shared<std::string>("chat");
  cmd->add_option("--endpoint", *endpoint,
                  "chat (/v1/chat/completions) or completions (/v1/completions)")
      ->check(CLI::IsMember({"chat", "completions"}))
      ->capture_default_str();
  cmd->add_option("--shared-prefix-tokens", o->shared_prefix_tokens,
                  "Every generated prompt starts with the same prefix of this many tokens "
                  "(prefix-cache workload)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed for generated prompts and arrival times")
      ->capture_default_str();
  cmd->add_option("--slo-ttft-ms", o->slo_ttft_ms, "Goodput: time-to-first-token limit in ms");
  cmd->add_option("--slo-tpot-ms", o->slo_tpot_ms, "Goodput: time-per-output-token limit in ms");
  cmd->add_flag(
      "--ignore-eos", o->ignore_eos,
      "Send \"ignore_eos\": true so every request generates --max-tokens (dsinfer, vLLM)");
  cmd->add_option("--stall-timeout", o->stall_timeout_s,
                  "Seconds without a byte after which a request fails as 'timeout'")
      ->capture_default_str();
  cmd->add_option("--connect-timeout", o->connect_timeout_s, "Seconds to open a connection")
      ->capture_default_str();
  cmd->add_option("--json", o->json_out,
                  "Write every figure as JSON to this file ('-': stdout, table to stderr)");
  cmd->callback([o, endpoint, exit_code] {
    o->endpoint =
        *endpoint == "completions" ? loadtest::Endpoint::kCompletions : loadtest::Endpoint::kChat;
    *exit_code = Run(*o);
  });
}

}  // namespace dsinfer::cli
