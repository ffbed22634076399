// `dsinfer inspect FILE [--json]`: what a GGUF model is and what it costs to run.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/format.h"
#include "gguf/reader.h"
#include "model/footprint.h"
#include "model/model_config.h"

namespace dsinfer::cli {

namespace {

struct InspectOptions {
  std::string path;
  bool json = false;
  bool metadata = false;
};

const char* ScalingName(RopeScaling s) {
  switch (s) {
    case RopeScaling::kNone: return "none";
    case RopeScaling::kLinear: return "linear";
    case RopeScaling::kYarn: return "yarn";
  }
  return "?";
}

nlohmann::json ConfigJson(const ModelConfig& c) {
  nlohmann::json j = {
      {"architecture", ArchitectureName(c.arch)},
      {"name", c.name},
      {"n_layer", c.n_layer},
      {"n_embd", c.n_embd},
      {"n_head", c.n_head},
      {"n_head_kv", c.n_head_kv},
      {"head_dim_k", c.head_dim_k},
      {"head_dim_v", c.head_dim_v},
      {"n_ff", c.n_ff},
      {"n_vocab", c.n_vocab},
      {"context_length", c.n_ctx_train},
      {"rms_eps", c.rms_eps},
      {"rope",
       {{"n_rot", c.n_rot},
        {"freq_base", c.rope_freq_base},
        {"pairing", c.rope_neox ? "neox" : "norm"},
        {"scaling", ScalingName(c.rope_scaling)},
        {"factor", c.rope_scaling_factor},
        {"original_context_length", c.rope_orig_ctx},
        {"yarn_log_multiplier", c.yarn_log_multiplier}}},
  };
  if (c.n_nextn_layer > 0) j["n_nextn_layer"] = c.n_nextn_layer;
  if (c.is_moe()) {
    j["moe"] = {{"n_expert", c.n_expert},
                {"n_expert_used", c.n_expert_used},
                {"n_expert_shared", c.n_expert_shared},
                {"n_ff_exp", c.n_ff_exp},
                {"n_leading_dense", c.n_leading_dense},
                {"n_group", c.n_expert_group},
                {"n_group_used", c.n_expert_group_used},
                {"gating", c.gating == ExpertGating::kSigmoid ? "sigmoid" : "softmax"},
                {"weights_norm", c.expert_weights_norm},
                {"weights_scale", c.expert_weights_scale}};
  }
  if (c.arch == Architecture::kDeepseek2) {
    j["mla"] = {{"is_mla", c.is_mla},
                {"q_lora_rank", c.q_lora_rank},
                {"kv_lora_rank", c.kv_lora_rank},
                {"qk_nope_head_dim", c.head_dim_k - c.n_rot},
                {"qk_rope_head_dim", c.n_rot},
                {"v_head_dim", c.head_dim_v}};
  }
  return j;
}

void PrintText(const gguf::GgufFile& f, const ModelConfig& c, const ModelFootprint& fp,
               bool show_metadata) {
  std::printf("file          %s (GGUF v%u, %u file%s, %s, alignment %u)\n", f.path().c_str(),
              f.version(), f.split_count(), f.split_count() == 1 ? "" : "s",
              FormatBytes(f.file_bytes()).c_str(), f.alignment());
  std::printf("architecture  %s%s%s\n", ArchitectureName(c.arch), c.name.empty() ? "" : "  name: ",
              c.name.c_str());
  std::printf("layers        %u", c.n_layer);
  if (c.is_moe()) std::printf(" (%u dense + %u MoE)", c.n_leading_dense, c.n_layer - c.n_leading_dense);
  if (c.n_nextn_layer > 0) std::printf(" + %u MTP", c.n_nextn_layer);
  std::printf("\nembedding     %u   vocab %u   context %u   rms_eps %g\n", c.n_embd, c.n_vocab,
              c.n_ctx_train, c.rms_eps);
  if (c.arch == Architecture::kDeepseek2) {
    std::printf("attention     %s, %u heads, q_lora_rank %u%s, kv_lora_rank %u, d_qk %u (nope %u + rope %u), d_v %u\n",
                c.is_mla ? "MLA (absorbed k_b/v_b)" : "MLA (legacy kv_b)", c.n_head, c.q_lora_rank,
                c.q_lora_rank == 0 ? " (attn_q)" : "", c.kv_lora_rank, c.head_dim_k,
                c.head_dim_k - c.n_rot, c.n_rot, c.head_dim_v);
  } else {
    std::printf("attention     %u heads, %u KV heads, head dim %u\n", c.n_head, c.n_head_kv, c.head_dim_k);
  }
  if (c.is_moe()) {
    std::printf("experts       %u routed (%u active), %u shared, expert FFN %u, dense FFN %u, "
                "gating %s, groups %u/%u, norm_topk %s, scale %g\n",
                c.n_expert, c.n_expert_used, c.n_expert_shared, c.n_ff_exp, c.n_ff,
                c.gating == ExpertGating::kSigmoid ? "sigmoid" : "softmax", c.n_expert_group,
                c.n_expert_group_used, c.expert_weights_norm ? "true" : "false",
                c.expert_weights_scale);
  } else {
    std::printf("ffn           dense, width %u\n", c.n_ff);
  }
  std::printf("rope          base %g, %u dims, %s pairing, scaling %s", c.rope_freq_base, c.n_rot,
              c.rope_neox ? "NEOX" : "NORM", ScalingName(c.rope_scaling));
  if (c.rope_scaling == RopeScaling::kYarn) {
    std::printf(" x%g (original context %u, mscale_all_dim %g)", c.rope_scaling_factor,
                c.rope_orig_ctx, c.yarn_log_multiplier);
  } else if (c.rope_scaling == RopeScaling::kLinear) {
    std::printf(" x%g", c.rope_scaling_factor);
  }
  std::printf("\nparameters    %s total, %s active per token\n", FormatCount(fp.total_params).c_str(),
              FormatCount(fp.active_params).c_str());
  std::printf("weights       %s; read per decoded token %s\n", FormatBytes(fp.weight_bytes).c_str(),
              FormatBytes(fp.bytes_read_per_token).c_str());
  if (fp.kv_values_per_token_mla > 0) {
    std::printf("kv cache      MLA latent: %llu values/token/layer = %s/token at F16; "
                "full per-head K/V would be %s/token (%.1fx)\n",
                static_cast<unsigned long long>(fp.kv_values_per_token_mla / c.n_layer),
                FormatBytes(fp.kv_values_per_token_mla * 2).c_str(),
                FormatBytes(fp.kv_values_per_token_full * 2).c_str(),
                static_cast<double>(fp.kv_values_per_token_full) / fp.kv_values_per_token_mla);
  } else {
    std::printf("kv cache      K/V: %s/token at F16\n", FormatBytes(fp.kv_values_per_token_full * 2).c_str());
  }
  std::printf("\n%-8s %8s %16s %12s\n", "type", "tensors", "elements", "bytes");
  for (const auto& [name, t] : fp.by_type) {
    std::printf("%-8s %8llu %16llu %12s\n", name.c_str(), static_cast<unsigned long long>(t.tensors),
                static_cast<unsigned long long>(t.elements), FormatBytes(t.bytes).c_str());
  }
  if (show_metadata) {
    std::printf("\nmetadata\n");
    for (const auto& e : f.metadata()) {
      std::printf("  %-48s %-9s %s\n", e.key.c_str(), gguf::ValueTypeName(e.value.type()),
                  e.value.ToString().c_str());
    }
  }
  std::printf("\n%-40s %-7s %-22s %12s\n", "tensor", "type", "shape", "bytes");
  for (const auto& t : f.tensors()) {
    std::printf("%-40s %-7s %-22s %12llu\n", t.name.c_str(), DTypeName(t.type),
                t.ShapeString().c_str(), static_cast<unsigned long long>(t.nbytes));
  }
}

nlohmann::json ToJson(const gguf::GgufFile& f, const ModelConfig& c, const ModelFootprint& fp) {
  nlohmann::json j;
  j["file"] = {{"path", f.path()}, {"version", f.version()}, {"splits", f.split_count()},
               {"bytes", f.file_bytes()}, {"alignment", f.alignment()}};
  j["config"] = ConfigJson(c);
  j["footprint"] = {{"total_params", fp.total_params},
                    {"active_params", fp.active_params},
                    {"weight_bytes", fp.weight_bytes},
                    {"bytes_read_per_token", fp.bytes_read_per_token},
                    {"kv_values_per_token_mla", fp.kv_values_per_token_mla},
                    {"kv_values_per_token_full", fp.kv_values_per_token_full},
                    {"kv_bytes_per_token_f16_mla", fp.kv_values_per_token_mla * 2},
                    {"kv_bytes_per_token_f16_full", fp.kv_values_per_token_full * 2}};
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [name, t] : fp.by_type) {
    types[name] = {{"tensors", t.tensors}, {"elements", t.elements}, {"bytes", t.bytes}};
  }
  j["types"] = types;
  nlohmann::json meta = nlohmann::json::object();
  for (const auto& e : f.metadata()) {
    if (e.value.type() == gguf::ValueType::kArray) {
      meta[e.key] = {{"type", "arr"}, {"length", e.value.as_array().size()}};
    } else {
      meta[e.key] = e.value.ToString(200);
    }
  }
  j["metadata"] = meta;
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : f.tensors()) {
    nlohmann::json ne = nlohmann::json::array();
    for (uint32_t d = 0; d < t.n_dims; ++d) ne.push_back(t.ne[d]);
    tensors.push_back({{"name", t.name}, {"type", DTypeName(t.type)}, {"ne", ne},
                       {"n_bytes", t.nbytes}, {"split", t.split}, {"offset", t.offset}});
  }
  j["tensors"] = tensors;
  return j;
}

int RunInspect(const InspectOptions& o) {
  auto file = gguf::GgufFile::Open(o.path);
  if (!file.ok()) {
    PrintError(file.status().message());
    return 1;
  }
  auto config = ReadModelConfig(*file);
  if (!config.ok()) {
    PrintError(config.status().message());
    return 1;
  }
  ModelFootprint fp = ComputeFootprint(*file, *config);
  if (o.json) {
    std::printf("%s\n", ToJson(*file, *config, fp).dump(1).c_str());
  } else {
    PrintText(*file, *config, fp, o.metadata);
  }
  return 0;
}

}  // namespace

void RegisterInspect(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Describe a GGUF model: architecture, tensors, sizes, per-token costs");
  cmd->add_option("file", opts->path, "GGUF file (first part of a split model)")->required();
  cmd->add_flag("--json", opts->json, "Machine-readable output");
  cmd->add_flag("--metadata", opts->metadata, "Also list every metadata key (text output)");
  cmd->callback([opts, exit_code] { *exit_code = RunInspect(*opts); });
}

}  // namespace dsinfer::cli
