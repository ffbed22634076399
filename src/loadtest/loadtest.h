// RunLoadtest: one whole `dsinfer loadtest` run. Validates the options, asks the server for its
// model id (GET /v1/models, when --model is not given) and, for generated prompts, measures
// prompt lengths with its POST /tokenize (falling back to an approximation, with a note, when
// the server has none); then runs the load (LoadRunner) and returns the report.
// Called by one thread; the hooks run on it.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "loadtest/load_runner.h"
#include "loadtest/options.h"
#include "loadtest/report.h"

namespace dsinfer::loadtest {

struct RunHooks {
  std::function<void(const std::string&)> note;   // one-line remarks for the user (stderr)
  std::function<void(const Progress&)> progress;  // live progress, every 0.5 s; may be empty
  bool handle_signals = false;                    // SIGINT/SIGTERM end the run with a report
};

// Errors: invalid options, an unreadable dataset, a host that does not resolve, a prompt length
// below what the chat template alone takes. Failed requests are figures in the report.
Expected<Report> RunLoadtest(const LoadtestOptions& options, const RunHooks& hooks);

}  // namespace dsinfer::loadtest
