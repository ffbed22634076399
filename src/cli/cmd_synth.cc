// `dsinfer synth --preset NAME [--type T] [--seed S] -o FILE`: random weights, real shapes.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "base/thread_pool.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "model/synth.h"

namespace dsinfer::cli {

namespace {

struct SynthOptions {
  std::string preset;
  std::string type;
  uint64_t seed = 0;
  std::string output;
  int threads = 0;
  bool list = false;
};

int RunSynth(const SynthOptions& o) {
  if (o.list || o.preset.empty()) {
    for (const auto& p : SynthPresets()) {
      std::printf("%-30s %-7s %s\n", p.name.c_str(), p.default_type.c_str(), p.description.c_str());
    }
    if (o.list) return 0;
    PrintError("--preset is required (presets listed above)");
    return 2;
  }
  std::optional<SynthPreset> preset = FindSynthPreset(o.preset);
  if (!preset) {
    PrintError("unknown preset '" + o.preset + "' (see dsinfer synth --list)");
    return 2;
  }
  const std::string type = o.type.empty() ? preset->default_type : o.type;
  std::optional<QuantRecipe> recipe = FindQuantRecipe(type);
  if (!recipe) {
    PrintError("--type " + type + " is not a known recipe (see dsinfer quantize --help)");
    return 2;
  }
  if (o.output.empty()) {
    PrintError("-o FILE is required");
    return 2;
  }
  ThreadPool pool(o.threads > 0 ? o.threads : ThreadPool::HardwareThreads());
  ProgressBar bar;
  const auto start = std::chrono::steady_clock::now();
  auto report = SynthesizeModel(*preset, *recipe, o.seed, o.output, pool, [&](const SynthProgress& p) {
    double fraction = p.elements_total ? static_cast<double>(p.elements_done) / p.elements_total : 1.0;
    bar.Update(fraction, p.tensor_name ? *p.tensor_name : std::string("done"));
  });
  bar.Finish();
  if (!report.ok()) {
    PrintError(report.status().message());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("wrote %s: preset %s, %s, seed %llu, %llu tensors, %s parameters, %s of weights, %.1f s\n",
              o.output.c_str(), preset->name.c_str(), recipe->name,
              static_cast<unsigned long long>(o.seed), static_cast<unsigned long long>(report->tensors),
              FormatCount(report->params).c_str(), FormatBytes(report->tensor_bytes).c_str(), seconds);
  return 0;
}

}  // namespace

void RegisterSynth(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<SynthOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "Write a random-weight model with the exact shapes and metadata of a real one");
  cmd->add_option("--preset,-p", opts->preset, "Model preset (see --list)");
  cmd->add_option("--type,-t", opts->type, "Quantization recipe (default: the preset's)");
  cmd->add_option("--seed,-s", opts->seed, "Random seed (the file is a function of it)");
  cmd->add_option("--output,-o", opts->output, "Output GGUF file");
  cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores)");
  cmd->add_flag("--list", opts->list, "List the presets");
  cmd->callback([opts, exit_code] { *exit_code = RunSynth(*opts); });
}

}  // namespace dsinfer::cli
