// Built-in filters (see builtins.h), each following jinja2's filters.py (and transformers'
// `tojson` override, which is json.dumps).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>

#include "chat/jinja/builtins.h"
#include "chat/jinja/json.h"
#include "chat/jinja/text_util.h"
#include "chat/jinja/value_ops.h"

namespace dsinfer::jinja {

namespace {

using FilterFn = Expected<Value> (*)(const Value& input, const CallArgs& args);

Value ArgOr(const CallArgs& args, size_t index, std::string_view name, Value fallback) {
  const Value* v = args.Get(index, name);
  return v != nullptr ? *v : std::move(fallback);
}

bool BoolArg(const CallArgs& args, size_t index, std::string_view name, bool fallback) {
  const Value* v = args.Get(index, name);
  return v != nullptr ? v->IsTruthy() : fallback;
}

Expected<std::string> StringArg(const CallArgs& args, size_t index, std::string_view name,
                                std::string_view filter) {
  const Value* v = args.Get(index, name);
  if (v == nullptr || !v->is_string()) {
    return InvalidArgument("filter '" + std::string(filter) + "' needs a string argument '" +
                           std::string(name) + "'");
  }
  return v->as_string();
}

// attribute="a.b" lookups as jinja2's make_attrgetter (dots walk nested items; digits index).
Expected<Value> GetAttrPath(const Value& item, const std::string& path) {
  Value current = item;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    Expected<Value> next = numeric ? GetItem(current, Value::Int(std::atoll(part.c_str())))
                                   : GetItem(current, Value::String(part));
    if (!next.ok()) return next.status();
    current = std::move(next).value();
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return current;
}

Value CaseFolded(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value::String(AsciiLower(v.as_string()));
  return v;
}

// Sorts `items` by `key_of(item)` with Python ordering; the first comparison error is returned.
template <typename KeyFn>
Status SortValues(ValueList* items, bool reverse, KeyFn key_of) {
  Status error;
  std::vector<std::pair<Value, Value>> keyed;
  for (Value& item : *items) {
    Expected<Value> key = key_of(item);
    if (!key.ok()) return key.status();
    keyed.emplace_back(std::move(key).value(), std::move(item));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (!error.ok()) return false;
    Expected<int> c = CompareValues(a.first, b.first);
    if (!c.ok()) {
      error = c.status();
      return false;
    }
    return reverse ? *c > 0 : *c < 0;
  });
  DSINFER_RETURN_IF_ERROR(error);
  items->clear();
  for (auto& entry : keyed) items->push_back(std::move(entry.second));
  return Status::Ok();
}

Expected<Value> FilterAbs(const Value& in, const CallArgs&) {
  if (in.is_float()) return Value::Float(std::fabs(in.as_float()));
  if (in.is_int() || in.is_bool()) {
    if (in.as_int() < 0) return ApplyNegate(in);
    return Value::Int(in.as_int());
  }
  return InvalidArgument(std::string("bad operand type for abs(): '") + in.TypeName() + "'");
}

Expected<Value> FilterAttr(const Value& in, const CallArgs& args) {
  DSINFER_ASSIGN_OR_RETURN(std::string name, StringArg(args, 0, "name", "attr"));
  return GetAttribute(in, name);
}

Expected<Value> FilterCapitalize(const Value& in, const CallArgs&) {
  std::string s = ToPythonStr(in);
  std::string out = AsciiLower(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return Value::String(std::move(out));
}

Expected<Value> FilterLength(const Value& in, const CallArgs&) {
  DSINFER_ASSIGN_OR_RETURN(int64_t n, LengthOf(in));
  return Value::Int(n);
}

Expected<Value> FilterDefault(const Value& in, const CallArgs& args) {
  bool use_default = in.is_undefined() || (BoolArg(args, 1, "boolean", false) && !in.IsTruthy());
  if (use_default) return ArgOr(args, 0, "default_value", Value::String(""));
  return in;
}

Expected<Value> FilterDictsort(const Value& in, const CallArgs& args) {
  if (!in.is_dict()) return InvalidArgument("filter 'dictsort' needs a mapping");
  bool case_sensitive = BoolArg(args, 0, "case_sensitive", false);
  Value by = ArgOr(args, 1, "by", Value::String("key"));
  bool by_value = by.is_string() && by.as_string() == "value";
  ValueList pairs;
  for (const auto& [k, v] : in.as_dict()) pairs.push_back(Value::Tuple({Value::String(k), v}));
  DSINFER_RETURN_IF_ERROR(SortValues(
      &pairs, BoolArg(args, 2, "reverse", false), [&](const Value& p) -> Expected<Value> {
        return CaseFolded(p.as_list()[by_value ? 1 : 0], case_sensitive);
      }));
  return Value::List(std::move(pairs));
}

Expected<Value> FilterEscape(const Value& in, const CallArgs&) {
  std::string out;
  for (char c : ToPythonStr(in)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return Value::String(std::move(out));
}

Expected<Value> FilterFirst(const Value& in, const CallArgs&) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  if (items.empty()) return Value::Undefined("no first item, sequence was empty");
  return items.front();
}

Expected<Value> FilterLast(const Value& in, const CallArgs&) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  if (items.empty()) return Value::Undefined("no last item, sequence was empty");
  return items.back();
}

Expected<Value> FilterFloat(const Value& in, const CallArgs& args) {
  if (in.is_number()) return Value::Float(in.as_float());
  if (in.is_string()) {
    std::string s = StripString(in.as_string(), nullptr, true, true);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return Value::Float(d);
  }
  return ArgOr(args, 0, "default", Value::Float(0.0));
}

Expected<Value> FilterIndent(const Value& in, const CallArgs& args) {
  Value width = ArgOr(args, 0, "width", Value::Int(4));
  std::string indent =
      width.is_string() ? width.as_string()
      : width.is_int() ? std::string(static_cast<size_t>(std::max<int64_t>(0, width.as_int())), ' ')
                       : std::string(4, ' ');
  bool first = BoolArg(args, 1, "first", false);
  bool blank = BoolArg(args, 2, "blank", false);
  std::string s = ToPythonStr(in) + "\n";
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find_first_of("\r\n", start);
    lines.push_back(s.substr(start, nl - start));
    start = nl + ((s[nl] == '\r' && nl + 1 < s.size() && s[nl + 1] == '\n') ? 2 : 1);
  }
  std::string out = lines.empty() ? "" : lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    out += "\n";
    if (blank || !lines[i].empty()) out += indent;
    out += lines[i];
  }
  if (first) out = indent + out;
  return Value::String(std::move(out));
}

Expected<Value> FilterInt(const Value& in, const CallArgs& args) {
  Value fallback = ArgOr(args, 0, "default", Value::Int(0));
  if (in.is_int() || in.is_bool()) return Value::Int(in.as_int());
  if (in.is_float()) {
    double d = std::trunc(in.as_float());
    if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return fallback;
    return Value::Int(static_cast<int64_t>(d));
  }
  if (in.is_string()) {
    Value base_value = ArgOr(args, 1, "base", Value::Int(10));
    int base = base_value.is_int() ? static_cast<int>(base_value.as_int()) : 10;
    std::string s = StripString(in.as_string(), nullptr, true, true);
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    if (!s.empty() && base >= 2 && base <= 36) {
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(s.c_str(), &end, base);
      if (errno == 0 && end == s.c_str() + s.size()) return Value::Int(v);
    }
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d) && std::fabs(d) < 9.2e18) {
      return Value::Int(static_cast<int64_t>(std::trunc(d)));
    }
  }
  return fallback;
}

Expected<Value> FilterItems(const Value& in, const CallArgs&) {
  if (in.is_undefined()) return Value::List({});
  if (!in.is_dict()) return InvalidArgument("can only get item pairs from a mapping");
  ValueList pairs;
  for (const auto& [k, v] : in.as_dict()) pairs.push_back(Value::Tuple({Value::String(k), v}));
  return Value::List(std::move(pairs));
}

Expected<Value> FilterJoin(const Value& in, const CallArgs& args) {
  Value separator = ArgOr(args, 0, "d", Value::String(""));
  const Value* attribute = args.Get(1, "attribute");
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ToPythonStr(separator);
    Value item = items[i];
    if (attribute != nullptr && !attribute->is_none()) {
      DSINFER_ASSIGN_OR_RETURN(item, GetAttrPath(item, ToPythonStr(*attribute)));
    }
    out += ToPythonStr(item);
  }
  return Value::String(std::move(out));
}

Expected<Value> FilterList(const Value& in, const CallArgs&) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  return Value::List(std::move(items));
}

Expected<Value> FilterLower(const Value& in, const CallArgs&) {
  return Value::String(AsciiLower(ToPythonStr(in)));
}

Expected<Value> FilterUpper(const Value& in, const CallArgs&) {
  return Value::String(AsciiUpper(ToPythonStr(in)));
}

// Arguments after the first `skip` positional ones (for map/select forwarding).
CallArgs RestArgs(const CallArgs& args, size_t skip) {
  CallArgs rest;
  for (size_t i = skip; i < args.positional.size(); ++i)
    rest.positional.push_back(args.positional[i]);
  return rest;
}

Expected<Value> FilterMap(const Value& in, const CallArgs& args) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  ValueList out;
  const Value* attribute = args.Get(SIZE_MAX, "attribute");
  if (attribute != nullptr) {
    const Value* fallback = args.Get(SIZE_MAX, "default");
    for (const Value& item : items) {
      DSINFER_ASSIGN_OR_RETURN(Value v, GetAttrPath(item, ToPythonStr(*attribute)));
      if (v.is_undefined() && fallback != nullptr) v = *fallback;
      out.push_back(std::move(v));
    }
    return Value::List(std::move(out));
  }
  if (args.positional.empty() || !args.positional[0].is_string()) {
    return InvalidArgument("filter 'map' needs a filter name or attribute=");
  }
  const std::string& filter = args.positional[0].as_string();
  if (!IsSupportedFilter(filter)) return InvalidArgument("unsupported filter '" + filter + "'");
  CallArgs rest = RestArgs(args, 1);
  for (const Value& item : items) {
    DSINFER_ASSIGN_OR_RETURN(Value v, ApplyFilter(filter, item, rest));
    out.push_back(std::move(v));
  }
  return Value::List(std::move(out));
}

Expected<Value> MinMax(const Value& in, const CallArgs& args, bool want_max) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  if (items.empty()) return Value::Undefined("no aggregated item, sequence was empty");
  bool case_sensitive = BoolArg(args, 0, "case_sensitive", false);
  const Value* attribute = args.Get(1, "attribute");
  const auto key_of = [&](const Value& item) -> Expected<Value> {
    Value key = item;
    if (attribute != nullptr && !attribute->is_none()) {
      DSINFER_ASSIGN_OR_RETURN(key, GetAttrPath(item, ToPythonStr(*attribute)));
    }
    return CaseFolded(key, case_sensitive);
  };
  size_t best = 0;
  DSINFER_ASSIGN_OR_RETURN(Value best_key, key_of(items[0]));
  for (size_t i = 1; i < items.size(); ++i) {
    DSINFER_ASSIGN_OR_RETURN(Value key, key_of(items[i]));
    DSINFER_ASSIGN_OR_RETURN(int c, CompareValues(key, best_key));
    if (want_max ? c > 0 : c < 0) {
      best = i;
      best_key = std::move(key);
    }
  }
  return items[best];
}

Expected<Value> FilterMax(const Value& in, const CallArgs& args) { return MinMax(in, args, true); }
Expected<Value> FilterMin(const Value& in, const CallArgs& args) { return MinMax(in, args, false); }

// select/reject (by_attribute false) and selectattr/rejectattr (true).
Expected<Value> SelectItems(const Value& in, const CallArgs& args, bool by_attribute, bool keep) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  size_t test_index = by_attribute ? 1 : 0;
  std::string attribute;
  if (by_attribute) {
    if (args.positional.empty()) return InvalidArgument("missing attribute name");
    attribute = ToPythonStr(args.positional[0]);
  }
  std::string test;
  if (args.positional.size() > test_index) {
    if (!args.positional[test_index].is_string())
      return InvalidArgument("test name must be a string");
    test = args.positional[test_index].as_string();
    if (!IsSupportedTest(test)) return InvalidArgument("unsupported test '" + test + "'");
  }
  CallArgs rest = RestArgs(args, test_index + 1);
  ValueList out;
  for (const Value& item : items) {
    Value subject = item;
    if (by_attribute) {
      DSINFER_ASSIGN_OR_RETURN(subject, GetAttrPath(item, attribute));
    }
    bool passed = subject.IsTruthy();
    if (!test.empty()) {
      DSINFER_ASSIGN_OR_RETURN(passed, ApplyTest(test, subject, rest));
    }
    if (passed == keep) out.push_back(item);
  }
  return Value::List(std::move(out));
}

Expected<Value> FilterSelect(const Value& in, const CallArgs& a) {
  return SelectItems(in, a, false, true);
}
Expected<Value> FilterReject(const Value& in, const CallArgs& a) {
  return SelectItems(in, a, false, false);
}
Expected<Value> FilterSelectAttr(const Value& in, const CallArgs& a) {
  return SelectItems(in, a, true, true);
}
Expected<Value> FilterRejectAttr(const Value& in, const CallArgs& a) {
  return SelectItems(in, a, true, false);
}

Expected<Value> FilterReplace(const Value& in, const CallArgs& args) {
  DSINFER_ASSIGN_OR_RETURN(std::string from, StringArg(args, 0, "old", "replace"));
  const Value* to = args.Get(1, "new");
  if (to == nullptr) return InvalidArgument("filter 'replace' needs arguments old and new");
  Value count = ArgOr(args, 2, "count", Value::None());
  int64_t n = count.is_int() ? count.as_int() : -1;
  return Value::String(ReplaceString(ToPythonStr(in), from, ToPythonStr(*to), n));
}

Expected<Value> FilterReverse(const Value& in, const CallArgs&) {
  if (in.is_string()) return GetSlice(in, std::nullopt, std::nullopt, Value::Int(-1));
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  std::reverse(items.begin(), items.end());
  return Value::List(std::move(items));
}

Expected<Value> FilterRound(const Value& in, const CallArgs& args) {
  if (!in.is_number()) return InvalidArgument(std::string("cannot round a ") + in.TypeName());
  Value precision = ArgOr(args, 0, "precision", Value::Int(0));
  Value method = ArgOr(args, 1, "method", Value::String("common"));
  double scale = std::pow(10.0, precision.is_int() ? static_cast<double>(precision.as_int()) : 0.0);
  double x = in.as_float() * scale;
  std::string m = ToPythonStr(method);
  double r = m == "ceil" ? std::ceil(x) : m == "floor" ? std::floor(x) : std::nearbyint(x);
  if (m != "common" && m != "ceil" && m != "floor") {
    return InvalidArgument("method must be common, ceil or floor");
  }
  return Value::Float(r / scale);
}

Expected<Value> FilterSafe(const Value& in, const CallArgs&) { return in; }

Expected<Value> FilterSort(const Value& in, const CallArgs& args) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  bool case_sensitive = BoolArg(args, 1, "case_sensitive", false);
  const Value* attribute = args.Get(2, "attribute");
  DSINFER_RETURN_IF_ERROR(SortValues(
      &items, BoolArg(args, 0, "reverse", false), [&](const Value& item) -> Expected<Value> {
        Value key = item;
        if (attribute != nullptr && !attribute->is_none()) {
          DSINFER_ASSIGN_OR_RETURN(key, GetAttrPath(item, ToPythonStr(*attribute)));
        }
        return CaseFolded(key, case_sensitive);
      }));
  return Value::List(std::move(items));
}

Expected<Value> FilterString(const Value& in, const CallArgs&) {
  return Value::String(ToPythonStr(in));
}

Expected<Value> FilterSum(const Value& in, const CallArgs& args) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  const Value* attribute = args.Get(0, "attribute");
  Value total = ArgOr(args, 1, "start", Value::Int(0));
  for (const Value& item : items) {
    Value v = item;
    if (attribute != nullptr && !attribute->is_none()) {
      DSINFER_ASSIGN_OR_RETURN(v, GetAttrPath(item, ToPythonStr(*attribute)));
    }
    DSINFER_ASSIGN_OR_RETURN(total, ApplyBinary(BinaryOperator::kAdd, total, v));
  }
  return total;
}

Expected<Value> FilterTitle(const Value& in, const CallArgs&) {
  std::string s = ToPythonStr(in);
  std::string out;
  bool word_start = true;
  for (char c : s) {
    bool separator = c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
                     c == '\v' || c == '(' || c == '{' || c == '[' || c == '<';
    if (separator) {
      out.push_back(c);
      word_start = true;
      continue;
    }
    char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    out.push_back(word_start && lower >= 'a' && lower <= 'z' ? static_cast<char>(lower - 32)
                                                             : lower);
    word_start = false;
  }
  return Value::String(std::move(out));
}

Expected<Value> FilterToJson(const Value& in, const CallArgs& args) {
  JsonFormat format;
  format.ensure_ascii = BoolArg(args, 0, "ensure_ascii", false);
  Value indent = ArgOr(args, 1, "indent", Value::None());
  if (indent.is_int()) {
    format.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, indent.as_int())), ' ');
  } else if (indent.is_string()) {
    format.indent = indent.as_string();
  }
  Value separators = ArgOr(args, 2, "separators", Value::None());
  if (separators.is_list()) {
    const ValueList& parts = separators.as_list();
    if (parts.size() != 2 || !parts[0].is_string() || !parts[1].is_string()) {
      return InvalidArgument("tojson separators must be two strings");
    }
    format.item_separator = parts[0].as_string();
    format.key_separator = parts[1].as_string();
  }
  format.sort_keys = BoolArg(args, 3, "sort_keys", false);
  DSINFER_ASSIGN_OR_RETURN(std::string text, ToJson(in, format));
  return Value::String(std::move(text));
}

Expected<Value> FilterTrim(const Value& in, const CallArgs& args) {
  const Value* chars = args.Get(0, "chars");
  std::string chars_text = chars != nullptr && chars->is_string() ? chars->as_string() : "";
  const std::string* strip = chars != nullptr && chars->is_string() ? &chars_text : nullptr;
  return Value::String(StripString(ToPythonStr(in), strip, true, true));
}

Expected<Value> FilterUnique(const Value& in, const CallArgs& args) {
  DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(in));
  bool case_sensitive = BoolArg(args, 0, "case_sensitive", false);
  const Value* attribute = args.Get(1, "attribute");
  ValueList out;
  ValueList seen;
  for (const Value& item : items) {
    Value key = item;
    if (attribute != nullptr && !attribute->is_none()) {
      DSINFER_ASSIGN_OR_RETURN(key, GetAttrPath(item, ToPythonStr(*attribute)));
    }
    key = CaseFolded(key, case_sensitive);
    bool duplicate =
        std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return ValuesEqual(s, key); });
    if (duplicate) continue;
    seen.push_back(std::move(key));
    out.push_back(item);
  }
  return Value::List(std::move(out));
}

const std::unordered_map<std::string_view, FilterFn>& FilterTable() {
  static const auto* table = new std::unordered_map<std::string_view, FilterFn>{
      {"abs", FilterAbs},           {"attr", FilterAttr},       {"capitalize", FilterCapitalize},
      {"count", FilterLength},      {"d", FilterDefault},       {"default", FilterDefault},
      {"dictsort", FilterDictsort}, {"e", FilterEscape},        {"escape", FilterEscape},
      {"first", FilterFirst},       {"float", FilterFloat},     {"indent", FilterIndent},
      {"int", FilterInt},           {"items", FilterItems},     {"join", FilterJoin},
      {"last", FilterLast},         {"length", FilterLength},   {"list", FilterList},
      {"lower", FilterLower},       {"map", FilterMap},         {"max", FilterMax},
      {"min", FilterMin},           {"reject", FilterReject},   {"rejectattr", FilterRejectAttr},
      {"replace", FilterReplace},   {"reverse", FilterReverse}, {"round", FilterRound},
      {"safe", FilterSafe},         {"select", FilterSelect},   {"selectattr", FilterSelectAttr},
      {"sort", FilterSort},         {"string", FilterString},   {"sum", FilterSum},
      {"title", FilterTitle},       {"tojson", FilterToJson},   {"trim", FilterTrim},
      {"unique", FilterUnique},     {"upper", FilterUpper},
  };
  return *table;
}

}  // namespace

bool IsSupportedFilter(std::string_view name) { return FilterTable().count(name) > 0; }

Expected<Value> ApplyFilter(std::string_view name, const Value& input, const CallArgs& args) {
  auto it = FilterTable().find(name);
  if (it == FilterTable().end())
    return InvalidArgument("unsupported filter '" + std::string(name) + "'");
  // Filters other than these treat an undefined input as an error when they need its value.
  static constexpr std::string_view kAcceptUndefined[] = {
      "default", "d",      "length",     "count",      "string", "first",   "last",
      "list",    "items",  "join",       "trim",       "lower",  "upper",   "capitalize",
      "title",   "safe",   "e",          "escape",     "indent", "replace", "reverse",
      "select",  "reject", "selectattr", "rejectattr", "map",    "unique",  "sort",
      "int",     "float",  "sum",        "max",        "min"};
  if (input.is_undefined() && std::find(std::begin(kAcceptUndefined), std::end(kAcceptUndefined),
                                        name) == std::end(kAcceptUndefined)) {
    if (name == "tojson")
      return InvalidArgument("Object of type Undefined is not JSON serializable");
    return InvalidArgument(UndefinedMessage(input));
  }
  return it->second(input, args);
}

}  // namespace dsinfer::jinja
