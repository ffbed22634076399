// `dsinfer logits -m FILE --tokens 1,2,3 [--out FILE.f32]`: raw logits for conformance checks.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_session.h"

namespace dsinfer::cli {

namespace {

struct LogitsOptions {
  std::string model;
  std::string tokens;
  std::string out;
  std::string kv_type = "f32";
  int threads = 0;
};

int RunLogits(const LogitsOptions& o) {
  auto ids = ParseTokenList(o.tokens);
  if (!ids.ok()) {
    PrintError(ids.status().message());
    return 2;
  }
  auto kv_type = ParseKvType(o.kv_type);
  if (!kv_type.ok()) {
    PrintError(kv_type.status().message());
    return 2;
  }
  auto model = Model::Load(o.model);
  if (!model.ok()) {
    PrintError(model.status().message());
    return 1;
  }
  ThreadPool pool(o.threads > 0 ? o.threads : ThreadPool::HardwareThreads());
  auto seq = SingleSequence::Create(**model, static_cast<int>(ids->size()), *kv_type);
  if (!seq.ok()) {
    PrintError(seq.status().message());
    return 1;
  }
  std::vector<float> logits;
  Status st = (*seq)->Append(*ids, true, pool, &logits);
  if (!st.ok()) {
    PrintError(st.message());
    return 1;
  }
  const size_t n_vocab = (*model)->config().n_vocab;
  if (!o.out.empty()) {
    FILE* f = std::fopen(o.out.c_str(), "wb");
    if (f == nullptr || std::fwrite(logits.data(), sizeof(float), logits.size(), f) != logits.size() ||
        std::fclose(f) != 0) {
      PrintError(o.out + ": cannot write logits");
      return 1;
    }
    std::printf("wrote %zu rows x %zu logits (f32 little-endian) to %s\n", ids->size(), n_vocab, o.out.c_str());
    return 0;
  }
  for (size_t r = 0; r < ids->size(); ++r) {
    const float* row = logits.data() + r * n_vocab;
    const size_t best = static_cast<size_t>(std::max_element(row, row + n_vocab) - row);
    std::printf("pos %zu token %d -> argmax %zu (%.4f)  logits[0..3] = %.5f %.5f %.5f %.5f\n", r, (*ids)[r],
                best, row[best], row[0], row[1], row[2], row[3]);
  }
  return 0;
}

}  // namespace

void RegisterLogits(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<LogitsOptions>();
  CLI::App* cmd = app.add_subcommand("logits", "Evaluate token ids and output the raw logits of every position");
  cmd->add_option("-m,--model", opts->model, "GGUF model")->required();
  cmd->add_option("--tokens", opts->tokens, "Token ids, comma separated")->required();
  cmd->add_option("--out,-o", opts->out, "Write little-endian f32 logits, one row per position");
  cmd->add_option("--kv-type", opts->kv_type, "KV cache element type: f32 (default), f16, bf16");
  cmd->add_option("--threads,-t", opts->threads, "Threads (default: all cores)");
  cmd->callback([opts, exit_code] { *exit_code = RunLogits(*opts); });
}

}  // namespace dsinfer::cli
