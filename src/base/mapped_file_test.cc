#include "base/mapped_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "base/output_file.h"

namespace dsinfer {
namespace {

std::string TempPath(const char* name) {
  return std::string(::testing::TempDir()) + "/" + name;
}

TEST(MappedFileTest, MissingFileIsNotFoundAndNamesThePath) {
  auto f = MappedFile::Open("/nonexistent/dir/model.gguf");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  EXPECT_NE(f.status().message().find("/nonexistent/dir/model.gguf"), std::string::npos);
}

TEST(MappedFileTest, DirectoryIsRejected) {
  auto f = MappedFile::Open("/tmp");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("not a regular file"), std::string::npos);
}

TEST(MappedFileTest, OutputFileRoundTripsThroughMapping) {
  const std::string path = TempPath("roundtrip.bin");
  {
    auto out = OutputFile::Create(path);
    ASSERT_TRUE(out.ok()) << out.status().message();
    ASSERT_TRUE(out->Write("abc", 3).ok());
    ASSERT_TRUE(out->PadTo(8).ok());
    EXPECT_EQ(out->Tell(), 8u);
    std::string big(10 << 20, 'x');  // larger than the buffer
    ASSERT_TRUE(out->Write(big.data(), big.size()).ok());
    ASSERT_TRUE(out->Commit().ok());
  }
  auto f = MappedFile::Open(path);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 8u + (10u << 20));
  EXPECT_EQ(f->data()[0], 'a');
  EXPECT_EQ(f->data()[3], 0);
  EXPECT_EQ(f->data()[8], 'x');
  EXPECT_EQ(f->data()[f->size() - 1], 'x');
  std::remove(path.c_str());
}

TEST(MappedFileTest, UncommittedOutputLeavesNoFile) {
  const std::string path = TempPath("abandoned.bin");
  {
    auto out = OutputFile::Create(path);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(out->Write("abc", 3).ok());
  }
  EXPECT_FALSE(MappedFile::Open(path).ok());
  EXPECT_FALSE(MappedFile::Open(path + ".tmp").ok());
}

}  // namespace
}  // namespace dsinfer
