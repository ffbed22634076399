// `dsinfer quantize IN OUT --type T`: llama.cpp-compatible quantization, streamed.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "base/thread_pool.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "model/quantize_model.h"

namespace dsinfer::cli {

namespace {

struct QuantizeOptions {
  std::string input;
  std::string output;
  std::string type;
  int threads = 0;
};

int RunQuantize(const QuantizeOptions& o) {
  std::optional<QuantRecipe> recipe = FindQuantRecipe(o.type);
  if (!recipe) {
    std::string names;
    for (const auto& r : QuantRecipes()) names += std::string(names.empty() ? "" : ", ") + r.name;
    PrintError("--type " + o.type + " is not a known recipe (choose one of: " + names + ")");
    return 2;
  }
  if (o.input == o.output) {
    PrintError("output path must differ from the input path");
    return 2;
  }
  ThreadPool pool(o.threads > 0 ? o.threads : ThreadPool::HardwareThreads());
  ProgressBar bar;
  const auto start = std::chrono::steady_clock::now();
  auto report = QuantizeModel(o.input, o.output, *recipe, pool, [&](const QuantizeProgress& p) {
    double fraction = p.bytes_total ? static_cast<double>(p.bytes_done) / p.bytes_total : 1.0;
    bar.Update(fraction, p.tensor_name ? *p.tensor_name : std::string("done"));
  });
  bar.Finish();
  if (!report.ok()) {
    PrintError(report.status().message());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("quantized %s -> %s as %s in %.1f s\n", o.input.c_str(), o.output.c_str(),
              recipe->name, seconds);
  std::printf("tensors: %zu (%zu converted, %zu with fallback types", report->tensors,
              report->converted, report->fallbacks);
  if (report->requantized > 0) std::printf(", %zu requantized from an already quantized type", report->requantized);
  std::printf(")\n");
  std::printf("tensor data: %s -> %s\n", FormatBytes(report->input_bytes).c_str(),
              FormatBytes(report->output_bytes).c_str());
  std::printf("types:");
  for (const auto& [name, count] : report->output_types) std::printf(" %s=%zu", name.c_str(), count);
  std::printf("\n");
  return 0;
}

}  // namespace

void RegisterQuantize(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<QuantizeOptions>();
  std::string names;
  for (const auto& r : QuantRecipes()) names += std::string(names.empty() ? "" : ", ") + r.name;
  CLI::App* cmd = app.add_subcommand(
      "quantize", "Convert a GGUF model to a quantization recipe (llama.cpp-compatible mixes)");
  cmd->add_option("input", opts->input, "Input GGUF file")->required();
  cmd->add_option("output", opts->output, "Output GGUF file")->required();
  cmd->add_option("--type,-t", opts->type, "Recipe: " + names)->required();
  cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores)");
  cmd->callback([opts, exit_code] { *exit_code = RunQuantize(*opts); });
}

}  // namespace dsinfer::cli
