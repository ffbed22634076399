#include "model/quant_policy.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "testing/golden.h"

namespace dsinfer {
namespace {

struct GoldenCase {
  const char* source;     // F32 model in golden/models
  const char* reference;  // golden/<dir> whose manifest llama-quantize produced
  const char* recipe;
};

// For every quantized golden file, the plan from its F32 source must choose exactly the types
// and the tensor order llama-quantize chose.
TEST(QuantPolicyTest, MatchesLlamaQuantizeOnEveryGoldenFile) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const GoldenCase cases[] = {
      {"ds2-lite-mini-f32", "ds2-lite-mini-q4_k_m", "Q4_K_M"},
      {"ds2-lite-mini-f32", "ds2-lite-mini-q6_k", "Q6_K"},
      {"ds2-lite-mini-f32", "ds2-lite-mini-q8_0", "Q8_0"},
      {"ds3-mini-f32", "ds3-mini-q4_k_m", "Q4_K_M"},
      {"llama-mini-f32", "llama-mini-q4_0", "Q4_0"},
      {"llama-mini-f32", "llama-mini-f16", "F16"},
      {"llama-mini-f32", "llama-mini-bf16", "BF16"},
      {"qwen2-mini-f32", "qwen2-mini-q5_k_m", "Q5_K_M"},
  };
  for (const GoldenCase& gc : cases) {
    SCOPED_TRACE(gc.reference);
    auto file = gguf::GgufFile::Open(golden + "/models/" + gc.source + ".gguf");
    ASSERT_TRUE(file.ok()) << file.status().message();
    auto config = ReadModelConfig(*file);
    ASSERT_TRUE(config.ok()) << config.status().message();
    auto recipe = FindQuantRecipe(gc.recipe);
    ASSERT_TRUE(recipe.has_value());
    auto plan = PlanQuantization(file->tensors(), *config, *recipe);
    ASSERT_TRUE(plan.ok()) << plan.status().message();

    std::ifstream in(golden + "/" + gc.reference + "/manifest.json");
    nlohmann::json manifest = nlohmann::json::parse(in);
    EXPECT_EQ(manifest["general.file_type"].get<uint32_t>(), recipe->file_type);
    const auto& expected = manifest["tensors"];
    ASSERT_EQ(expected.size(), plan->size());
    for (size_t i = 0; i < plan->size(); ++i) {
      const auto& t = file->tensors()[(*plan)[i].tensor_index];
      EXPECT_EQ(t.name, expected[i]["name"].get<std::string>()) << "position " << i;
      EXPECT_STREQ(DTypeName((*plan)[i].type), expected[i]["type"].get<std::string>().c_str())
          << t.name;
    }
  }
}

TEST(QuantPolicyTest, RecipeLookupIsCaseInsensitive) {
  ASSERT_TRUE(FindQuantRecipe("q4_k_m").has_value());
  EXPECT_EQ(FindQuantRecipe("q4_k_m")->base, DType::kQ4_K);
  EXPECT_FALSE(FindQuantRecipe("IQ2_XXS").has_value());
}

}  // namespace
}  // namespace dsinfer
