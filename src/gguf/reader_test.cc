#include "gguf/reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gguf/test_bytes.h"
#include "gguf/writer.h"

namespace dsinfer::gguf {
namespace {

using testing::GgufBytes;
using testing::ScopedTempDir;
namespace tb = testing;

constexpr uint32_t kF32Id = 0;
constexpr uint32_t kQ8_0Id = 8;

// A small valid v`version` file: 2 KVs, tensors a (F32 [8], 32 bytes) and b (Q8_0 [32, 2],
// 68 bytes) with pattern data, alignment 32. `data_end` receives the end of b's data.
std::string SmallModel(uint32_t version = 3, size_t* data_end = nullptr) {
  GgufBytes b;
  b.Header(version, 2, 2);
  b.KvStr("general.architecture", "llama");
  b.KvU32("llama.block_count", 2);
  b.TensorInfo("a", {8}, kF32Id, 0);
  b.TensorInfo("b", {32, 2}, kQ8_0Id, 32);
  b.PadTo(32);
  b.Fill(32, 1).Fill(68, 2);
  if (data_end != nullptr) *data_end = b.size();
  b.PadTo(32);
  return b.bytes();
}

// Checks the contract every error message keeps: one line, names the file.
void ExpectOneLineNamingFile(const Status& s, const std::string& name) {
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  EXPECT_EQ(s.message().rfind(name, 0), 0u) << s.message();
}

TEST(GgufReaderTest, OpensHandWrittenV2AndV3Files) {
  for (uint32_t version : {2u, 3u}) {
    ScopedTempDir dir;
    const std::string path = dir.File("v.gguf");
    ASSERT_TRUE(GgufBytes().Raw(SmallModel(version)).WriteTo(path));
    Expected<GgufFile> f = GgufFile::Open(path);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ(f->version(), version);
    EXPECT_EQ(f->alignment(), 32u);
    EXPECT_EQ(f->split_count(), 1u);
    EXPECT_EQ(f->file_bytes(), std::filesystem::file_size(path));
    EXPECT_EQ(f->path(), path);
    ASSERT_EQ(f->tensors().size(), 2u);
    const TensorInfo* b = f->FindTensor("b");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->type, DType::kQ8_0);
    EXPECT_EQ(b->n_dims, 2u);
    EXPECT_EQ(b->ne[0], 32);
    EXPECT_EQ(b->ne[1], 2);
    EXPECT_EQ(b->ne[2], 1);
    EXPECT_EQ(b->n_elements(), 64);
    EXPECT_EQ(b->n_rows(), 2);
    EXPECT_EQ(b->nbytes, 68u);
    EXPECT_EQ(b->offset, 32u);
    EXPECT_EQ(b->ShapeString(), "[32, 2]");
    std::string expected = GgufBytes().Fill(68, 2).bytes();
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b->data), 68), expected);
    EXPECT_EQ(f->FindTensor("missing"), nullptr);
  }
}

TEST(GgufReaderTest, OpenFromMemoryMatchesOpen) {
  std::string bytes = SmallModel();
  Expected<GgufFile> f = GgufFile::OpenFromMemory("mem.gguf", bytes);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->tensors().size(), 2u);
  EXPECT_EQ(f->file_bytes(), bytes.size());
  EXPECT_EQ(f->tensors()[0].data[0], static_cast<uint8_t>(bytes[f->tensors()[0].file_offset]));
  // The GgufFile owns a copy: pointers stay valid after a move.
  GgufFile moved = std::move(*f);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(moved.tensors()[1].data), 68),
            GgufBytes().Fill(68, 2).bytes());
}

TEST(GgufReaderTest, TypedGettersAreStrictAboutTypes) {
  Expected<GgufFile> f = GgufFile::OpenFromMemory("m.gguf", SmallModel());
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(*f->GetU32("llama.block_count"), 2u);
  EXPECT_EQ(*f->GetString("general.architecture"), "llama");
  Expected<float> wrong = f->GetF32("llama.block_count");
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message(), "m.gguf: key llama.block_count has type u32, expected f32");
  Expected<bool> missing = f->GetBool("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "m.gguf: key not found: nope");
  EXPECT_EQ(*f->GetU32Or("nope", 7), 7u);
  EXPECT_EQ(*f->GetF32Or("nope", 1.5f), 1.5f);
  EXPECT_EQ(*f->GetBoolOr("nope", true), true);
  EXPECT_EQ(*f->GetStringOr("nope", "x"), "x");
  EXPECT_FALSE(f->GetStringOr("llama.block_count", "x").ok());
  EXPECT_EQ(*f->GetU32Or("llama.block_count", 7), 2u);
  ASSERT_NE(f->Find("general.architecture"), nullptr);
  EXPECT_EQ(f->Find("nope"), nullptr);
}

TEST(GgufReaderTest, MissingFileIsNotFound) {
  Expected<GgufFile> f = GgufFile::Open("/nonexistent/model.gguf");
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  ExpectOneLineNamingFile(f.status(), "/nonexistent/model.gguf");
}

std::string NestedArrayModel(int levels) {
  GgufBytes b;
  b.Header(3, 0, 1).Key("nested", tb::kTypeArr);
  for (int i = 1; i < levels; ++i) b.U32(tb::kTypeArr).U64(1);
  b.U32(tb::kTypeI32).U64(2).I32(5).I32(6);
  return b.bytes();
}

TEST(GgufReaderTest, AcceptsArraysNestedEightDeepAndRejectsNine) {
  Expected<GgufFile> f = GgufFile::OpenFromMemory("n.gguf", NestedArrayModel(8));
  ASSERT_TRUE(f.ok()) << f.status().message();
  const GgufValue* v = f->Find("nested");
  for (int i = 1; i < 8; ++i) {
    ASSERT_EQ(v->type(), ValueType::kArray);
    ASSERT_EQ(v->elem_type(), ValueType::kArray);
    v = &v->as_array()[0];
  }
  EXPECT_EQ(*v, GgufValue::I32Array({5, 6}));
  Expected<GgufFile> deep = GgufFile::OpenFromMemory("n.gguf", NestedArrayModel(9));
  ExpectOneLineNamingFile(deep.status(), "n.gguf");
  EXPECT_NE(deep.status().message().find("nested deeper than 8"), std::string::npos);
}

TEST(GgufReaderTest, IsAsLenientAsLlamaCpp) {
  // No tensors: no padding after the header is needed.
  GgufBytes empty;
  empty.Header(3, 0, 1).KvStr("general.name", "x");
  EXPECT_TRUE(GgufFile::OpenFromMemory("e.gguf", empty.bytes()).ok());
  // The last tensor need not be followed by padding; bool bytes other than 0/1 are true;
  // types dsinfer cannot compute with are listed; empty tensor names and 0-d tensors are fine.
  GgufBytes b;
  b.Header(3, 3, 1).Key("flag", tb::kTypeBool).U8(2);
  b.TensorInfo("", {}, kF32Id, 0);
  b.TensorInfo("iq", {256}, 16, 32);  // IQ2_XXS: 66 bytes
  b.TensorInfo("last", {3}, kF32Id, 128);
  b.PadTo(32).Fill(32).Fill(96).Fill(12);
  Expected<GgufFile> f = GgufFile::OpenFromMemory("l.gguf", b.bytes());
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(f->Find("flag")->as_bool());
  EXPECT_EQ(f->tensors()[0].nbytes, 4u);
  EXPECT_EQ(f->tensors()[0].ShapeString(), "[]");
  EXPECT_EQ(f->tensors()[1].type, DType::kIQ2_XXS);
  EXPECT_EQ(f->tensors()[1].nbytes, 66u);
}

TEST(GgufReaderTest, EveryTruncationIsAnErrorNotACrash) {
  size_t data_end = 0;
  const std::string full = SmallModel(3, &data_end);
  for (size_t n = 0; n < data_end; ++n) {
    Expected<GgufFile> f = GgufFile::OpenFromMemory("t.gguf", full.substr(0, n));
    ASSERT_FALSE(f.ok()) << "prefix of " << n << " bytes opened";
    ExpectOneLineNamingFile(f.status(), "t.gguf");
    EXPECT_NE(f.status().message().find("truncated"), std::string::npos) << f.status().message();
  }
  // Cutting only the final padding is fine.
  EXPECT_TRUE(GgufFile::OpenFromMemory("t.gguf", full.substr(0, data_end)).ok());
}

TEST(GgufReaderTest, CorruptedBytesGiveOneLineErrors) {
  const std::string full = SmallModel();
  int errors = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    for (uint8_t value : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string bytes = full;
      bytes[i] = static_cast<char>(value);
      Expected<GgufFile> f = GgufFile::OpenFromMemory("c.gguf", bytes);
      if (f.ok()) continue;
      ++errors;
      ExpectOneLineNamingFile(f.status(), "c.gguf");
    }
  }
  EXPECT_GT(errors, 100);
}

// Writes part `no` (0-based) of a 3-part model with the writer; tensors hold pattern data.
void WritePart(const std::string& path, uint16_t no, const std::vector<std::string>& names) {
  GgufWriter w(path);
  if (no == 0) w.SetMetadata("general.architecture", GgufValue::Str("llama"));
  w.SetMetadata("split.no", GgufValue::U16(no));
  w.SetMetadata("split.count", GgufValue::U16(3));
  w.SetMetadata("split.tensors.count", GgufValue::I32(5));
  if (no == 1) w.SetMetadata("general.alignment", GgufValue::U32(64));
  for (const std::string& name : names) ASSERT_TRUE(w.AddTensor(name, DType::kF32, {5}).ok());
  for (const std::string& name : names) {
    std::string data = GgufBytes().Fill(20, static_cast<uint8_t>(name[1])).bytes();
    ASSERT_TRUE(w.WriteTensorData(name, data.data(), data.size()).ok());
  }
  ASSERT_TRUE(w.Finish().ok());
}

TEST(GgufReaderTest, OpensSplitModelFromTheFirstPart) {
  ScopedTempDir dir;
  const std::vector<std::vector<std::string>> parts = {{"t0", "t1"}, {"t2"}, {"t3", "t4"}};
  uint64_t total_bytes = 0;
  for (uint16_t no = 0; no < 3; ++no) {
    std::string path = dir.File("m-0000" + std::to_string(no + 1) + "-of-00003.gguf");
    WritePart(path, no, parts[no]);
    total_bytes += std::filesystem::file_size(path);
  }
  Expected<GgufFile> f = GgufFile::Open(dir.File("m-00001-of-00003.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->split_count(), 3u);
  EXPECT_EQ(f->file_bytes(), total_bytes);
  EXPECT_EQ(*f->GetString("general.architecture"), "llama");
  ASSERT_EQ(f->tensors().size(), 5u);
  const uint32_t expected_split[] = {0, 0, 1, 2, 2};
  for (int i = 0; i < 5; ++i) {
    const TensorInfo& t = f->tensors()[i];
    EXPECT_EQ(t.name, "t" + std::to_string(i));
    EXPECT_EQ(t.split, expected_split[i]);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(t.data), 20),
              GgufBytes().Fill(20, static_cast<uint8_t>(t.name[1])).bytes());
  }
  // Offsets are relative to each part's own data section.
  EXPECT_EQ(f->FindTensor("t2")->offset, 0u);
  EXPECT_EQ(f->FindTensor("t3")->offset, 0u);
  EXPECT_EQ(f->FindTensor("t4")->offset, 32u);

  Expected<GgufFile> second = GgufFile::Open(dir.File("m-00002-of-00003.gguf"));
  ExpectOneLineNamingFile(second.status(), dir.File("m-00002-of-00003.gguf"));
  EXPECT_NE(second.status().message().find("this is split part 2 of 3"), std::string::npos);

  std::filesystem::remove(dir.File("m-00003-of-00003.gguf"));
  Expected<GgufFile> missing = GgufFile::Open(dir.File("m-00001-of-00003.gguf"));
  ExpectOneLineNamingFile(missing.status(), dir.File("m-00001-of-00003.gguf"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("split part 3 of 3 is missing"), std::string::npos)
      << missing.status().message();

  std::string bytes;
  {
    std::ifstream in(dir.File("m-00001-of-00003.gguf"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  Expected<GgufFile> mem = GgufFile::OpenFromMemory("m-00001-of-00003.gguf", bytes);
  EXPECT_NE(mem.status().message().find("split models can only be opened from files"),
            std::string::npos);
}

// Each committed malformed file fails with its expected message (tests/malformed/README.md).
TEST(GgufReaderTest, MalformedCorpusFailsWithExpectedMessages) {
  const std::string dir = std::string(DSINFER_SOURCE_DIR) + "/tests/malformed";
  std::ifstream tsv(dir + "/expected.tsv");
  ASSERT_TRUE(tsv.good()) << "missing " << dir << "/expected.tsv";
  std::set<std::string> listed;
  std::string line;
  while (std::getline(tsv, line)) {
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string name = line.substr(0, tab);
    const std::string expected = line.substr(tab + 1);
    listed.insert(name);
    const std::string path = dir + "/" + name;
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_LE(std::filesystem::file_size(path), 4096u) << name;
    Expected<GgufFile> f = GgufFile::Open(path);
    ASSERT_FALSE(f.ok()) << name << " opened";
    ExpectOneLineNamingFile(f.status(), path);
    EXPECT_NE(f.status().message().find(expected), std::string::npos)
        << name << ": expected '" << expected << "' in: " << f.status().message();
  }
  EXPECT_GE(listed.size(), 25u);
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".gguf") {
      EXPECT_EQ(listed.count(e.path().filename().string()), 1u)
          << e.path() << " is not listed in expected.tsv";
    }
  }
}

// The golden models open, and their tensor tables equal those llama.cpp reported.
TEST(GgufReaderTest, GoldenModelsMatchTheirManifests) {
  const std::filesystem::path golden = DSINFER_GOLDEN_DIR;
  if (!std::filesystem::is_directory(golden / "models")) {
    GTEST_SKIP() << "no golden models at " << golden / "models"
                 << " (needs ../shared/golden)";
  }
  int checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(golden / "models")) {
    if (e.path().extension() != ".gguf") continue;
    SCOPED_TRACE(e.path().string());
    Expected<GgufFile> f = GgufFile::Open(e.path().string());
    ASSERT_TRUE(f.ok()) << f.status().message();
    const std::filesystem::path manifest_path = golden / e.path().stem() / "manifest.json";
    if (!std::filesystem::exists(manifest_path)) continue;
    std::ifstream in(manifest_path);
    nlohmann::json manifest = nlohmann::json::parse(in);
    EXPECT_EQ(f->file_bytes(), manifest["model_bytes"].get<uint64_t>());
    const auto& tensors = manifest["tensors"];
    ASSERT_EQ(f->tensors().size(), tensors.size());
    std::ifstream raw(e.path(), std::ios::binary);
    for (size_t i = 0; i < tensors.size(); ++i) {
      const TensorInfo& t = f->tensors()[i];
      const auto& m = tensors[i];
      EXPECT_EQ(t.name, m["name"].get<std::string>());
      EXPECT_EQ(DTypeName(t.type), m["type"].get<std::string>()) << t.name;
      std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
      EXPECT_EQ(ne, m["ne"].get<std::vector<int64_t>>()) << t.name;
      EXPECT_EQ(t.nbytes, m["n_bytes"].get<uint64_t>()) << t.name;
      EXPECT_EQ(t.file_offset, m["file_offset"].get<uint64_t>()) << t.name;
      // The zero-copy pointer shows the bytes at that offset of the file.
      std::string head(std::min<uint64_t>(t.nbytes, 64), '\0');
      raw.seekg(static_cast<std::streamoff>(t.file_offset));
      raw.read(head.data(), static_cast<std::streamsize>(head.size()));
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(t.data), head.size()), head) << t.name;
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace dsinfer::gguf
