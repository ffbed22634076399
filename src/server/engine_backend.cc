#include "server/engine_backend.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/thread_pool.h"
#include "chat/builtin_formats.h"
#include "engine/engine.h"
#include "model/model.h"
#include "model/synth.h"
#include "tokenizer/incremental_decoder.h"

namespace dsinfer::server {

namespace {

// The engine's detokenizer seam over the model's tokenizer. Special tokens are rendered (tool
// call and think markers are special in some vocabularies); end-of-generation tokens never
// reach it (the engine stops on them without decoding).
class TokenizerDecoder final : public engine::TextDecoder {
 public:
  explicit TokenizerDecoder(const tokenizer::Tokenizer& tok) : decoder_(tok, /*skip_special=*/false) {}
  std::string Push(int32_t token) override { return decoder_.Push(token); }
  std::string Finish() override { return decoder_.Finish(); }

 private:
  tokenizer::IncrementalDecoder decoder_;
};

class TokenizerDecoderFactory final : public engine::TextDecoderFactory {
 public:
  explicit TokenizerDecoderFactory(const tokenizer::Tokenizer& tok) : tok_(tok) {}
  std::unique_ptr<engine::TextDecoder> Create() const override { return std::make_unique<TokenizerDecoder>(tok_); }

 private:
  const tokenizer::Tokenizer& tok_;
};

class EngineBackend final : public GenerationBackend {
 public:
  const BackendDescription& description() const override { return description_; }
  const tokenizer::Tokenizer& tokenizer() const override { return *tokenizer_; }
  const chat::ChatTemplate& chat_template() const override { return *template_; }
  Expected<engine::Submission> Submit(engine::GenerateRequest request, std::function<void()> on_event) override {
    return engine_->Submit(std::move(request), std::move(on_event));
  }
  void Cancel(engine::RequestId id) override { engine_->Cancel(id); }
  engine::EngineStats Stats() const override { return engine_->Stats(); }

  ~EngineBackend() override { engine_.reset(); }  // the engine thread stops before what it uses

  BackendDescription description_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::unique_ptr<chat::ChatTemplate> template_;
  std::unique_ptr<TokenizerDecoderFactory> decoder_factory_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<engine::Engine> engine_;  // last: destroyed first
};

Status EnsureDemoModel(const std::string& path, int threads) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Status::Ok();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return IoError("model_cache_dir " + std::filesystem::path(path).parent_path().string() + ": " + ec.message());
  std::optional<SynthPreset> preset = FindSynthPreset("tiny");
  if (!preset) return Internal("the built-in 'tiny' preset is missing");
  std::optional<QuantRecipe> recipe = FindQuantRecipe(preset->default_type);
  if (!recipe) return Internal("the tiny preset's recipe is missing");
  ThreadPool pool(threads);
  auto report = SynthesizeModel(*preset, *recipe, /*seed=*/0, path, pool, [](const SynthProgress&) {});
  if (!report.ok()) return report.status().WithPrefix("synthesizing the demo model into " + path);
  return Status::Ok();
}

Expected<std::unique_ptr<chat::ChatTemplate>> LoadTemplate(const ServerConfig& config, const gguf::GgufFile& file) {
  if (!config.chat_template_file.empty()) {
    std::ifstream in(config.chat_template_file, std::ios::binary);
    if (!in) return NotFound("chat_template_file " + config.chat_template_file + ": cannot be opened");
    std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto t = chat::ChatTemplate::Parse(source);
    if (!t.ok()) return t.status().WithPrefix("chat_template_file " + config.chat_template_file);
    return std::make_unique<chat::ChatTemplate>(std::move(t).value());
  }
  if (!config.chat_format.empty()) {
    auto t = chat::ChatTemplate::Builtin(config.chat_format);
    if (!t.ok()) return t.status().WithPrefix("chat_format");
    return std::make_unique<chat::ChatTemplate>(std::move(t).value());
  }
  auto embedded = file.GetString("tokenizer.chat_template");
  if (embedded.ok()) {
    auto t = chat::ChatTemplate::Parse(*embedded);
    if (!t.ok()) return t.status().WithPrefix("the model's tokenizer.chat_template (override with --chat-format)");
    return std::make_unique<chat::ChatTemplate>(std::move(t).value());
  }
  auto t = chat::ChatTemplate::Builtin("deepseek3");
  if (!t.ok()) return t.status();
  return std::make_unique<chat::ChatTemplate>(std::move(t).value());
}

Expected<std::vector<std::vector<int32_t>>> LoadWarmupPrompts(const std::string& path, const tokenizer::Tokenizer& tok) {
  std::vector<std::vector<int32_t>> prompts;
  if (path.empty()) return prompts;
  std::ifstream in(path);
  if (!in) return NotFound("warmup_prompts " + path + ": cannot be opened");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == 'n') {
        text += '\n';
        ++i;
      } else {
        text += line[i];
      }
    }
    prompts.push_back(tok.Encode(text, /*add_special=*/true, /*parse_special=*/true));
  }
  return prompts;
}

Expected<DType> KvType(const std::string& name) {
  if (name == "f32") return DType::kF32;
  if (name == "bf16") return DType::kBF16;
  if (name == "f16") return DType::kF16;
  return InvalidArgument("kv_type must be f16, bf16 or f32, got '" + name + "'");
}

std::string TokenTextOr(const tokenizer::Tokenizer& tok, int32_t id) {
  return tok.IsValidId(id) ? tok.TokenText(id) : std::string();
}

}  // namespace

std::string DemoModelPath(const ServerConfig& config) {
  std::string dir = config.model_cache_dir;
  if (dir.empty()) {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) dir = std::string(xdg) + "/dsinfer";
    else if (const char* home = std::getenv("HOME"); home && *home) dir = std::string(home) + "/.cache/dsinfer";
    else dir = "/tmp/dsinfer-cache";
  }
  return dir + "/tiny-Q8_0-seed0.gguf";
}

Expected<std::unique_ptr<GenerationBackend>> LoadEngineBackend(const ServerConfig& config) {
  auto backend = std::make_unique<EngineBackend>();
  const int threads = config.threads > 0 ? config.threads : ThreadPool::HardwareThreads();
  std::string path = config.model;
  if (path.empty()) {
    path = DemoModelPath(config);
    DSINFER_RETURN_IF_ERROR(EnsureDemoModel(path, threads));
    backend->description_.demo_model = true;
  }
  auto model = Model::Load(path);
  if (!model.ok()) return model.status().WithPrefix("model " + path);
  backend->model_ = std::move(model).value();
  auto tok = tokenizer::Tokenizer::FromGguf(backend->model_->file());
  if (!tok.ok()) return tok.status().WithPrefix("model " + path + ": tokenizer");
  backend->tokenizer_ = std::move(tok).value();
  DSINFER_ASSIGN_OR_RETURN(backend->template_, LoadTemplate(config, backend->model_->file()));
  backend->decoder_factory_ = std::make_unique<TokenizerDecoderFactory>(*backend->tokenizer_);

  engine::EngineOptions options;
  options.scheduler.max_batch_size = config.max_batch_size;
  options.scheduler.max_num_batched_tokens = config.max_num_batched_tokens;
  options.max_waiting_requests = config.max_waiting_requests;
  options.block_size = config.block_size;
  options.kv_sizing.memory_bytes = config.kv_cache_memory;
  options.kv_sizing.ram_fraction = config.kv_cache_memory == 0 ? config.kv_cache_ram_fraction : 0.0;
  DSINFER_ASSIGN_OR_RETURN(options.kv_type, KvType(config.kv_type));
  options.max_model_len = config.max_model_len;
  options.enable_prefix_caching = config.enable_prefix_caching;
  DSINFER_ASSIGN_OR_RETURN(options.warmup_prompts, LoadWarmupPrompts(config.warmup_prompts, *backend->tokenizer_));
  options.text_decoder = backend->decoder_factory_.get();

  backend->pool_ = std::make_unique<ThreadPool>(threads);
  auto engine = engine::Engine::Create(*backend->model_, *backend->pool_, std::move(options));
  if (!engine.ok()) return engine.status();
  backend->engine_ = std::move(engine).value();

  BackendDescription& d = backend->description_;
  d.model_path = path;
  d.model_id = config.served_model_name;
  if (d.model_id.empty()) {
    d.model_id = d.demo_model ? "dsinfer-tiny" : std::filesystem::path(path).stem().string();
  }
  d.max_model_len = backend->engine_->limits().max_model_len;
  d.n_vocab = backend->engine_->limits().n_vocab;
  d.created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  d.bos_text = TokenTextOr(*backend->tokenizer_, backend->tokenizer_->bos_id());
  d.eos_text = TokenTextOr(*backend->tokenizer_, backend->tokenizer_->eos_id());
  const PackSummary& packed = backend->model_->pack_summary();
  d.packed_bytes = packed.packed_bytes;
  d.pack_cache_path = packed.cache_path;
  d.pack_skipped = packed.skipped_reason;
  d.pack_evicted_source = packed.evicted_source_pages;
  return std::unique_ptr<GenerationBackend>(std::move(backend));
}

}  // namespace dsinfer::server
