// Subcommands of the dsinfer binary. Each Register* adds one subcommand to the CLI11 app; when
// it runs, its callback stores the process exit code in *exit_code (0 success, 1 failure,
// 2 usage error). Errors are printed as one line: "dsinfer: error: <message>".
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace dsinfer::cli {

void RegisterInspect(CLI::App& app, int* exit_code);
void RegisterQuantize(CLI::App& app, int* exit_code);
void RegisterSynth(CLI::App& app, int* exit_code);
void RegisterLogits(CLI::App& app, int* exit_code);
void RegisterRun(CLI::App& app, int* exit_code);
void RegisterTokenize(CLI::App& app, int* exit_code);
void RegisterDetokenize(CLI::App& app, int* exit_code);
void RegisterTemplate(CLI::App& app, int* exit_code);
void RegisterBench(CLI::App& app, int* exit_code);
void RegisterServe(CLI::App& app, int* exit_code);
void RegisterLoadtest(CLI::App& app, int* exit_code);

// Prints "dsinfer: error: <message>" (newlines in the message are flattened) to stderr.
void PrintError(const std::string& message);

}  // namespace dsinfer::cli
