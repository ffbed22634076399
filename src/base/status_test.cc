#include "base/status.h"

#include <gtest/gtest.h>

namespace dsinfer {
namespace {

Expected<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgument("value must be positive, got " + std::to_string(v));
  return v;
}

Status UsesMacros(int v, int* out) {
  DSINFER_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  *out = x * 2;
  return Status::Ok();
}

TEST(StatusTest, OkAndErrorCarryCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = DataLoss("file.gguf: truncated");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.WithPrefix("loading").message(), "loading: file.gguf: truncated");
}

TEST(StatusTest, ExpectedPropagatesThroughMacros) {
  int out = 0;
  EXPECT_TRUE(UsesMacros(4, &out).ok());
  EXPECT_EQ(out, 8);
  Status s = UsesMacros(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("positive"), std::string::npos);
}

TEST(StatusDeathTest, ValueOfErrorIsAProgrammerError) {
  Expected<int> e = NotFound("x");
  EXPECT_DEATH((void)e.value(), "CHECK failed");
}

}  // namespace
}  // namespace dsinfer
