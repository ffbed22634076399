#include "engine/admission.h"

#include <gtest/gtest.h>

#include "base/memory_limits.h"
#include "engine/kv_sizing.h"

namespace dsinfer::engine {
namespace {

AdmissionLimits Limits() {
  AdmissionLimits l;
  l.n_vocab = 100;
  l.max_model_len = 64;
  l.kv_token_capacity = 48;
  return l;
}

GenerateRequest Valid() {
  GenerateRequest r;
  r.prompt = {1, 2, 3};
  r.max_tokens = 10;
  return r;
}

void ExpectInvalid(const GenerateRequest& r, const std::string& field) {
  const Status st = ValidateRequest(r, Limits());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << field;
  EXPECT_NE(st.message().find(field), std::string::npos) << st.message();
}

TEST(AdmissionTest, AcceptsAValidRequest) { EXPECT_TRUE(ValidateRequest(Valid(), Limits()).ok()); }

TEST(AdmissionTest, RejectsRequestsThatCanNeverRunAsInvalidArgument) {
  GenerateRequest r = Valid();
  r.prompt.clear();
  ExpectInvalid(r, "prompt");
  r.prompt.assign(64, 1);
  ExpectInvalid(r, "context holds 64");
  r.prompt.assign(48, 1);
  ExpectInvalid(r, "KV cache");
  r = Valid();
  r.prompt[1] = 100;
  ExpectInvalid(r, "prompt[1]");
  r = Valid();
  r.max_tokens = 0;
  ExpectInvalid(r, "max_tokens");
  r = Valid();
  r.n = 0;
  ExpectInvalid(r, "n:");
  r = Valid();
  r.stop = {"\n"};
  ExpectInvalid(r, "stop");
  r = Valid();
  r.stop_token_ids = {-1};
  ExpectInvalid(r, "stop_token_ids");
  r = Valid();
  r.sampling.min_p = 2.0f;
  ExpectInvalid(r, "min_p");
  AdmissionLimits with_text = Limits();
  with_text.has_text_decoder = true;
  r = Valid();
  r.stop = {"\n"};
  EXPECT_TRUE(ValidateRequest(r, with_text).ok());
}

TEST(AdmissionTest, AFullQueueIsResourceExhausted) {
  EXPECT_TRUE(CheckQueueSpace(3, 4).ok());
  const Status st = CheckQueueSpace(4, 4);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("queue is full"), std::string::npos);
}

TEST(KvSizingTest, BlockCountComesFromBlocksBytesOrRam) {
  KvSizing s;
  s.blocks = 12;
  EXPECT_EQ(*ResolveKvBlockCount(s, 1000, 16, 32, 4096), 12);
  s = KvSizing();
  s.memory_bytes = 16000 * 10 + 5;
  EXPECT_EQ(*ResolveKvBlockCount(s, 1000, 16, 32, 4096), 10);
  s.memory_bytes = 100;
  const auto small = ResolveKvBlockCount(s, 1000, 16, 32, 4096);
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.status().message().find("kv_cache_memory"), std::string::npos);
  s = KvSizing();
  s.ram_fraction = 1.5;
  EXPECT_FALSE(ResolveKvBlockCount(s, 1000, 16, 32, 4096).ok());
  s.ram_fraction = 0.01;
  const auto fraction = ResolveKvBlockCount(s, 1000, 16, 32, 4096);
  ASSERT_TRUE(fraction.ok());
  EXPECT_EQ(static_cast<uint64_t>(*fraction), static_cast<uint64_t>(ReadMemoryLimits().total * 0.01) / 16000);
  // Default: max_batch_size full contexts (when RAM allows).
  EXPECT_EQ(*ResolveKvBlockCount(KvSizing(), 4, 16, 32, 4096), 32 * 256);
}

TEST(KvSizingTest, MlaLayoutStoresLatentPlusRopeKeyPerLayer) {
  // DeepSeek-V2-Lite: 27 layers of 512 latent + 64 rope values, no V.
  KvLayout mla;
  mla.n_layer = 27;
  mla.k_width = 576;
  EXPECT_EQ(KvBytesPerToken(mla, DType::kF16), 27u * 576 * 2);
  KvLayout dense;
  dense.n_layer = 2;
  dense.k_width = 128;
  dense.v_width = 128;
  EXPECT_EQ(KvBytesPerToken(dense, DType::kF32), 2u * 256 * 4);
}

}  // namespace
}  // namespace dsinfer::engine
