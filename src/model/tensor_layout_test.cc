#include "model/tensor_layout.h"

#include <gtest/gtest.h>

#include "gguf/reader.h"
#include "testing/golden.h"

namespace dsinfer {
namespace {

// The layout derived from a golden file's hyper-parameters must list exactly the tensors the
// converter wrote, in the same order and with the same shapes.
TEST(TensorLayoutTest, MatchesEveryGoldenF32Model) {
  DSINFER_REQUIRE_GOLDEN(golden);
  for (const char* model : {"ds2-lite-mini-f32", "ds3-mini-f32", "llama-mini-f32", "qwen2-mini-f32"}) {
    SCOPED_TRACE(model);
    auto f = gguf::GgufFile::Open(golden + "/models/" + model + ".gguf");
    ASSERT_TRUE(f.ok()) << f.status().message();
    auto c = ReadModelConfig(*f);
    ASSERT_TRUE(c.ok()) << c.status().message();
    LayoutOptions o;
    o.tied_embeddings = f->FindTensor("output.weight") == nullptr;
    o.qkv_bias = f->FindTensor("blk.0.attn_q.bias") != nullptr;
    o.expert_bias = f->FindTensor("blk.1.exp_probs_b.bias") != nullptr;
    std::vector<TensorSpec> specs = ExpectedTensors(*c, o);
    ASSERT_EQ(specs.size(), f->tensors().size());
    for (size_t i = 0; i < specs.size(); ++i) {
      const auto& t = f->tensors()[i];
      EXPECT_EQ(specs[i].name, t.name);
      std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
      EXPECT_EQ(ShapeToString(specs[i].ne), ShapeToString(ne)) << t.name;
    }
  }
}

}  // namespace
}  // namespace dsinfer
