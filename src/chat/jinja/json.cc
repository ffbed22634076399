#include "chat/jinja/json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "chat/jinja/text_util.h"

namespace dsinfer::jinja {

namespace {

// Deeper documents are rejected so that conversion (recursive) cannot exhaust the stack.
constexpr int kMaxJsonDepth = 256;

void AppendEscapedString(std::string_view s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = pos;
    uint32_t cp = DecodeCodePoint(s, &pos);
    char buf[16];
    switch (cp) {
      case '"':
        *out += "\\\"";
        continue;
      case '\\':
        *out += "\\\\";
        continue;
      case '\n':
        *out += "\\n";
        continue;
      case '\r':
        *out += "\\r";
        continue;
      case '\t':
        *out += "\\t";
        continue;
      case '\b':
        *out += "\\b";
        continue;
      case '\f':
        *out += "\\f";
        continue;
      default:
        break;
    }
    if (cp < 0x20) {
      std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
      *out += buf;
    } else if (ensure_ascii && cp >= 0x80) {
      if (cp >= 0x10000) {
        uint32_t v = cp - 0x10000;
        std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
      } else {
        std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
      }
      *out += buf;
    } else {
      out->append(s.substr(start, pos - start));
    }
  }
  out->push_back('"');
}

struct JsonWriter {
  const JsonFormat& format;
  std::string item_sep;
  std::string key_sep;
  std::string out;

  void Newline(int depth) {
    out.push_back('\n');
    for (int i = 0; i < depth; ++i) out += *format.indent;
  }

  Status Write(const Value& v, int depth) {
    switch (v.kind()) {
      case Value::Kind::kNone:
        out += "null";
        return Status::Ok();
      case Value::Kind::kBool:
        out += v.as_bool() ? "true" : "false";
        return Status::Ok();
      case Value::Kind::kInt:
        out += std::to_string(v.as_int());
        return Status::Ok();
      case Value::Kind::kFloat: {
        double d = v.as_float();
        if (std::isnan(d)) {
          out += "NaN";
        } else if (std::isinf(d)) {
          out += d < 0 ? "-Infinity" : "Infinity";
        } else {
          out += FormatPythonFloat(d);
        }
        return Status::Ok();
      }
      case Value::Kind::kString:
        AppendEscapedString(v.as_string(), format.ensure_ascii, &out);
        return Status::Ok();
      case Value::Kind::kList: {
        const ValueList& items = v.as_list();
        if (items.empty()) {
          out += "[]";
          return Status::Ok();
        }
        out.push_back('[');
        for (size_t i = 0; i < items.size(); ++i) {
          if (i > 0) out += item_sep;
          if (format.indent) Newline(depth + 1);
          DSINFER_RETURN_IF_ERROR(Write(items[i], depth + 1));
        }
        if (format.indent) Newline(depth);
        out.push_back(']');
        return Status::Ok();
      }
      case Value::Kind::kDict: {
        const ValueDict& dict = v.as_dict();
        if (dict.empty()) {
          out += "{}";
          return Status::Ok();
        }
        std::vector<const ValueDict::Entry*> entries;
        for (const auto& entry : dict) entries.push_back(&entry);
        if (format.sort_keys) {
          std::stable_sort(entries.begin(), entries.end(),
                           [](const auto* a, const auto* b) { return a->first < b->first; });
        }
        out.push_back('{');
        for (size_t i = 0; i < entries.size(); ++i) {
          if (i > 0) out += item_sep;
          if (format.indent) Newline(depth + 1);
          AppendEscapedString(entries[i]->first, format.ensure_ascii, &out);
          out += key_sep;
          DSINFER_RETURN_IF_ERROR(Write(entries[i]->second, depth + 1));
        }
        if (format.indent) Newline(depth);
        out.push_back('}');
        return Status::Ok();
      }
      case Value::Kind::kUndefined:
      case Value::Kind::kNamespace:
      case Value::Kind::kCallable:
        break;
    }
    return InvalidArgument(std::string("Object of type ") + v.TypeName() +
                           " is not JSON serializable");
  }
};

Expected<Value> FromNlohmann(const nlohmann::ordered_json& j, int depth) {
  if (depth > kMaxJsonDepth) {
    return InvalidArgument("invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                           " levels");
  }
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value::None();
    case nlohmann::ordered_json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value::Int(static_cast<int64_t>(u));
      }
      return Value::Float(static_cast<double>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value::Float(j.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value::String(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      ValueList items;
      items.reserve(j.size());
      for (const auto& element : j) {
        DSINFER_ASSIGN_OR_RETURN(Value item, FromNlohmann(element, depth + 1));
        items.push_back(std::move(item));
      }
      return Value::List(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      ValueDict dict;
      for (auto it = j.begin(); it != j.end(); ++it) {
        DSINFER_ASSIGN_OR_RETURN(Value item, FromNlohmann(it.value(), depth + 1));
        dict.Set(it.key(), std::move(item));
      }
      return Value::Dict(std::move(dict));
    }
    default:
      return InvalidArgument("invalid JSON: unsupported value");
  }
}

// Depth of the deepest nesting of [ and { outside strings (a cheap pre-check).
int MaxNesting(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

Expected<std::string> ToJson(const Value& v, const JsonFormat& format) {
  JsonWriter writer{format, "", "", ""};
  writer.item_sep = format.item_separator.value_or(format.indent ? "," : ", ");
  writer.key_sep = format.key_separator.value_or(": ");
  DSINFER_RETURN_IF_ERROR(writer.Write(v, 0));
  return std::move(writer.out);
}

Expected<Value> ParseJson(std::string_view text) {
  if (MaxNesting(text) > kMaxJsonDepth) {
    return InvalidArgument("invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                           " levels");
  }
  nlohmann::ordered_json parsed;
  try {
    parsed = nlohmann::ordered_json::parse(text.begin(), text.end());
  } catch (const nlohmann::ordered_json::exception& e) {
    std::string message = e.what();
    size_t bracket = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      message = message.substr(bracket + 2);
    }
    return InvalidArgument("invalid JSON: " + message);
  }
  return FromNlohmann(parsed, 0);
}

}  // namespace dsinfer::jinja
