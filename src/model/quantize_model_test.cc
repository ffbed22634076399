#include "model/quantize_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "gguf/reader.h"
#include "tensor/quant.h"
#include "testing/golden.h"

namespace dsinfer {
namespace {

std::string Quantize(const std::string& in, const char* recipe_name, const char* out_name) {
  const std::string out = std::string(::testing::TempDir()) + "/" + out_name;
  ThreadPool pool(2);
  auto report = QuantizeModel(in, out, *FindQuantRecipe(recipe_name), pool, nullptr);
  EXPECT_TRUE(report.ok()) << report.status().message();
  return out;
}

// Relative RMS error of a quantized file's weights against the F32 original, over every
// tensor whose type differs from F32.
double RelativeRmsError(const gguf::GgufFile& f32, const gguf::GgufFile& q) {
  double err = 0, ref = 0;
  for (const auto& t : q.tensors()) {
    if (t.type == DType::kF32) continue;
    const gguf::TensorInfo* orig = f32.FindTensor(t.name);
    EXPECT_NE(orig, nullptr) << t.name;
    if (orig == nullptr) continue;
    std::vector<float> row(static_cast<size_t>(t.ne[0]));
    const uint64_t row_bytes = *RowBytes(t.type, static_cast<uint64_t>(t.ne[0]));
    const float* x = reinterpret_cast<const float*>(orig->data);
    for (int64_t r = 0; r < t.n_rows(); ++r) {
      DequantizeRow(t.type, t.data + r * row_bytes, row.data(), t.ne[0]);
      for (int64_t i = 0; i < t.ne[0]; ++i) {
        double d = row[i] - x[r * t.ne[0] + i];
        err += d * d;
        ref += static_cast<double>(x[r * t.ne[0] + i]) * x[r * t.ne[0] + i];
      }
    }
  }
  return std::sqrt(err / ref);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every quantized golden file was made by llama-quantize from the F32 golden model; dsinfer's
// output must be the same file, byte for byte (header, metadata order, type mix, tensor data).
TEST(QuantizeModelTest, EveryGoldenFileIsReproducedByteForByte) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const struct {
    const char* source;
    const char* reference;
    const char* recipe;
  } cases[] = {
      {"ds2-lite-mini-f32", "ds2-lite-mini-q4_k_m", "Q4_K_M"},
      {"ds2-lite-mini-f32", "ds2-lite-mini-q6_k", "Q6_K"},
      {"ds2-lite-mini-f32", "ds2-lite-mini-q8_0", "Q8_0"},
      {"ds3-mini-f32", "ds3-mini-q4_k_m", "Q4_K_M"},
      {"qwen2-mini-f32", "qwen2-mini-q5_k_m", "Q5_K_M"},
      {"llama-mini-f32", "llama-mini-q4_0", "Q4_0"},
      {"llama-mini-f32", "llama-mini-f16", "F16"},
      {"llama-mini-f32", "llama-mini-bf16", "BF16"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.reference);
    const std::string out = Quantize(golden + "/models/" + c.source + ".gguf", c.recipe,
                                     (std::string(c.reference) + ".out.gguf").c_str());
    const std::string ours = ReadFile(out);
    const std::string theirs = ReadFile(golden + "/models/" + c.reference + ".gguf");
    ASSERT_EQ(ours.size(), theirs.size());
    size_t first_diff = 0;
    while (first_diff < ours.size() && ours[first_diff] == theirs[first_diff]) ++first_diff;
    EXPECT_EQ(first_diff, ours.size()) << "first differing byte at offset " << first_diff;
    std::remove(out.c_str());
  }
}

// K-quant mixes: our error must be within 10% of llama.cpp's file made from the same source.
TEST(QuantizeModelTest, KQuantErrorsAreWithinTenPercentOfLlamaQuantize) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto f32 = gguf::GgufFile::Open(golden + "/models/ds2-lite-mini-f32.gguf");
  ASSERT_TRUE(f32.ok());
  const struct {
    const char* recipe;
    const char* reference;
  } cases[] = {{"Q4_K_M", "ds2-lite-mini-q4_k_m.gguf"}, {"Q6_K", "ds2-lite-mini-q6_k.gguf"}};
  for (const auto& c : cases) {
    const std::string out = Quantize(golden + "/models/ds2-lite-mini-f32.gguf", c.recipe,
                                     (std::string("ds2_") + c.recipe + ".gguf").c_str());
    auto ours = gguf::GgufFile::Open(out);
    auto theirs = gguf::GgufFile::Open(golden + "/models/" + c.reference);
    ASSERT_TRUE(ours.ok() && theirs.ok());
    const double e_ours = RelativeRmsError(*f32, *ours);
    const double e_theirs = RelativeRmsError(*f32, *theirs);
    std::printf("%s: relative RMS error dsinfer %.6f, llama.cpp %.6f (ratio %.4f)\n", c.recipe,
                e_ours, e_theirs, e_ours / e_theirs);
    EXPECT_LE(e_ours, e_theirs * 1.10) << c.recipe;
    std::remove(out.c_str());
  }
}

}  // namespace
}  // namespace dsinfer
