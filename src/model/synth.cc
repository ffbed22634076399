#include "model/synth.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "gguf/writer.h"
#include "model/synth_vocab.h"
#include "model/tensor_layout.h"
#include "tensor/quant.h"

namespace dsinfer {

namespace {

using gguf::GgufValue;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t HashName(const std::string& s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
  return h;
}

// Approximately N(0, 1): the sum of four 16-bit uniforms, centred and scaled to unit variance.
float Gaussian(uint64_t key) {
  uint64_t r = SplitMix64(key);
  float sum = 0;
  for (int i = 0; i < 4; ++i) {
    sum += static_cast<float>((r >> (16 * i)) & 0xFFFF) * (1.0f / 65536.0f);
  }
  return (sum - 2.0f) * 1.7320508f;
}

struct InitParams {
  float mean = 0;
  float stddev = 1;
};

InitParams ParamsFor(const TensorSpec& t, const ModelConfig& c, bool tied) {
  switch (t.init) {
    case TensorSpec::Init::kMatrix: return {0, 1.0f / std::sqrt(static_cast<float>(t.fan_in))};
    case TensorSpec::Init::kNorm: return {1.0f, 0.05f};
    case TensorSpec::Init::kEmbedding:
      // A tied table is also the LM head: keep its logits near unit scale.
      return {0, tied ? 1.0f / std::sqrt(static_cast<float>(c.n_embd)) : 1.0f};
    case TensorSpec::Init::kRouter: return {0, 0.5f / std::sqrt(static_cast<float>(c.n_embd))};
    case TensorSpec::Init::kBias: return {0, 0.03f};
    case TensorSpec::Init::kRopeFreqs: return {1.0f, 0};
  }
  return {};
}

// Llama-3.x frequency factors (spec §4.6).
std::vector<float> Llama3RopeFactors(const ModelConfig& c, const Llama3RopeScaling& s) {
  std::vector<float> f(c.n_rot / 2);
  const double low_wavelen = s.original_context / s.low_freq_factor;
  const double high_wavelen = s.original_context / s.high_freq_factor;
  for (size_t i = 0; i < f.size(); ++i) {
    double freq = std::pow(static_cast<double>(c.rope_freq_base), -2.0 * i / c.n_rot);
    double wavelen = 2 * M_PI / freq;
    if (wavelen < high_wavelen) {
      f[i] = 1.0f;
    } else if (wavelen > low_wavelen) {
      f[i] = s.factor;
    } else {
      double smooth = (s.original_context / wavelen - s.low_freq_factor) /
                      (s.high_freq_factor - s.low_freq_factor);
      f[i] = static_cast<float>(1.0 / ((1 - smooth) / s.factor + smooth));
    }
  }
  return f;
}

void WriteMetadata(gguf::GgufWriter& w, const SynthPreset& preset, const ModelConfig& c,
                   const QuantRecipe& recipe, uint64_t seed, const SynthVocab& vocab) {
  const std::string a = ArchitectureName(c.arch);
  const std::string p = a + ".";
  w.SetMetadata("general.architecture", GgufValue::Str(a));
  w.SetMetadata("general.type", GgufValue::Str("model"));
  w.SetMetadata("general.name", GgufValue::Str("dsinfer-synth-" + preset.name));
  w.SetMetadata("general.description",
                GgufValue::Str("RANDOM weights with the shapes of " + preset.description +
                               "; made by dsinfer synth --preset " + preset.name + " --seed " +
                               std::to_string(seed)));
  w.SetMetadata("general.quantization_version", GgufValue::U32(2));
  w.SetMetadata(p + "block_count", GgufValue::U32(c.n_layer));
  w.SetMetadata(p + "context_length", GgufValue::U32(c.n_ctx_train));
  w.SetMetadata(p + "embedding_length", GgufValue::U32(c.n_embd));
  w.SetMetadata(p + "feed_forward_length", GgufValue::U32(c.n_ff));
  w.SetMetadata(p + "attention.head_count", GgufValue::U32(c.n_head));
  w.SetMetadata(p + "attention.head_count_kv", GgufValue::U32(c.n_head_kv));
  if (c.rope_scaling == RopeScaling::kYarn) {
    w.SetMetadata(p + "rope.scaling.type", GgufValue::Str("yarn"));
    w.SetMetadata(p + "rope.scaling.factor", GgufValue::F32(c.rope_scaling_factor));
    w.SetMetadata(p + "rope.scaling.original_context_length", GgufValue::U32(c.rope_orig_ctx));
    w.SetMetadata(p + "rope.scaling.yarn_beta_fast", GgufValue::F32(32.0f));
    w.SetMetadata(p + "rope.scaling.yarn_beta_slow", GgufValue::F32(1.0f));
  }
  w.SetMetadata(p + "rope.freq_base", GgufValue::F32(c.rope_freq_base));
  w.SetMetadata(p + "attention.layer_norm_rms_epsilon", GgufValue::F32(c.rms_eps));
  if (c.is_moe()) {
    w.SetMetadata(p + "expert_count", GgufValue::U32(c.n_expert));
    w.SetMetadata(p + "expert_used_count", GgufValue::U32(c.n_expert_used));
    w.SetMetadata(p + "expert_group_count", GgufValue::U32(c.n_expert_group));
    w.SetMetadata(p + "expert_group_used_count", GgufValue::U32(c.n_expert_group_used));
    w.SetMetadata(p + "expert_gating_func", GgufValue::U32(static_cast<uint32_t>(c.gating)));
  }
  w.SetMetadata("general.file_type", GgufValue::U32(recipe.file_type));
  if (c.arch == Architecture::kDeepseek2) {
    w.SetMetadata(p + "leading_dense_block_count", GgufValue::U32(c.n_leading_dense));
    w.SetMetadata(p + "vocab_size", GgufValue::U32(c.n_vocab));
    w.SetMetadata(p + "attention.q_lora_rank", GgufValue::U32(c.q_lora_rank));
    w.SetMetadata(p + "attention.kv_lora_rank", GgufValue::U32(c.kv_lora_rank));
    w.SetMetadata(p + "attention.key_length", GgufValue::U32(c.kv_lora_rank + c.n_rot));
    w.SetMetadata(p + "attention.value_length", GgufValue::U32(c.kv_lora_rank));
    w.SetMetadata(p + "attention.key_length_mla", GgufValue::U32(c.head_dim_k));
    w.SetMetadata(p + "attention.value_length_mla", GgufValue::U32(c.head_dim_v));
    w.SetMetadata(p + "expert_feed_forward_length", GgufValue::U32(c.n_ff_exp));
    w.SetMetadata(p + "expert_shared_count", GgufValue::U32(c.n_expert_shared));
    w.SetMetadata(p + "expert_weights_scale", GgufValue::F32(c.expert_weights_scale));
    if (c.expert_weights_norm) w.SetMetadata(p + "expert_weights_norm", GgufValue::Bool(true));
    w.SetMetadata(p + "rope.dimension_count", GgufValue::U32(c.n_rot));
    w.SetMetadata(p + "rope.scaling.yarn_log_multiplier", GgufValue::F32(0.1f * c.yarn_log_multiplier));
  } else {
    w.SetMetadata(p + "rope.dimension_count", GgufValue::U32(c.n_rot));
    w.SetMetadata(p + "vocab_size", GgufValue::U32(c.n_vocab));
  }
  w.SetMetadata("tokenizer.ggml.model", GgufValue::Str("gpt2"));
  w.SetMetadata("tokenizer.ggml.pre", GgufValue::Str(preset.tokenizer_pre));
  w.SetMetadata("tokenizer.ggml.tokens", GgufValue::StrArray(vocab.tokens));
  w.SetMetadata("tokenizer.ggml.token_type", GgufValue::I32Array(vocab.token_types));
  w.SetMetadata("tokenizer.ggml.merges", GgufValue::StrArray(vocab.merges));
  w.SetMetadata("tokenizer.ggml.bos_token_id", GgufValue::U32(vocab.bos_id));
  w.SetMetadata("tokenizer.ggml.eos_token_id", GgufValue::U32(vocab.eos_id));
  w.SetMetadata("tokenizer.ggml.padding_token_id", GgufValue::U32(vocab.eos_id));
  w.SetMetadata("tokenizer.ggml.add_bos_token", GgufValue::Bool(true));
  w.SetMetadata("tokenizer.ggml.add_eos_token", GgufValue::Bool(false));
}

constexpr int64_t kChunkElements = 1 << 22;
// Tensors above this size repeat a pool of kPoolRows independently drawn rows in a seeded
// random order: quantizing 16B Gaussian weights with the K-quant search would take hours on a
// small machine, while a pooled tensor is written at disk speed and still streams the same
// bytes per token through the memory system.
constexpr int64_t kPooledTensorElements = int64_t{1} << 24;
constexpr int64_t kPoolRows = 1024;

}  // namespace

Expected<SynthReport> SynthesizeModel(const SynthPreset& preset, const QuantRecipe& recipe,
                                      uint64_t seed, const std::string& output_path,
                                      ThreadPool& pool,
                                      const std::function<void(const SynthProgress&)>& progress) {
  ModelConfig c = preset.config;
  SynthVocab vocab = BuildSynthVocab(c.n_vocab);
  c.n_vocab = static_cast<uint32_t>(vocab.tokens.size());

  const std::vector<TensorSpec> specs = ExpectedTensors(c, preset.layout);
  std::vector<gguf::TensorInfo> infos(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    infos[i].name = specs[i].name;
    infos[i].n_dims = static_cast<uint32_t>(specs[i].ne.size());
    for (size_t d = 0; d < specs[i].ne.size(); ++d) infos[i].ne[d] = specs[i].ne[d];
  }
  DSINFER_ASSIGN_OR_RETURN(std::vector<TensorPlan> plan, PlanQuantization(infos, c, recipe));
  std::vector<DType> types(specs.size(), DType::kF32);
  for (const TensorPlan& tp : plan) types[tp.tensor_index] = tp.type;

  gguf::GgufWriter writer(output_path);
  WriteMetadata(writer, preset, c, recipe, seed, vocab);
  SynthReport report;
  SynthProgress prog;
  for (size_t i = 0; i < specs.size(); ++i) {
    DSINFER_RETURN_IF_ERROR(writer.AddTensor(specs[i].name, types[i], specs[i].ne));
    prog.elements_total += static_cast<uint64_t>(infos[i].n_elements());
  }

  const bool tied = preset.layout.tied_embeddings;
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorSpec& spec = specs[i];
    const DType type = types[i];
    const int64_t n_per_row = spec.ne[0];
    const int64_t n_rows = infos[i].n_rows();
    const uint64_t row_bytes = *RowBytes(type, static_cast<uint64_t>(n_per_row));
    const InitParams init = ParamsFor(spec, c, tied);
    const uint64_t name_hash = HashName(spec.name) ^ SplitMix64(seed);
    std::vector<float> rope_factors;
    if (spec.init == TensorSpec::Init::kRopeFreqs && preset.llama3_rope) {
      rope_factors = Llama3RopeFactors(c, *preset.llama3_rope);
    }
    prog.tensor_name = &spec.name;
    if (progress) progress(prog);

    // Generates and quantizes rows [row0, row0 + rows) into out.
    auto generate = [&](int64_t row0, int64_t rows, std::vector<float>& f32, std::vector<uint8_t>& out) {
      pool.ParallelFor(static_cast<size_t>(rows), [&](int, size_t begin, size_t end) {
        for (size_t r = begin; r < end; ++r) {
          float* row = f32.data() + r * static_cast<size_t>(n_per_row);
          const uint64_t base = static_cast<uint64_t>(row0 + static_cast<int64_t>(r)) * n_per_row;
          for (int64_t k = 0; k < n_per_row; ++k) {
            row[k] = rope_factors.empty()
                         ? init.mean + init.stddev * Gaussian(name_hash + base + static_cast<uint64_t>(k))
                         : rope_factors[static_cast<size_t>(k)];
          }
          QuantizeRow(type, row, out.data() + r * row_bytes, n_per_row);
        }
      });
    };
    const bool pooled = infos[i].n_elements() > kPooledTensorElements && n_rows > kPoolRows;
    const int64_t rows_per_chunk = std::max<int64_t>(1, kChunkElements / n_per_row);
    std::vector<float> f32(static_cast<size_t>((pooled ? kPoolRows : std::min(rows_per_chunk, n_rows)) * n_per_row));
    std::vector<uint8_t> out(static_cast<size_t>(std::min(rows_per_chunk, n_rows)) * row_bytes);
    std::vector<uint8_t> row_pool;
    if (pooled) {
      row_pool.resize(static_cast<size_t>(kPoolRows) * row_bytes);
      generate(0, kPoolRows, f32, row_pool);
    }
    DSINFER_RETURN_IF_ERROR(writer.BeginTensor(spec.name));
    for (int64_t row0 = 0; row0 < n_rows; row0 += rows_per_chunk) {
      const int64_t rows = std::min(rows_per_chunk, n_rows - row0);
      if (pooled) {
        for (int64_t r = 0; r < rows; ++r) {
          const uint64_t pick = SplitMix64(name_hash ^ static_cast<uint64_t>(row0 + r)) % kPoolRows;
          std::memcpy(out.data() + r * row_bytes, row_pool.data() + pick * row_bytes, row_bytes);
        }
      } else {
        generate(row0, rows, f32, out);
      }
      DSINFER_RETURN_IF_ERROR(writer.AppendTensorData(out.data(), static_cast<uint64_t>(rows) * row_bytes));
      prog.elements_done += static_cast<uint64_t>(rows * n_per_row);
      if (progress) progress(prog);
    }
    report.tensors++;
    report.params += static_cast<uint64_t>(infos[i].n_elements());
    report.tensor_bytes += row_bytes * static_cast<uint64_t>(n_rows);
  }
  prog.tensor_name = nullptr;
  if (progress) progress(prog);
  DSINFER_RETURN_IF_ERROR(writer.Finish());
  return report;
}

}  // namespace dsinfer
