// Errors of the template interpreter: parse-time rejection of unsupported constructs and
// syntax errors, runtime errors, all positioned ("chat template line L, column C: ..."), and
// hostile templates that must fail cleanly instead of exhausting the stack or memory.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "chat/jinja/jinja_test_util.h"

namespace dsinfer::jinja {
namespace {

std::string ParseError(const std::string& source) {
  Expected<Template> t = Template::Parse(source);
  EXPECT_FALSE(t.ok()) << "parsed: " << source;
  return t.ok() ? "" : t.status().message();
}

std::string RenderError(const std::string& source, const std::string& vars_json = "") {
  Expected<Template> t = Template::Parse(source);
  EXPECT_TRUE(t.ok()) << t.status().message();
  if (!t.ok()) return "";
  ValueDict vars;
  if (!vars_json.empty()) vars = ParseJson(vars_json)->as_dict();
  Expected<std::string> out = t->Render(vars);
  EXPECT_FALSE(out.ok()) << "rendered: " << *out;
  return out.ok() ? "" : out.status().message();
}

TEST(JinjaParseErrorTest, UnsupportedFilterIsNamedWithItsPosition) {
  EXPECT_EQ(ParseError("{{ x | wordcount }}"),
            "chat template line 1, column 8: unsupported filter 'wordcount'");
}

TEST(JinjaParseErrorTest, UnsupportedTestIsNamedOnItsLine) {
  EXPECT_EQ(ParseError("line one\n{% if x %}\n  {{ y is frobnicated }}\n{% endif %}"),
            "chat template line 3, column 11: unsupported test 'frobnicated'");
}

TEST(JinjaParseErrorTest, UnsupportedTagsAreNamed) {
  EXPECT_EQ(ParseError("{% include 'other.jinja' %}"),
            "chat template line 1, column 4: unsupported tag 'include'");
  EXPECT_EQ(ParseError("a\n{% call m() %}x{% endcall %}"),
            "chat template line 2, column 4: unsupported tag 'call'");
  EXPECT_EQ(ParseError("{% frobnicate %}"),
            "chat template line 1, column 4: unknown tag 'frobnicate'");
  EXPECT_EQ(ParseError("{% for x in y recursive %}{% endfor %}"),
            "chat template line 1, column 15: unsupported construct 'recursive' loop");
  EXPECT_EQ(ParseError("{{ f(*args) }}"),
            "chat template line 1, column 6: unsupported construct: '*' arguments");
}

TEST(JinjaParseErrorTest, UnclosedAndStrayBlocks) {
  EXPECT_EQ(ParseError("{% for x in y %}\n{{ x }}"),
            "chat template line 2, column 8: unexpected end of template: 'for' is not closed "
            "(looking for 'endfor' or 'else')");
  EXPECT_EQ(ParseError("{% if a %}x{% endfor %}"),
            "chat template line 1, column 15: unexpected 'endfor' (no open block it could close)");
  EXPECT_EQ(ParseError("{% endif %}"),
            "chat template line 1, column 4: unexpected 'endif' (no open block it could close)");
  EXPECT_EQ(ParseError("{% break %}"),
            "chat template line 1, column 4: 'break' outside of a for loop");
  EXPECT_EQ(ParseError("{% for x in y %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}"),
            "chat template line 1, column 35: 'continue' outside of a for loop");
}

TEST(JinjaParseErrorTest, LexicalErrors) {
  EXPECT_EQ(ParseError("{{ 'abc }}"),
            "chat template line 1, column 4: unterminated string literal");
  EXPECT_EQ(ParseError("ok\n  {{ a ? b }}"),
            "chat template line 2, column 8: unexpected character '?'");
  EXPECT_EQ(ParseError("{{ x"),
            "chat template line 1, column 1: unexpected end of template: missing '}}'");
  EXPECT_EQ(ParseError("{# never closed"),
            "chat template line 1, column 3: unterminated comment: missing '#}'");
  EXPECT_EQ(ParseError("{{ (a ] }}"),
            "chat template line 1, column 7: unexpected ']', expected ')'");
  EXPECT_EQ(ParseError("{{ '\\x4' }}"),
            "chat template line 1, column 4: truncated \\x escape in string");
}

TEST(JinjaParseErrorTest, SyntaxErrors) {
  EXPECT_EQ(ParseError("{{ }}"),
            "chat template line 1, column 4: expected an expression, got end of print statement");
  EXPECT_EQ(ParseError("{% if %}{% endif %}"),
            "chat template line 1, column 7: expected an expression, got end of statement block");
  EXPECT_EQ(ParseError("{{ a b }}"),
            "chat template line 1, column 6: expected end of print statement, got 'b'");
  EXPECT_EQ(ParseError("{% set x %}"),
            "chat template line 1, column 12: unexpected end of template: 'set' is not closed "
            "(looking for 'endset')");
  EXPECT_EQ(ParseError("{% macro m(a=1, b) %}{% endmacro %}"),
            "chat template line 1, column 17: non-default argument follows default argument");
  EXPECT_EQ(ParseError("{{ f(a=1, 2) }}"),
            "chat template line 1, column 11: positional argument follows keyword argument");
}

TEST(JinjaRuntimeErrorTest, TypeErrorsArePositionedAtTheOperator) {
  EXPECT_EQ(RenderError("{{ 'a' + 1 }}"),
            "chat template line 1, column 8: can only concatenate str (not \"int\") to str");
  EXPECT_EQ(RenderError("\n\n{{ x + 'a' }}", R"({"x": {"k": 1}})"),
            "chat template line 3, column 6: unsupported operand type(s) for +: 'dict' and 'str'");
  EXPECT_EQ(
      RenderError("{{ 1 < 'a' }}"),
      "chat template line 1, column 4: '<' not supported between instances of 'int' and 'str'");
  EXPECT_EQ(RenderError("{{ 1 // 0 }}"),
            "chat template line 1, column 6: integer division or modulo by zero");
  EXPECT_EQ(RenderError("{% for x in 5 %}{% endfor %}"),
            "chat template line 1, column 13: 'int' object is not iterable");
}

TEST(JinjaRuntimeErrorTest, UndefinedValuesFailOnlyWhenUsedAsValues) {
  EXPECT_EQ(RenderError("{{ foo.bar }}"), "chat template line 1, column 8: 'foo' is undefined");
  EXPECT_EQ(RenderError("{{ foo['bar'] }}"), "chat template line 1, column 7: 'foo' is undefined");
  EXPECT_EQ(RenderError("{{ foo() }}"), "chat template line 1, column 4: 'foo' is undefined");
  EXPECT_EQ(RenderError("{{ d.a.b }}", R"({"d": {}})"),
            "chat template line 1, column 8: 'dict object' has no attribute 'a'");
  EXPECT_EQ(RenderError("{{ 'x' + missing }}"),
            "chat template line 1, column 8: 'missing' is undefined");
  EXPECT_EQ(RenderError("{{ missing | tojson }}"),
            "chat template line 1, column 14: Object of type Undefined is not JSON serializable");
}

TEST(JinjaRuntimeErrorTest, RaiseExceptionCarriesTheTemplateMessage) {
  EXPECT_EQ(RenderError("{% if true %}\n  {{ raise_exception('Only user and assistant roles are "
                        "supported!') }}\n{% endif %}"),
            "chat template line 2, column 6: raise_exception: Only user and assistant roles are "
            "supported!");
}

TEST(JinjaRuntimeErrorTest, CallErrors) {
  EXPECT_EQ(RenderError("{{ 5() }}"),
            "chat template line 1, column 4: 'int' object is not callable");
  EXPECT_EQ(RenderError("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
            "chat template line 1, column 34: macro 'm' takes not more than 1 argument(s)");
  EXPECT_EQ(RenderError("{% macro m(a) %}{% endmacro %}{{ m(b=2) }}"),
            "chat template line 1, column 34: macro 'm' takes no keyword argument 'b'");
  EXPECT_EQ(RenderError("{{ 'abc'.nosuchmethod() }}"),
            "chat template line 1, column 10: 'str object' has no attribute 'nosuchmethod'");
  EXPECT_EQ(RenderError("{% set x = 1 %}{% set x.y = 2 %}"),
            "chat template line 1, column 19: cannot assign attribute 'y' on a int (only "
            "namespace() objects)");
  EXPECT_EQ(RenderError("{% for a, b in [[1, 2, 3]] %}{% endfor %}"),
            "chat template line 1, column 4: too many values to unpack (expected 2, got 3)");
}

TEST(JinjaHostileTemplateTest, DeepNestingIsRejectedNotACrash) {
  std::string deep = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
  EXPECT_NE(ParseError(deep).find("nested too deeply"), std::string::npos);
  std::string nots = "{{ ";
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_NE(ParseError(nots + "x }}").find("nested too deeply"), std::string::npos);
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += "{% if x %}";
  EXPECT_NE(ParseError(blocks).find("nested too deeply"), std::string::npos);
}

TEST(JinjaHostileTemplateTest, RunawayRecursionAndOutputAreStopped) {
  EXPECT_NE(RenderError("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").find("calls deep"),
            std::string::npos);
  EXPECT_NE(RenderError("{{ range(100000000) | length }}").find("range() longer than"),
            std::string::npos);
  EXPECT_NE(RenderError("{{ range(-9223372036854775807, 9223372036854775807, 3) | length }}")
                .find("range() longer than"),
            std::string::npos);
  EXPECT_NE(RenderError("{{ 'x' * 10000000000 }}").find("too large"), std::string::npos);
  RenderEnvironment small;
  small.max_output_bytes = 100000;
  Expected<std::string> big = Template::Parse(
                                  "{% macro m() %}{% for i in range(1000) %}{{ 'y' * 1000 }}{% "
                                  "endfor %}{% endmacro %}{{ m() }}")
                                  ->Render({}, small);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(big.status().message(),
            "chat template line 1, column 42: template output exceeds 100000 bytes");
  EXPECT_NE(RenderError("{{ 9223372036854775807 + 1 }}").find("integer overflow"),
            std::string::npos);
}

TEST(JinjaHostileTemplateTest, RandomBytesNeverCrashTheParser) {
  uint32_t state = 12345;
  const std::string alphabet = "{}%#-+()[]'\"|.,:~=<>!*/ \n\tabcifnotsetendforxy0123456789\\";
  for (int round = 0; round < 3000; ++round) {
    std::string source;
    int length = static_cast<int>(state % 60);
    for (int i = 0; i < length; ++i) {
      state = state * 1664525u + 1013904223u;
      source.push_back((state >> 24) % 4 == 0 ? static_cast<char>(state >> 8)
                                              : alphabet[(state >> 16) % alphabet.size()]);
    }
    Expected<Template> t = Template::Parse(source);
    if (t.ok()) (void)t->Render({});
  }
}

}  // namespace
}  // namespace dsinfer::jinja
