#include "chat/jinja/value.h"

namespace dsinfer::jinja {

const Value* CallArgs::Get(size_t index, std::string_view name) const {
  for (const auto& [key, value] : keyword) {
    if (key == name) return &value;
  }
  return index < positional.size() ? &positional[index] : nullptr;
}

Value Value::Undefined(std::string message) {
  Value v;
  v.str_ = std::move(message);
  return v;
}

Value Value::None() {
  Value v;
  v.kind_ = Kind::kNone;
  return v;
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.int_ = i;
  return v;
}

Value Value::Float(double d) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.float_ = d;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.str_ = std::move(s);
  return v;
}

Value Value::List(ValueList items) {
  Value v;
  v.kind_ = Kind::kList;
  v.list_ = std::make_shared<const ValueList>(std::move(items));
  return v;
}

Value Value::Tuple(ValueList items) {
  Value v = List(std::move(items));
  v.tuple_ = true;
  return v;
}

Value Value::Dict(ValueDict dict) {
  Value v;
  v.kind_ = Kind::kDict;
  v.dict_ = std::make_shared<const ValueDict>(std::move(dict));
  return v;
}

Value Value::Namespace(ValueDict attributes) {
  Value v;
  v.kind_ = Kind::kNamespace;
  v.namespace_ = std::make_shared<ValueDict>(std::move(attributes));
  return v;
}

Value Value::Function(std::string name, NativeFunction fn) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.str_ = std::move(name);
  v.fn_ = std::make_shared<const NativeFunction>(std::move(fn));
  return v;
}

bool Value::as_bool() const {
  CHECK(kind_ == Kind::kBool) << "Value is a " << TypeName() << ", not a bool";
  return bool_;
}

int64_t Value::as_int() const {
  CHECK(kind_ == Kind::kInt || kind_ == Kind::kBool)
      << "Value is a " << TypeName() << ", not an int";
  return kind_ == Kind::kBool ? (bool_ ? 1 : 0) : int_;
}

double Value::as_float() const {
  if (kind_ == Kind::kFloat) return float_;
  return static_cast<double>(as_int());
}

const std::string& Value::as_string() const {
  CHECK(kind_ == Kind::kString) << "Value is a " << TypeName() << ", not a str";
  return str_;
}

const ValueList& Value::as_list() const {
  CHECK(kind_ == Kind::kList) << "Value is a " << TypeName() << ", not a list";
  return *list_;
}

const ValueDict& Value::as_dict() const {
  CHECK(kind_ == Kind::kDict) << "Value is a " << TypeName() << ", not a dict";
  return *dict_;
}

ValueDict& Value::namespace_attributes() const {
  CHECK(kind_ == Kind::kNamespace) << "Value is a " << TypeName() << ", not a namespace";
  return *namespace_;
}

const NativeFunction& Value::as_function() const {
  CHECK(kind_ == Kind::kCallable) << "Value is a " << TypeName() << ", not callable";
  return *fn_;
}

bool Value::IsTruthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return bool_;
    case Kind::kInt:
      return int_ != 0;
    case Kind::kFloat:
      return float_ != 0.0;
    case Kind::kString:
      return !str_.empty();
    case Kind::kList:
      return !list_->empty();
    case Kind::kDict:
      return !dict_->empty();
    case Kind::kNamespace:
    case Kind::kCallable:
      return true;
  }
  return false;
}

const char* Value::TypeName() const {
  switch (kind_) {
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      return tuple_ ? "tuple" : "list";
    case Kind::kDict:
      return "dict";
    case Kind::kNamespace:
      return "Namespace";
    case Kind::kCallable:
      return "function";
  }
  return "?";
}

const Value* ValueDict::Find(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

void ValueDict::Set(std::string key, Value value) {
  for (auto& entry : entries_) {
    if (entry.first == key) {
      entry.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

}  // namespace dsinfer::jinja
