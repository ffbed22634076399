#include "model/model_config.h"

#include <gtest/gtest.h>

#include "gguf/writer.h"
#include "testing/golden.h"

namespace dsinfer {
namespace {

Expected<ModelConfig> Load(const std::string& path) {
  auto f = gguf::GgufFile::Open(path);
  if (!f.ok()) return f.status();
  return ReadModelConfig(*f);
}

TEST(ModelConfigTest, ReadsDeepseekV2LiteStyleGoldenModel) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto c = Load(golden + "/models/ds2-lite-mini-f32.gguf");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->arch, Architecture::kDeepseek2);
  EXPECT_EQ(c->n_layer, 3u);
  EXPECT_EQ(c->n_embd, 256u);
  EXPECT_EQ(c->n_head, 4u);
  EXPECT_EQ(c->n_head_kv, 1u);
  EXPECT_TRUE(c->is_mla);
  EXPECT_EQ(c->q_lora_rank, 0u);
  EXPECT_EQ(c->kv_lora_rank, 256u);
  EXPECT_EQ(c->head_dim_k, 96u);
  EXPECT_EQ(c->head_dim_v, 64u);
  EXPECT_EQ(c->n_rot, 32u);
  EXPECT_EQ(c->n_expert, 8u);
  EXPECT_EQ(c->n_expert_used, 2u);
  EXPECT_EQ(c->n_expert_shared, 2u);
  EXPECT_EQ(c->n_ff_exp, 256u);
  EXPECT_EQ(c->n_leading_dense, 1u);
  EXPECT_EQ(c->gating, ExpertGating::kSoftmax);
  EXPECT_EQ(c->rope_scaling, RopeScaling::kYarn);
  EXPECT_FLOAT_EQ(c->rope_scaling_factor, 4.0f);
  EXPECT_EQ(c->rope_orig_ctx, 512u);
  EXPECT_NEAR(c->yarn_log_multiplier, 0.707f, 1e-5);
  EXPECT_EQ(c->n_vocab, 4096u);
}

TEST(ModelConfigTest, ReadsDeepseekV3StyleGoldenModel) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto c = Load(golden + "/models/ds3-mini-f32.gguf");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->q_lora_rank, 256u);
  EXPECT_EQ(c->gating, ExpertGating::kSigmoid);
  EXPECT_EQ(c->n_expert_group, 4u);
  EXPECT_EQ(c->n_expert_group_used, 2u);
  EXPECT_TRUE(c->expert_weights_norm);
  EXPECT_FLOAT_EQ(c->expert_weights_scale, 2.5f);
  EXPECT_NEAR(c->yarn_log_multiplier, 1.0f, 1e-5);
}

TEST(ModelConfigTest, ReadsDenseGoldenModels) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto llama = Load(golden + "/models/llama-mini-f32.gguf");
  ASSERT_TRUE(llama.ok()) << llama.status().message();
  EXPECT_EQ(llama->arch, Architecture::kLlama);
  EXPECT_EQ(llama->n_head_kv, 2u);
  EXPECT_FALSE(llama->rope_neox);
  auto qwen = Load(golden + "/models/qwen2-mini-f32.gguf");
  ASSERT_TRUE(qwen.ok()) << qwen.status().message();
  EXPECT_EQ(qwen->arch, Architecture::kQwen2);
  EXPECT_TRUE(qwen->rope_neox);
  EXPECT_FLOAT_EQ(qwen->rope_freq_base, 1e6f);
}

// Writes a minimal llama-style header with `override_key` set to `value`.
std::string WriteHeader(const std::string& name, const std::string& override_key,
                        gguf::GgufValue value) {
  std::string path = std::string(::testing::TempDir()) + "/" + name;
  gguf::GgufWriter w(path);
  w.SetMetadata("general.architecture", gguf::GgufValue::Str("llama"));
  w.SetMetadata("llama.block_count", gguf::GgufValue::U32(2));
  w.SetMetadata("llama.context_length", gguf::GgufValue::U32(128));
  w.SetMetadata("llama.embedding_length", gguf::GgufValue::U32(64));
  w.SetMetadata("llama.attention.head_count", gguf::GgufValue::U32(4));
  w.SetMetadata("llama.attention.layer_norm_rms_epsilon", gguf::GgufValue::F32(1e-5f));
  w.SetMetadata(override_key, std::move(value));
  EXPECT_TRUE(w.Finish().ok());
  return path;
}

TEST(ModelConfigTest, WrongKeyTypeNamesKeyAndTypes) {
  auto c = Load(WriteHeader("wrong_type.gguf", "llama.block_count", gguf::GgufValue::I32(2)));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("llama.block_count"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("i32"), std::string::npos) << c.status().message();
}

TEST(ModelConfigTest, UnsupportedArchitectureIsNamed) {
  auto c = Load(WriteHeader("arch.gguf", "general.architecture", gguf::GgufValue::Str("mamba")));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(c.status().message().find("mamba"), std::string::npos);
}

TEST(ModelConfigTest, InconsistentExpertCountsAreRejected) {
  const std::string path = std::string(::testing::TempDir()) + "/experts.gguf";
  {
    gguf::GgufWriter w(path);
    w.SetMetadata("general.architecture", gguf::GgufValue::Str("llama"));
    w.SetMetadata("llama.block_count", gguf::GgufValue::U32(2));
    w.SetMetadata("llama.context_length", gguf::GgufValue::U32(128));
    w.SetMetadata("llama.embedding_length", gguf::GgufValue::U32(64));
    w.SetMetadata("llama.attention.head_count", gguf::GgufValue::U32(4));
    w.SetMetadata("llama.attention.layer_norm_rms_epsilon", gguf::GgufValue::F32(1e-5f));
    w.SetMetadata("llama.expert_count", gguf::GgufValue::U32(4));
    w.SetMetadata("llama.expert_used_count", gguf::GgufValue::U32(6));
    ASSERT_TRUE(w.Finish().ok());
  }
  auto c = Load(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("expert_used_count 6 > expert_count 4"), std::string::npos)
      << c.status().message();
}

}  // namespace
}  // namespace dsinfer
