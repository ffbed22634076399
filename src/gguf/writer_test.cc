#include "gguf/writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <numeric>

#include "gguf/reader.h"
#include "gguf/test_bytes.h"

namespace dsinfer::gguf {
namespace {

using testing::ScopedTempDir;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + seed);
  return v;
}

// One value of every type, including nested arrays and extreme values.
std::vector<std::pair<std::string, GgufValue>> EveryValueType() {
  return {
      {"v.u8", GgufValue::U8(255)},
      {"v.i8", GgufValue::I8(-128)},
      {"v.u16", GgufValue::U16(65535)},
      {"v.i16", GgufValue::I16(-32768)},
      {"v.u32", GgufValue::U32(4000000000u)},
      {"v.i32", GgufValue::I32(std::numeric_limits<int32_t>::min())},
      {"v.f32", GgufValue::F32(-1.25f)},
      {"v.f32.nan", GgufValue::F32(std::numeric_limits<float>::quiet_NaN())},
      {"v.bool", GgufValue::Bool(true)},
      {"v.str", GgufValue::Str("h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c")},
      {"v.str.empty", GgufValue::Str("")},
      {"v.u64", GgufValue::U64(std::numeric_limits<uint64_t>::max())},
      {"v.i64", GgufValue::I64(std::numeric_limits<int64_t>::min())},
      {"v.f64", GgufValue::F64(3.141592653589793)},
      {"v.arr.u8", GgufValue::Array(ValueType::kUint8, {GgufValue::U8(1), GgufValue::U8(2)})},
      {"v.arr.i8", GgufValue::Array(ValueType::kInt8, {GgufValue::I8(-1)})},
      {"v.arr.u16", GgufValue::Array(ValueType::kUint16, {GgufValue::U16(3)})},
      {"v.arr.i16", GgufValue::Array(ValueType::kInt16, {GgufValue::I16(-3)})},
      {"v.arr.u32", GgufValue::U32Array({1, 2, 3})},
      {"v.arr.i32", GgufValue::I32Array({-1, 0, 1})},
      {"v.arr.f32", GgufValue::F32Array({0.5f, -0.0f})},
      {"v.arr.bool", GgufValue::Array(ValueType::kBool, {GgufValue::Bool(false)})},
      {"v.arr.str", GgufValue::StrArray({"<s>", "", "\xe2\x96\x81the"})},
      {"v.arr.u64", GgufValue::Array(ValueType::kUint64, {GgufValue::U64(1ull << 40)})},
      {"v.arr.i64", GgufValue::Array(ValueType::kInt64, {GgufValue::I64(-(1ll << 40))})},
      {"v.arr.f64", GgufValue::Array(ValueType::kFloat64, {GgufValue::F64(1e300)})},
      {"v.arr.empty", GgufValue::Array(ValueType::kString, {})},
      {"v.arr.nested",
       GgufValue::Array(ValueType::kArray,
                        {GgufValue::I32Array({1, 2}), GgufValue::StrArray({"x"}),
                         GgufValue::Array(ValueType::kArray, {GgufValue::U32Array({})})})},
  };
}

TEST(GgufWriterTest, RoundTripsEveryValueTypeInInsertionOrder) {
  ScopedTempDir dir;
  const std::string path = dir.File("values.gguf");
  GgufWriter w(path);
  const auto values = EveryValueType();
  for (const auto& [key, value] : values) w.SetMetadata(key, value);
  ASSERT_TRUE(w.Finish().ok());

  Expected<GgufFile> f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->version(), 3u);
  ASSERT_EQ(f->metadata().size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(f->metadata()[i].key, values[i].first);
    EXPECT_EQ(f->metadata()[i].value, values[i].second)
        << values[i].first << ": " << f->metadata()[i].value.ToString();
  }
  EXPECT_TRUE(f->tensors().empty());
}

TEST(GgufWriterTest, SetMetadataReplacesExistingKeyInPlace) {
  ScopedTempDir dir;
  const std::string path = dir.File("replace.gguf");
  GgufWriter w(path);
  w.SetMetadata("a", GgufValue::U32(1));
  w.SetMetadata("b", GgufValue::U32(2));
  w.SetMetadata("a", GgufValue::Str("again"));
  ASSERT_TRUE(w.Finish().ok());
  Expected<GgufFile> f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->metadata().size(), 2u);
  EXPECT_EQ(f->metadata()[0].key, "a");
  EXPECT_EQ(f->metadata()[0].value, GgufValue::Str("again"));
  EXPECT_EQ(f->metadata()[1].key, "b");
}

class GgufWriterAlignmentTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(GgufWriterAlignmentTest, TensorsArePaddedToTheAlignmentAndReadBack) {
  const uint32_t alignment = GetParam();
  ScopedTempDir dir;
  const std::string path = dir.File("aligned.gguf");
  GgufWriter w(path);
  w.SetMetadata("general.architecture", GgufValue::Str("llama"));
  if (alignment != 32) w.SetMetadata("general.alignment", GgufValue::U32(alignment));
  struct Spec {
    std::string name;
    DType type;
    std::vector<int64_t> ne;
    uint64_t nbytes;
  };
  const std::vector<Spec> specs = {
      {"t.f32", DType::kF32, {3}, 12},          {"t.q8", DType::kQ8_0, {64, 3}, 2 * 34 * 3},
      {"t.empty", DType::kF16, {0, 4}, 0},      {"t.q4k", DType::kQ4_K, {256, 1, 2}, 144 * 2},
      {"t.f16", DType::kF16, {5, 1, 1, 3}, 30},
  };
  for (const Spec& s : specs) ASSERT_TRUE(w.AddTensor(s.name, s.type, s.ne).ok()) << s.name;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto data = Pattern(specs[i].nbytes, static_cast<uint8_t>(i));
    Status st = w.WriteTensorData(specs[i].name, data.data(), data.size());
    ASSERT_TRUE(st.ok()) << st.message();
  }
  ASSERT_TRUE(w.Finish().ok());

  Expected<GgufFile> f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->alignment(), alignment);
  ASSERT_EQ(f->tensors().size(), specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorInfo& t = f->tensors()[i];
    EXPECT_EQ(t.name, specs[i].name);
    EXPECT_EQ(t.type, specs[i].type);
    EXPECT_EQ(t.n_dims, specs[i].ne.size());
    EXPECT_EQ(t.nbytes, specs[i].nbytes);
    EXPECT_EQ(t.offset % alignment, 0u);
    EXPECT_EQ(t.file_offset % alignment, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % std::min<uint32_t>(alignment, 4096), 0u);
    auto data = Pattern(specs[i].nbytes, static_cast<uint8_t>(i));
    EXPECT_EQ(std::vector<uint8_t>(t.data, t.data + t.nbytes), data) << t.name;
  }
  EXPECT_EQ(f->FindTensor("t.q4k")->ShapeString(), "[256, 1, 2]");
  // The file ends with the last tensor padded to the alignment.
  EXPECT_EQ(std::filesystem::file_size(path) % alignment, 0u);
}

INSTANTIATE_TEST_SUITE_P(Alignments, GgufWriterAlignmentTest,
                         ::testing::Values(1u, 8u, 32u, 64u, 4096u));

TEST(GgufWriterTest, StreamsATensorInPieces) {
  ScopedTempDir dir;
  const std::string path = dir.File("stream.gguf");
  GgufWriter w(path);
  ASSERT_TRUE(w.AddTensor("rows", DType::kF32, {4, 3}).ok());
  ASSERT_TRUE(w.AddTensor("tail", DType::kF32, {1}).ok());
  auto data = Pattern(48, 3);
  ASSERT_TRUE(w.BeginTensor("rows").ok());
  for (int row = 0; row < 3; ++row) ASSERT_TRUE(w.AppendTensorData(&data[row * 16], 16).ok());
  ASSERT_TRUE(w.WriteTensorData("tail", data.data(), 4).ok());
  // The file appears under its name only after Finish().
  EXPECT_FALSE(std::filesystem::exists(path));
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  Expected<GgufFile> f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  const TensorInfo* rows = f->FindTensor("rows");
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(rows->data, rows->data + 48), data);
}

TEST(GgufWriterTest, RejectsWrongByteCounts) {
  ScopedTempDir dir;
  GgufWriter w(dir.File("bytes.gguf"));
  ASSERT_TRUE(w.AddTensor("t", DType::kF32, {4}).ok());
  auto data = Pattern(32, 0);
  Status st = w.WriteTensorData("t", data.data(), 12);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("tensor 't' is 16 bytes, got 12"), std::string::npos) << st.message();
  ASSERT_TRUE(w.BeginTensor("t").ok());
  ASSERT_TRUE(w.AppendTensorData(data.data(), 8).ok());
  st = w.AppendTensorData(data.data(), 9);
  EXPECT_NE(st.message().find("too many"), std::string::npos) << st.message();
  ASSERT_TRUE(w.AppendTensorData(data.data(), 8).ok());
  EXPECT_TRUE(w.Finish().ok());
}

TEST(GgufWriterTest, RejectsTensorsOutOfOrder) {
  ScopedTempDir dir;
  GgufWriter w(dir.File("order.gguf"));
  ASSERT_TRUE(w.AddTensor("first", DType::kF32, {1}).ok());
  ASSERT_TRUE(w.AddTensor("second", DType::kF32, {1}).ok());
  float x = 1;
  Status st = w.WriteTensorData("second", &x, 4);
  EXPECT_NE(st.message().find("declaration order: expected 'first', got 'second'"),
            std::string::npos)
      << st.message();
  ASSERT_TRUE(w.BeginTensor("first").ok());
  st = w.BeginTensor("second");
  EXPECT_NE(st.message().find("has only 0 of 4 bytes"), std::string::npos) << st.message();
  EXPECT_NE(w.WriteTensorData("missing", &x, 4).message().find("not declared"), std::string::npos);
}

TEST(GgufWriterTest, FinishBeforeAllTensorsIsAnErrorAndLeavesNoFile) {
  ScopedTempDir dir;
  const std::string path = dir.File("early.gguf");
  {
    GgufWriter w(path);
    ASSERT_TRUE(w.AddTensor("a", DType::kF32, {1}).ok());
    ASSERT_TRUE(w.AddTensor("b", DType::kF32, {1}).ok());
    float x = 1;
    ASSERT_TRUE(w.WriteTensorData("a", &x, 4).ok());
    Status st = w.Finish();
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find("Finish() before tensor 'b' (2 of 2)"), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find(path), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(GgufWriterTest, RejectsInvalidDeclarations) {
  ScopedTempDir dir;
  GgufWriter w(dir.File("decl.gguf"));
  EXPECT_FALSE(w.AddTensor("", DType::kF32, {1}).ok());
  EXPECT_FALSE(w.AddTensor(std::string(64, 'x'), DType::kF32, {1}).ok());
  EXPECT_TRUE(w.AddTensor(std::string(63, 'x'), DType::kF32, {1}).ok());
  EXPECT_FALSE(w.AddTensor("bad\xff", DType::kF32, {1}).ok());
  EXPECT_FALSE(w.AddTensor("dims0", DType::kF32, {}).ok());
  EXPECT_FALSE(w.AddTensor("dims5", DType::kF32, {1, 1, 1, 1, 1}).ok());
  EXPECT_FALSE(w.AddTensor("neg", DType::kF32, {-1}).ok());
  EXPECT_FALSE(w.AddTensor("huge", DType::kF32, {1ll << 62, 4}).ok());
  Status st = w.AddTensor("q", DType::kQ4_0, {33});
  EXPECT_NE(st.message().find("ne0 33 is not a multiple of the block size 32 of Q4_0"),
            std::string::npos)
      << st.message();
  ASSERT_TRUE(w.AddTensor("ok", DType::kF32, {2}).ok());
  EXPECT_NE(w.AddTensor("ok", DType::kF32, {2}).message().find("declared twice"),
            std::string::npos);
}

TEST(GgufWriterTest, DeclarationsAfterDataStartedAreErrors) {
  ScopedTempDir dir;
  GgufWriter w(dir.File("late.gguf"));
  ASSERT_TRUE(w.AddTensor("a", DType::kF32, {1}).ok());
  float x = 1;
  ASSERT_TRUE(w.WriteTensorData("a", &x, 4).ok());
  EXPECT_FALSE(w.AddTensor("b", DType::kF32, {1}).ok());
  w.SetMetadata("late", GgufValue::U32(1));
  Status st = w.Finish();
  EXPECT_NE(st.message().find("SetMetadata(late) after tensor data started"), std::string::npos)
      << st.message();
}

TEST(GgufWriterTest, InvalidAlignmentIsReportedByTheNextCall) {
  ScopedTempDir dir;
  {
    GgufWriter w(dir.File("a48.gguf"));
    w.SetMetadata("general.alignment", GgufValue::U32(48));
    Status st = w.Finish();
    EXPECT_NE(st.message().find("general.alignment 48 is not a power of two"), std::string::npos)
        << st.message();
  }
  {
    GgufWriter w(dir.File("ai32.gguf"));
    w.SetMetadata("general.alignment", GgufValue::I32(32));
    Status st = w.AddTensor("a", DType::kF32, {1});
    EXPECT_NE(st.message().find("general.alignment has type i32, expected u32"), std::string::npos)
        << st.message();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.File("a48.gguf")));
}

TEST(GgufWriterTest, CallsAfterFinishAreErrors) {
  ScopedTempDir dir;
  GgufWriter w(dir.File("done.gguf"));
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_NE(w.Finish().message().find("already finished"), std::string::npos);
  EXPECT_FALSE(w.AddTensor("a", DType::kF32, {1}).ok());
}

TEST(GgufWriterTest, UnwritableDirectoryIsAnIoError) {
  GgufWriter w("/nonexistent-dir-for-dsinfer/x.gguf");
  Status st = w.Finish();
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("/nonexistent-dir-for-dsinfer/x.gguf"), std::string::npos);
}

}  // namespace
}  // namespace dsinfer::gguf
