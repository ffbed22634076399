// JSON <-> Value and the Python text formatting the interpreter relies on.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "chat/jinja/json.h"
#include "chat/jinja/text_util.h"
#include "chat/jinja/value_ops.h"

namespace dsinfer::jinja {
namespace {

TEST(JsonTest, ParseKeepsKeyOrderAndNumberKinds) {
  Expected<Value> v = ParseJson(R"({"z": 1, "a": [1.0, 2, "x", null, true], "m": {}})");
  ASSERT_TRUE(v.ok()) << v.status().message();
  const ValueDict& d = v->as_dict();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.entries()[0].first, "z");
  EXPECT_EQ(d.entries()[1].first, "a");
  const ValueList& a = d.Find("a")->as_list();
  EXPECT_TRUE(a[0].is_float());
  EXPECT_TRUE(a[1].is_int());
  EXPECT_TRUE(a[3].is_none());
  EXPECT_EQ(*ToJson(*v), R"({"z": 1, "a": [1.0, 2, "x", null, true], "m": {}})");
}

TEST(JsonTest, RoundTripsUnicodeAndEscapes) {
  Expected<Value> v = ParseJson(R"(["héllo 😀", "tab\tquote\"back\\slash\u0001"])");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*ToJson(*v), "[\"héllo 😀\", \"tab\\tquote\\\"back\\\\slash\\u0001\"]");
  JsonFormat ascii;
  ascii.ensure_ascii = true;
  EXPECT_EQ(*ToJson(Value::String("é😀"), ascii), "\"\\u00e9\\ud83d\\ude00\"");
}

TEST(JsonTest, ErrorsNameThePosition) {
  Expected<Value> v = ParseJson("{\"a\": }");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("invalid JSON"), std::string::npos);
  EXPECT_NE(v.status().message().find("column 7"), std::string::npos) << v.status().message();
  EXPECT_FALSE(ParseJson(std::string(100000, '[')).ok());
  EXPECT_FALSE(ToJson(Value()).ok());
}

TEST(JsonTest, LargeIntegersBecomeFloats) {
  Expected<Value> v = ParseJson("[9223372036854775807, 18446744073709551615, -5]");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->as_list()[0].is_int());
  EXPECT_TRUE(v->as_list()[1].is_float());
  EXPECT_EQ(v->as_list()[2].as_int(), -5);
}

TEST(PythonFormatTest, FloatsPrintAsPythonRepr) {
  EXPECT_EQ(FormatPythonFloat(1.0), "1.0");
  EXPECT_EQ(FormatPythonFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatPythonFloat(1e16), "1e+16");
  EXPECT_EQ(FormatPythonFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatPythonFloat(1.5e-5), "1.5e-05");
  EXPECT_EQ(FormatPythonFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatPythonFloat(-0.0), "-0.0");
  EXPECT_EQ(FormatPythonFloat(123456789.125), "123456789.125");
  EXPECT_EQ(FormatPythonFloat(1e300 * 1e300), "inf");
  EXPECT_EQ(FormatPythonFloat(std::nan("")), "nan");
}

TEST(PythonFormatTest, StringReprChoosesQuotes) {
  EXPECT_EQ(PythonStringRepr("abc"), "'abc'");
  EXPECT_EQ(PythonStringRepr("it's"), "\"it's\"");
  EXPECT_EQ(PythonStringRepr("it's \"q\""), "'it\\'s \"q\"'");
  EXPECT_EQ(PythonStringRepr("a\nb\x01"), "'a\\nb\\x01'");
}

TEST(PythonFormatTest, CodePointsOfInvalidUtf8CountOneEach) {
  EXPECT_EQ(CodePointCount("h\xC3\xA9llo"), 5u);
  EXPECT_EQ(CodePointCount("\xFF\xC3"), 2u);
  Expected<Value> sliced =
      GetSlice(Value::String("\xFF\xC3\xA9x"), Value::Int(1), std::nullopt, std::nullopt);
  ASSERT_TRUE(sliced.ok());
  EXPECT_EQ(sliced->as_string(), "\xC3\xA9x");
}

TEST(ValueTest, CopiesShareContainersAndNamespacesStayShared) {
  ValueDict attributes;
  attributes.Set("n", Value::Int(1));
  Value ns = Value::Namespace(attributes);
  Value copy = ns;
  copy.namespace_attributes().Set("n", Value::Int(2));
  EXPECT_EQ(ns.namespace_attributes().Find("n")->as_int(), 2);
  EXPECT_TRUE(ValuesEqual(Value::Int(1), Value::Float(1.0)));
  EXPECT_TRUE(ValuesEqual(Value::Bool(true), Value::Int(1)));
  EXPECT_FALSE(ValuesEqual(Value::List({Value::Int(1)}), Value::Tuple({Value::Int(1)})));
  EXPECT_FALSE(Value().IsTruthy());
  EXPECT_EQ(std::string(Value::None().TypeName()), "NoneType");
}

}  // namespace
}  // namespace dsinfer::jinja
