#include "gguf/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace dsinfer::gguf {
namespace {

TEST(ValueTypeNameTest, NamesEveryTypeLikeLlamaCpp) {
  const char* expected[] = {"u8",   "i8",  "u16", "i16", "u32", "i32", "f32",
                            "bool", "str", "arr", "u64", "i64", "f64"};
  for (uint32_t id = 0; id <= 12; ++id) {
    std::optional<ValueType> t = ValueTypeFromId(id);
    ASSERT_TRUE(t.has_value()) << id;
    EXPECT_STREQ(ValueTypeName(*t), expected[id]);
  }
  EXPECT_FALSE(ValueTypeFromId(13).has_value());
  EXPECT_FALSE(ValueTypeFromId(0xFFFFFFFF).has_value());
}

TEST(GgufValueTest, IntegerAccessorsConvertWithinRange) {
  EXPECT_EQ(GgufValue::U8(200).as_u64(), 200u);
  EXPECT_EQ(GgufValue::I8(-5).as_i64(), -5);
  EXPECT_EQ(GgufValue::I16(-300).as_i64(), -300);
  EXPECT_EQ(GgufValue::I32(7).as_u64(), 7u);
  EXPECT_EQ(GgufValue::U64(std::numeric_limits<uint64_t>::max()).as_u64(),
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(GgufValue::I64(std::numeric_limits<int64_t>::min()).as_i64(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(GgufValue::Bool(true).as_u64(), 1u);
  EXPECT_DOUBLE_EQ(GgufValue::I32(-3).as_f64(), -3.0);
  EXPECT_DOUBLE_EQ(GgufValue::F32(0.5f).as_f64(), 0.5);
  EXPECT_TRUE(GgufValue::U16(1).is_integer());
  EXPECT_FALSE(GgufValue::Bool(true).is_integer());
  EXPECT_TRUE(GgufValue::F64(1).is_float());
  EXPECT_FALSE(GgufValue::Str("x").is_float());
}

TEST(GgufValueDeathTest, WrongAccessorIsACheckFailure) {
  EXPECT_DEATH(GgufValue::U32(1).as_string(), "as_string on a u32");
  EXPECT_DEATH(GgufValue::Str("x").as_u64(), "as_u64 on a str");
  EXPECT_DEATH(GgufValue::I32(-1).as_u64(), "negative");
  EXPECT_DEATH(GgufValue::U64(~uint64_t{0}).as_i64(), "as_i64 on u64");
  EXPECT_DEATH(GgufValue::I32(1).as_bool(), "as_bool on a i32");
  EXPECT_DEATH(GgufValue::Array(ValueType::kInt32, {GgufValue::U8(1)}), "holds a u8");
}

TEST(GgufValueTest, ArraysKeepElementType) {
  GgufValue a = GgufValue::StrArray({"a", "b"});
  EXPECT_EQ(a.type(), ValueType::kArray);
  EXPECT_EQ(a.elem_type(), ValueType::kString);
  ASSERT_EQ(a.as_array().size(), 2u);
  EXPECT_EQ(a.as_array()[1].as_string(), "b");
  EXPECT_EQ(GgufValue::F32Array({1.5f}).as_array()[0].as_f64(), 1.5);
  EXPECT_EQ(GgufValue::U32Array({9}).elem_type(), ValueType::kUint32);
  GgufValue nested = GgufValue::Array(ValueType::kArray, {GgufValue::I32Array({1})});
  EXPECT_EQ(nested.as_array()[0].as_array()[0].as_i64(), 1);
}

TEST(GgufValueTest, TypeStringShowsArrayElementTypeAndLength) {
  EXPECT_EQ(GgufValue::U32(1).TypeString(), "u32");
  EXPECT_EQ(GgufValue::StrArray({"a", "b", "c"}).TypeString(), "arr[str,3]");
  EXPECT_EQ(GgufValue::Array(ValueType::kArray, {GgufValue::I32Array({1})}).TypeString(),
            "arr[arr[i32,1],1]");
}

TEST(GgufValueTest, ToStringFormatsScalars) {
  EXPECT_EQ(GgufValue::U8(7).ToString(), "7");
  EXPECT_EQ(GgufValue::I64(-9).ToString(), "-9");
  EXPECT_EQ(GgufValue::F32(0.1f).ToString(), "0.1");
  EXPECT_EQ(GgufValue::F64(1e-6).ToString(), "1e-06");
  EXPECT_EQ(GgufValue::Bool(false).ToString(), "false");
  EXPECT_EQ(GgufValue::Str("deepseek2").ToString(), "\"deepseek2\"");
}

TEST(GgufValueTest, ToStringEscapesAndCutsStrings) {
  EXPECT_EQ(GgufValue::Str("a\"b\\c\nd\x01").ToString(), "\"a\\\"b\\\\c\\nd\\x01\"");
  std::string s = GgufValue::Str(std::string(500, 'x')).ToString(20);
  EXPECT_LE(s.size(), 30u);
  EXPECT_EQ(s.substr(s.size() - 4), "...\"");
  EXPECT_EQ(s.find('\n'), std::string::npos);
}

TEST(GgufValueTest, ToStringAbbreviatesArrays) {
  EXPECT_EQ(GgufValue::I32Array({1, 2, 3}).ToString(), "[1, 2, 3]");
  EXPECT_EQ(GgufValue::I32Array({}).ToString(), "[]");
  std::vector<int32_t> many(1000, 5);
  std::string s = GgufValue::I32Array(many).ToString(20);
  EXPECT_EQ(s.substr(0, 7), "[5, 5, ");
  EXPECT_EQ(s.substr(s.size() - 6), ", ...]");
  EXPECT_LE(s.size(), 30u);
  EXPECT_EQ(GgufValue::StrArray({"a", "b"}).ToString(), "[\"a\", \"b\"]");
  GgufValue nested =
      GgufValue::Array(ValueType::kArray, {GgufValue::I32Array({1, 2}), GgufValue::I32Array({3})});
  EXPECT_EQ(nested.ToString(), "[[1, 2], [3]]");
}

TEST(GgufValueTest, EqualityComparesTypeAndExactBits) {
  EXPECT_EQ(GgufValue::U32(1), GgufValue::U32(1));
  EXPECT_FALSE(GgufValue::U32(1) == GgufValue::I32(1));
  EXPECT_FALSE(GgufValue::Str("a") == GgufValue::Str("b"));
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(GgufValue::F32(nan), GgufValue::F32(nan));
  EXPECT_FALSE(GgufValue::F32(0.0f) == GgufValue::F32(-0.0f));
  EXPECT_FALSE(GgufValue::I32Array({1}) == GgufValue::U32Array({1}));
  EXPECT_EQ(GgufValue::StrArray({"x"}), GgufValue::StrArray({"x"}));
}

TEST(GgufValueTest, RawBitsHoldsTheStoredPattern) {
  EXPECT_EQ(GgufValue::I8(-1).raw_bits(), ~uint64_t{0});
  EXPECT_EQ(GgufValue::F32(1.0f).raw_bits(), 0x3f800000u);
  uint64_t bits;
  double d = 2.5;
  std::memcpy(&bits, &d, 8);
  EXPECT_EQ(GgufValue::F64(d).raw_bits(), bits);
}

}  // namespace
}  // namespace dsinfer::gguf
