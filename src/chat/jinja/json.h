// JSON <-> jinja::Value. Serialization is Python's json.dumps (what Hugging Face's `tojson`
// filter calls), parsing keeps object keys in document order. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "chat/jinja/value.h"

namespace dsinfer::jinja {

// json.dumps keyword arguments. Defaults are json.dumps(x, ensure_ascii=False): separators
// ", " and ": " (or "," and ": " when `indent` is set), keys in insertion order.
struct JsonFormat {
  std::optional<std::string> indent;  // per-level indent text; set => newline-separated items
  std::optional<std::string> item_separator;
  std::optional<std::string> key_separator;
  bool sort_keys = false;
  bool ensure_ascii = false;  // true: non-ASCII as \uXXXX (surrogate pairs above U+FFFF)
};

// json.dumps(v): floats as Python's repr (NaN, Infinity, -Infinity for non-finite), tuples as
// arrays. Undefined, namespaces and callables are errors ("Object of type Undefined is not
// JSON serializable").
Expected<std::string> ToJson(const Value& v, const JsonFormat& format = {});

// Parses JSON text: integers that fit int64 stay ints, others become floats; objects keep their
// key order. Errors name the position ("invalid JSON: ... at line 1, column 5").
Expected<Value> ParseJson(std::string_view text);

}  // namespace dsinfer::jinja
