// jinja::Value: the dynamic value of the chat-template interpreter, also used as the small
// JSON-like value type of the chat layer (tool-call arguments, tool schemas, extra variables).
//
// Kinds follow Python as jinja2 sees it: undefined (jinja2's default Undefined: falsy, renders
// empty), none, bool, int (int64), float (double), string (UTF-8), list (optionally marked as a
// tuple, which only changes how it prints), dict (string keys, insertion order kept, like a
// Python dict built from JSON), namespace (the one mutable object: jinja2's namespace()), and
// callable (macros, bound methods, global functions).
//
// Lists and dicts are immutable once built and shared between copies, so copying a Value is
// cheap and never deep; this matches the ImmutableSandboxedEnvironment that Hugging Face renders
// chat templates with, where containers cannot be modified. A namespace is shared on purpose:
// every copy refers to the same object, as in jinja2. A Value is thread-compatible; values that
// share a namespace must stay on one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace dsinfer::jinja {

class Value;
class ValueDict;
using ValueList = std::vector<Value>;

// Arguments of a call: positional then keyword, in source order.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;

  // The keyword argument `name`, else positional argument `index`, else nullptr.
  const Value* Get(size_t index, std::string_view name) const;
};

// A callable value's implementation. Errors are plain messages; the interpreter adds the
// template position.
using NativeFunction = std::function<Expected<Value>(const CallArgs& args)>;

class Value {
 public:
  enum class Kind : uint8_t {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kDict,
    kNamespace,
    kCallable,
  };

  // An undefined value (jinja2 Undefined).
  Value() = default;
  // An undefined value carrying the error message for when it is used as a value, e.g.
  // "'x' is undefined" or "'dict object' has no attribute 'y'" (jinja2's wording).
  static Value Undefined(std::string message);
  static Value None();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double d);
  static Value String(std::string s);
  static Value List(ValueList items);
  // A list that prints as a Python tuple: "(1, 2)".
  static Value Tuple(ValueList items);
  static Value Dict(ValueDict dict);
  // A new mutable namespace holding `attributes`.
  static Value Namespace(ValueDict attributes);
  // A callable; `name` is used in error messages and when printed.
  static Value Function(std::string name, NativeFunction fn);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  // Python's numbers include bool.
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_tuple() const { return kind_ == Kind::kList && tuple_; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_namespace() const { return kind_ == Kind::kNamespace; }
  bool is_callable() const { return kind_ == Kind::kCallable; }

  // Accessors CHECK the kind (programmer error to call the wrong one).
  bool as_bool() const;
  int64_t as_int() const;   // int or bool
  double as_float() const;  // float, int or bool
  const std::string& as_string() const;
  const ValueList& as_list() const;
  const ValueDict& as_dict() const;
  // The shared attributes of a namespace; writes are seen by every copy.
  ValueDict& namespace_attributes() const;
  const NativeFunction& as_function() const;
  // Function name of a callable, the message of an undefined (may be empty).
  const std::string& name() const { return str_; }

  // Python truthiness: undefined, none, false, 0, 0.0, "" and empty containers are false.
  bool IsTruthy() const;

  // Python type name as it appears in TypeError messages: "str", "int", "dict", "NoneType"...
  const char* TypeName() const;

 private:
  Kind kind_ = Kind::kUndefined;
  bool tuple_ = false;
  bool bool_ = false;
  int64_t int_ = 0;
  double float_ = 0.0;
  std::string str_;
  std::shared_ptr<const ValueList> list_;
  std::shared_ptr<const ValueDict> dict_;
  std::shared_ptr<ValueDict> namespace_;
  std::shared_ptr<const NativeFunction> fn_;
};

// A string-keyed map that keeps insertion order (Python dict semantics for string keys).
// Lookups are linear: chat-template dicts are small. Thread-compatible.
class ValueDict {
 public:
  using Entry = std::pair<std::string, Value>;

  // nullptr when `key` is absent.
  const Value* Find(std::string_view key) const;
  // Replaces the value of an existing key in place, or appends a new entry.
  void Set(std::string key, Value value);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace dsinfer::jinja
