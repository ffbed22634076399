// Built-in tests, methods and global functions (see builtins.h); filters are in filters.cc.
#include "chat/jinja/builtins.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>

#include "chat/jinja/text_util.h"
#include "chat/jinja/value_ops.h"

namespace dsinfer::jinja {

namespace {

constexpr int64_t kMaxRangeLength = 1 << 20;

Expected<Value> RequireArg(const CallArgs& args, size_t index, std::string_view name,
                           std::string_view what) {
  const Value* v = args.Get(index, name);
  if (v == nullptr) {
    return InvalidArgument(std::string(what) + " needs an argument '" + std::string(name) + "'");
  }
  return *v;
}

Expected<int> Compare(const Value& in, const CallArgs& args, std::string_view test) {
  DSINFER_ASSIGN_OR_RETURN(Value other, RequireArg(args, 0, "other", test));
  return CompareValues(in, other);
}

bool AllCased(const std::string& s, bool upper) {
  bool any = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') {
      if (upper) return false;
      any = true;
    } else if (c >= 'A' && c <= 'Z') {
      if (!upper) return false;
      any = true;
    }
  }
  return any;
}

}  // namespace

bool IsSupportedTest(std::string_view name) {
  static constexpr std::string_view kTests[] = {
      "boolean", "callable", "defined",  "divisibleby", "eq",          "equalto",
      "even",    "false",    "float",    "ge",          "greaterthan", "gt",
      "in",      "integer",  "iterable", "le",          "lessthan",    "lower",
      "lt",      "mapping",  "ne",       "none",        "number",      "odd",
      "sameas",  "sequence", "string",   "true",        "undefined",   "upper",
      "==",      "!=",       "<",        "<=",          ">",           ">="};
  return std::find(std::begin(kTests), std::end(kTests), name) != std::end(kTests);
}

Expected<bool> ApplyTest(std::string_view name, const Value& in, const CallArgs& args) {
  if (name == "defined") return !in.is_undefined();
  if (name == "undefined") return in.is_undefined();
  if (name == "none") return in.is_none();
  if (name == "boolean") return in.is_bool();
  if (name == "true") return in.is_bool() && in.as_bool();
  if (name == "false") return in.is_bool() && !in.as_bool();
  if (name == "callable") return in.is_callable();
  if (name == "float") return in.is_float();
  if (name == "integer") return in.is_int();
  if (name == "number") return in.is_number();
  if (name == "string") return in.is_string();
  if (name == "mapping") return in.is_dict();
  // jinja2's Undefined has __iter__ and __len__, so it passes these two.
  if (name == "iterable" || name == "sequence") {
    return in.is_string() || in.is_list() || in.is_dict() || in.is_undefined();
  }
  if (name == "lower") return in.is_string() && AllCased(in.as_string(), false);
  if (name == "upper") return in.is_string() && AllCased(in.as_string(), true);
  if (name == "eq" || name == "equalto" || name == "==" || name == "ne" || name == "!=") {
    DSINFER_ASSIGN_OR_RETURN(Value other, RequireArg(args, 0, "other", name));
    return ValuesEqual(in, other) == (name == "eq" || name == "equalto" || name == "==");
  }
  if (name == "sameas") {
    DSINFER_ASSIGN_OR_RETURN(Value other, RequireArg(args, 0, "other", name));
    return in.kind() == other.kind() && ValuesEqual(in, other) &&
           (in.is_none() || in.is_bool() || in.is_undefined() || in.is_namespace() ||
            in.is_callable());
  }
  if (name == "in") {
    DSINFER_ASSIGN_OR_RETURN(Value seq, RequireArg(args, 0, "seq", name));
    return ContainsValue(seq, in);
  }
  if (in.is_undefined()) return InvalidArgument(UndefinedMessage(in));
  if (name == "lt" || name == "<" || name == "lessthan") {
    DSINFER_ASSIGN_OR_RETURN(int c, Compare(in, args, name));
    return c < 0;
  }
  if (name == "le" || name == "<=") {
    DSINFER_ASSIGN_OR_RETURN(int c, Compare(in, args, name));
    return c <= 0;
  }
  if (name == "gt" || name == ">" || name == "greaterthan") {
    DSINFER_ASSIGN_OR_RETURN(int c, Compare(in, args, name));
    return c > 0;
  }
  if (name == "ge" || name == ">=") {
    DSINFER_ASSIGN_OR_RETURN(int c, Compare(in, args, name));
    return c >= 0;
  }
  if (name == "even" || name == "odd" || name == "divisibleby") {
    Value divisor = Value::Int(2);
    if (name == "divisibleby") {
      DSINFER_ASSIGN_OR_RETURN(divisor, RequireArg(args, 0, "num", name));
    }
    DSINFER_ASSIGN_OR_RETURN(Value rest, ApplyBinary(BinaryOperator::kMod, in, divisor));
    bool zero = !rest.IsTruthy();
    return name == "odd" ? !zero : zero;
  }
  return InvalidArgument("unsupported test '" + std::string(name) + "'");
}

namespace {

Expected<Value> StringMethod(const std::string& s, std::string_view method, const CallArgs& args) {
  const auto optional_string = [&](size_t i, std::string_view key) -> const std::string* {
    const Value* v = args.Get(i, key);
    return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
  };
  const auto int_or = [&](size_t i, std::string_view key, int64_t fallback) {
    const Value* v = args.Get(i, key);
    return v != nullptr && (v->is_int() || v->is_bool()) ? v->as_int() : fallback;
  };
  const auto to_list = [](const std::vector<std::string>& parts) {
    ValueList out;
    for (const auto& p : parts) out.push_back(Value::String(p));
    return Value::List(std::move(out));
  };
  if (method == "startswith" || method == "endswith") {
    DSINFER_ASSIGN_OR_RETURN(Value affix, RequireArg(args, 0, "prefix", method));
    ValueList options = affix.is_list() ? affix.as_list() : ValueList{affix};
    for (const Value& option : options) {
      if (!option.is_string()) {
        return InvalidArgument(std::string(method) + " first arg must be str or a tuple of str");
      }
      const std::string& a = option.as_string();
      bool match = a.size() <= s.size() &&
                   (method == "startswith" ? s.compare(0, a.size(), a) == 0
                                           : s.compare(s.size() - a.size(), a.size(), a) == 0);
      if (match) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  if (method == "split" || method == "rsplit") {
    const std::string* sep = optional_string(0, "sep");
    if (sep != nullptr && sep->empty()) return InvalidArgument("empty separator");
    int64_t maxsplit = int_or(1, "maxsplit", -1);
    return to_list(method == "split" ? SplitString(s, sep, maxsplit)
                                     : RSplitString(s, sep, maxsplit));
  }
  if (method == "strip" || method == "lstrip" || method == "rstrip") {
    return Value::String(
        StripString(s, optional_string(0, "chars"), method != "rstrip", method != "lstrip"));
  }
  if (method == "lower") return Value::String(AsciiLower(s));
  if (method == "upper") return Value::String(AsciiUpper(s));
  if (method == "capitalize" || method == "title") {
    std::string out = AsciiLower(s);
    bool at_word_start = true;
    for (char& c : out) {
      bool letter = (c >= 'a' && c <= 'z');
      if (letter && at_word_start) c = static_cast<char>(c - 32);
      at_word_start = method == "title" ? !(letter || (c >= 'A' && c <= 'Z')) : false;
    }
    return Value::String(std::move(out));
  }
  if (method == "replace") {
    const std::string* from = optional_string(0, "old");
    const std::string* to = optional_string(1, "new");
    if (from == nullptr || to == nullptr) return InvalidArgument("replace() needs two strings");
    return Value::String(ReplaceString(s, *from, *to, int_or(2, "count", -1)));
  }
  if (method == "find" || method == "rfind" || method == "count") {
    const std::string* sub = optional_string(0, "sub");
    if (sub == nullptr) return InvalidArgument(std::string(method) + "() needs a string");
    if (method == "count") {
      if (sub->empty()) return Value::Int(static_cast<int64_t>(CodePointCount(s)) + 1);
      int64_t n = 0;
      for (size_t at = s.find(*sub); at != std::string::npos; at = s.find(*sub, at + sub->size()))
        ++n;
      return Value::Int(n);
    }
    size_t at = method == "find" ? s.find(*sub) : s.rfind(*sub);
    if (at == std::string::npos) return Value::Int(-1);
    return Value::Int(static_cast<int64_t>(CodePointCount(std::string_view(s).substr(0, at))));
  }
  if (method == "join") {
    DSINFER_ASSIGN_OR_RETURN(Value iterable, RequireArg(args, 0, "iterable", method));
    DSINFER_ASSIGN_OR_RETURN(ValueList items, IterateValue(iterable));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        return InvalidArgument("sequence item " + std::to_string(i) + ": expected str instance, " +
                               items[i].TypeName() + " found");
      }
      if (i > 0) out += s;
      out += items[i].as_string();
    }
    return Value::String(std::move(out));
  }
  if (method == "splitlines") {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < s.size()) {
      size_t nl = s.find_first_of("\r\n", start);
      if (nl == std::string::npos) {
        lines.push_back(s.substr(start));
        break;
      }
      lines.push_back(s.substr(start, nl - start));
      start = nl + ((s[nl] == '\r' && nl + 1 < s.size() && s[nl + 1] == '\n') ? 2 : 1);
    }
    return to_list(lines);
  }
  // is* predicates (ASCII classes).
  const auto all_of = [&](auto pred) {
    return Value::Bool(!s.empty() && std::all_of(s.begin(), s.end(), pred));
  };
  if (method == "isdigit") return all_of([](char c) { return c >= '0' && c <= '9'; });
  if (method == "isalpha")
    return all_of([](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
  if (method == "isalnum")
    return all_of([](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
  if (method == "isspace")
    return all_of([](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
  if (method == "islower") return Value::Bool(AllCased(s, false));
  if (method == "isupper") return Value::Bool(AllCased(s, true));
  return InvalidArgument("unknown str method '" + std::string(method) + "'");
}

Expected<Value> DictMethod(const Value& dict, std::string_view method, const CallArgs& args) {
  const ValueDict& d = dict.as_dict();
  if (method == "get") {
    DSINFER_ASSIGN_OR_RETURN(Value key, RequireArg(args, 0, "key", method));
    const Value* fallback = args.Get(1, "default");
    const Value* found = key.is_string() ? d.Find(key.as_string()) : nullptr;
    if (found != nullptr) return *found;
    return fallback != nullptr ? *fallback : Value::None();
  }
  ValueList out;
  for (const auto& [k, v] : d) {
    if (method == "keys") out.push_back(Value::String(k));
    if (method == "values") out.push_back(v);
    if (method == "items") out.push_back(Value::Tuple({Value::String(k), v}));
  }
  return Value::List(std::move(out));
}

Expected<Value> ListMethod(const Value& list, std::string_view method, const CallArgs& args) {
  DSINFER_ASSIGN_OR_RETURN(Value needle, RequireArg(args, 0, "value", method));
  const ValueList& items = list.as_list();
  int64_t count = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!ValuesEqual(items[i], needle)) continue;
    if (method == "index") return Value::Int(static_cast<int64_t>(i));
    ++count;
  }
  if (method == "index") return InvalidArgument(ToPythonRepr(needle) + " is not in list");
  return Value::Int(count);
}

bool IsStringMethod(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "startswith", "endswith", "split",      "rsplit",  "strip",   "lstrip",  "rstrip", "lower",
      "upper",      "title",    "capitalize", "replace", "find",    "rfind",   "count",  "join",
      "splitlines", "isdigit",  "isalpha",    "isalnum", "isspace", "islower", "isupper"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace

Expected<Value> GetAttribute(const Value& obj, std::string_view name) {
  if (obj.is_undefined()) return InvalidArgument(UndefinedMessage(obj));
  const std::string method(name);
  if (obj.is_string() && IsStringMethod(name)) {
    return Value::Function(method, [obj, method](const CallArgs& args) {
      return StringMethod(obj.as_string(), method, args);
    });
  }
  if (obj.is_dict() && (name == "get" || name == "items" || name == "keys" || name == "values")) {
    return Value::Function(
        method, [obj, method](const CallArgs& args) { return DictMethod(obj, method, args); });
  }
  if (obj.is_list() && (name == "index" || name == "count")) {
    return Value::Function(
        method, [obj, method](const CallArgs& args) { return ListMethod(obj, method, args); });
  }
  return GetItem(obj, Value::String(method));
}

ValueDict GlobalFunctions(std::optional<int64_t> now_unix_seconds) {
  ValueDict globals;
  globals.Set(
      "range", Value::Function("range", [](const CallArgs& args) -> Expected<Value> {
        std::vector<int64_t> bounds;
        for (const Value& v : args.positional) {
          if (!v.is_int() && !v.is_bool()) {
            return InvalidArgument(std::string("'") + v.TypeName() +
                                   "' object cannot be interpreted as an integer");
          }
          bounds.push_back(v.as_int());
        }
        if (bounds.empty() || bounds.size() > 3)
          return InvalidArgument("range expects 1 to 3 arguments");
        int64_t start = bounds.size() == 1 ? 0 : bounds[0];
        int64_t stop = bounds.size() == 1 ? bounds[0] : bounds[1];
        int64_t step = bounds.size() == 3 ? bounds[2] : 1;
        if (step == 0) return InvalidArgument("range() arg 3 must not be zero");
        // Length without overflow: the span as unsigned, divided by the step's magnitude.
        uint64_t span =
            step > 0
                ? (stop > start ? static_cast<uint64_t>(stop) - static_cast<uint64_t>(start) : 0)
                : (start > stop ? static_cast<uint64_t>(start) - static_cast<uint64_t>(stop) : 0);
        uint64_t magnitude =
            step > 0 ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
        uint64_t count = span == 0 ? 0 : (span - 1) / magnitude + 1;
        if (count > static_cast<uint64_t>(kMaxRangeLength)) {
          return ResourceExhausted("range() longer than " + std::to_string(kMaxRangeLength));
        }
        ValueList out;
        out.reserve(count);
        for (uint64_t k = 0; k < count; ++k) {
          out.push_back(Value::Int(static_cast<int64_t>(static_cast<uint64_t>(start) +
                                                        k * static_cast<uint64_t>(step))));
        }
        return Value::List(std::move(out));
      }));
  const auto make_dict = [](const CallArgs& args) -> Expected<ValueDict> {
    ValueDict dict;
    for (const Value& v : args.positional) {
      if (!v.is_dict()) return InvalidArgument("expected a mapping as positional argument");
      for (const auto& [k, item] : v.as_dict()) dict.Set(k, item);
    }
    for (const auto& [k, item] : args.keyword) dict.Set(k, item);
    return dict;
  };
  globals.Set("namespace",
              Value::Function("namespace", [make_dict](const CallArgs& args) -> Expected<Value> {
                DSINFER_ASSIGN_OR_RETURN(ValueDict attributes, make_dict(args));
                return Value::Namespace(std::move(attributes));
              }));
  globals.Set("dict", Value::Function("dict", [make_dict](const CallArgs& args) -> Expected<Value> {
                DSINFER_ASSIGN_OR_RETURN(ValueDict dict, make_dict(args));
                return Value::Dict(std::move(dict));
              }));
  globals.Set("raise_exception",
              Value::Function("raise_exception", [](const CallArgs& args) -> Expected<Value> {
                const Value* message = args.Get(0, "message");
                return InvalidArgument("raise_exception: " +
                                       (message ? ToPythonStr(*message) : std::string()));
              }));
  globals.Set(
      "strftime_now",
      Value::Function("strftime_now", [now_unix_seconds](const CallArgs& args) -> Expected<Value> {
        const Value* format = args.Get(0, "format");
        if (format == nullptr || !format->is_string()) {
          return InvalidArgument("strftime_now needs a format string");
        }
        std::time_t now =
            now_unix_seconds ? static_cast<std::time_t>(*now_unix_seconds) : std::time(nullptr);
        std::tm local{};
        localtime_r(&now, &local);
        char buf[512];
        size_t n = std::strftime(buf, sizeof(buf), format->as_string().c_str(), &local);
        return Value::String(std::string(buf, n));
      }));
  return globals;
}

}  // namespace dsinfer::jinja
