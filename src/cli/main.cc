// dsinfer: one binary, many subcommands (inspect, quantize, ...).
#include <malloc.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

#ifndef DSINFER_VERSION
#define DSINFER_VERSION "dev"
#endif

int main(int argc, char** argv) {
  // A forward pass allocates and frees activation buffers of a few MiB per layer. glibc would
  // map each from the kernel and unmap it on free, paying page faults and zeroing every time;
  // keep such buffers in the heap and freed memory mapped for reuse instead.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  CLI::App app{"dsinfer: DeepSeek-family GGUF inference on CPU"};
  app.set_version_flag("--version", std::string("dsinfer ") + DSINFER_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  dsinfer::cli::RegisterInspect(app, &exit_code);
  dsinfer::cli::RegisterQuantize(app, &exit_code);
  dsinfer::cli::RegisterSynth(app, &exit_code);
  dsinfer::cli::RegisterLogits(app, &exit_code);
  dsinfer::cli::RegisterRun(app, &exit_code);
  dsinfer::cli::RegisterTokenize(app, &exit_code);
  dsinfer::cli::RegisterDetokenize(app, &exit_code);
  dsinfer::cli::RegisterTemplate(app, &exit_code);
  dsinfer::cli::RegisterBench(app, &exit_code);
  dsinfer::cli::RegisterServe(app, &exit_code);
  dsinfer::cli::RegisterLoadtest(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    dsinfer::cli::PrintError(e.what());
    return 2;
  }
  return exit_code;
}
