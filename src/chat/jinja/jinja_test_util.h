// Test helpers for the template interpreter: render a template with variables given as JSON.
// Test code only.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "chat/jinja/json.h"
#include "chat/jinja/template.h"

namespace dsinfer::jinja {

// Parses and renders `source` with `vars_json` (a JSON object, or empty for none).
inline Expected<std::string> RenderTemplate(const std::string& source,
                                            const std::string& vars_json = "") {
  DSINFER_ASSIGN_OR_RETURN(Template tmpl, Template::Parse(source));
  ValueDict vars;
  if (!vars_json.empty()) {
    DSINFER_ASSIGN_OR_RETURN(Value parsed, ParseJson(vars_json));
    vars = parsed.as_dict();
  }
  return tmpl.Render(vars);
}

// One template case whose expected output was produced by Python jinja2 in the environment
// transformers uses; `expected` nullopt means jinja2 raised an error.
struct RenderCase {
  const char* name;
  const char* source;
  const char* vars_json;
  std::optional<std::string> expected;
};

inline void ExpectRender(const RenderCase& c) {
  SCOPED_TRACE(c.name);
  Expected<std::string> out = RenderTemplate(c.source, c.vars_json);
  if (!c.expected) {
    EXPECT_FALSE(out.ok()) << "rendered instead of failing: " << *out;
    return;
  }
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, *c.expected);
}

}  // namespace dsinfer::jinja
