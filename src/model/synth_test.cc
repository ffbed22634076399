#include "model/synth.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "gguf/reader.h"
#include "model/footprint.h"

namespace dsinfer {
namespace {

std::string Synthesize(const char* preset, const char* recipe, uint64_t seed, int threads,
                       const std::string& name) {
  const std::string path = std::string(::testing::TempDir()) + "/" + name;
  ThreadPool pool(threads);
  auto report = SynthesizeModel(*FindSynthPreset(preset), *FindQuantRecipe(recipe), seed, path,
                                pool, nullptr);
  EXPECT_TRUE(report.ok()) << report.status().message();
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SynthTest, TinyModelLoadsWithThePresetsShapesAndConfig) {
  const std::string path = Synthesize("tiny", "F32", 1, 2, "tiny_f32.gguf");
  auto f = gguf::GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  auto c = ReadModelConfig(*f);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const SynthPreset preset = *FindSynthPreset("tiny");
  EXPECT_EQ(c->arch, Architecture::kDeepseek2);
  EXPECT_EQ(c->n_layer, preset.config.n_layer);
  EXPECT_EQ(c->q_lora_rank, preset.config.q_lora_rank);
  EXPECT_EQ(c->kv_lora_rank, preset.config.kv_lora_rank);
  EXPECT_EQ(c->head_dim_k, preset.config.head_dim_k);
  EXPECT_EQ(c->gating, ExpertGating::kSigmoid);
  EXPECT_TRUE(c->expert_weights_norm);
  EXPECT_NEAR(c->yarn_log_multiplier, 1.0f, 1e-6);
  const auto specs = ExpectedTensors(*c, preset.layout);
  ASSERT_EQ(specs.size(), f->tensors().size());
  for (size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(specs[i].name, f->tensors()[i].name);
    EXPECT_EQ(f->tensors()[i].type, DType::kF32);
  }
  // Norm weights are near 1, matrices near 0 with 1/sqrt(fan_in) spread.
  const auto* norm = f->FindTensor("blk.0.attn_norm.weight");
  ASSERT_NE(norm, nullptr);
  const float* nv = reinterpret_cast<const float*>(norm->data);
  EXPECT_NEAR(nv[0], 1.0f, 0.3f);
  ModelFootprint fp = ComputeFootprint(*f, *c);
  EXPECT_LT(fp.total_params, 10'000'000u) << "tiny must stay a few MB";
  EXPECT_EQ(fp.kv_values_per_token_mla, uint64_t{c->n_layer} * (c->kv_lora_rank + c->n_rot));
}

TEST(SynthTest, OutputDependsOnlyOnSeedNotOnThreads) {
  const std::string a = Synthesize("tiny", "Q8_0", 7, 1, "tiny_a.gguf");
  const std::string b = Synthesize("tiny", "Q8_0", 7, 2, "tiny_b.gguf");
  const std::string c = Synthesize("tiny", "Q8_0", 8, 2, "tiny_c.gguf");
  const std::string da = ReadAll(a), db = ReadAll(b), dc = ReadAll(c);
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(SynthTest, QuantizedPresetUsesLlamaCppMixes) {
  const std::string path = Synthesize("tiny", "Q4_K_M", 1, 2, "tiny_q4km.gguf");
  auto f = gguf::GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  // D = 256 rows fit Q4_K; the router and norms stay F32; output gets Q6_K.
  EXPECT_EQ(f->FindTensor("blk.1.ffn_gate_inp.weight")->type, DType::kF32);
  EXPECT_EQ(f->FindTensor("blk.1.attn_norm.weight")->type, DType::kF32);
  EXPECT_EQ(f->FindTensor("output.weight")->type, DType::kQ6_K);
  EXPECT_EQ(f->FindTensor("blk.1.ffn_gate_exps.weight")->type, DType::kQ4_K);
  // attn_k_b rows are d_nope = 32 long: Q4_K falls back to Q5_0.
  EXPECT_EQ(f->FindTensor("blk.1.attn_k_b.weight")->type, DType::kQ5_0);
}

TEST(SynthTest, V2LitePresetHasThePublishedShapes) {
  const SynthPreset p = *FindSynthPreset("deepseek-v2-lite");
  ModelConfig c = p.config;
  const auto specs = ExpectedTensors(c, p.layout);
  auto find = [&](const std::string& name) -> std::string {
    for (const auto& s : specs) {
      if (s.name == name) return ShapeToString(s.ne);
    }
    return "missing";
  };
  EXPECT_EQ(find("token_embd.weight"), "[2048, 102400]");
  EXPECT_EQ(find("blk.0.attn_q.weight"), "[2048, 3072]");
  EXPECT_EQ(find("blk.3.attn_kv_a_mqa.weight"), "[2048, 576]");
  EXPECT_EQ(find("blk.3.attn_k_b.weight"), "[128, 512, 16]");
  EXPECT_EQ(find("blk.3.attn_v_b.weight"), "[512, 128, 16]");
  EXPECT_EQ(find("blk.0.ffn_down.weight"), "[10944, 2048]");
  EXPECT_EQ(find("blk.26.ffn_gate_exps.weight"), "[2048, 1408, 64]");
  EXPECT_EQ(find("blk.26.ffn_down_shexp.weight"), "[2816, 2048]");
  EXPECT_EQ(find("blk.27.attn_norm.weight"), "missing");
}

}  // namespace
}  // namespace dsinfer
