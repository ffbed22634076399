#include "chat/jinja/value_ops.h"

#include <cmath>
#include <limits>

#include "chat/jinja/text_util.h"

namespace dsinfer::jinja {

namespace {

std::string JoinRepr(const ValueList& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += ToPythonRepr(items[i]);
  }
  return out;
}

std::string DictRepr(const ValueDict& dict) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : dict) {
    if (!first) out += ", ";
    first = false;
    out += PythonStringRepr(key) + ": " + ToPythonRepr(value);
  }
  return out + "}";
}

Status TypeError(std::string message) { return InvalidArgument(std::move(message)); }

std::string Quoted(const char* type_name) { return std::string("'") + type_name + "'"; }

// Python's float floor division and modulo (Objects/floatobject.c float_divmod).
void FloatDivMod(double a, double b, double* floordiv, double* mod) {
  double m = std::fmod(a, b);
  double div = (a - m) / b;
  if (m != 0.0) {
    if ((b < 0) != (m < 0)) {
      m += b;
      div -= 1.0;
    }
  } else {
    m = std::copysign(0.0, b);
  }
  double fd;
  if (div != 0.0) {
    fd = std::floor(div);
    if (div - fd > 0.5) fd += 1.0;
  } else {
    fd = std::copysign(0.0, a / b);
  }
  *floordiv = fd;
  *mod = m;
}

Expected<Value> Repeat(const Value& seq, int64_t times) {
  if (times < 0) times = 0;
  if (seq.is_string()) {
    const std::string& s = seq.as_string();
    if (!s.empty() && static_cast<uint64_t>(times) > (uint64_t{1} << 30) / s.size()) {
      return ResourceExhausted("string repetition is too large");
    }
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += s;
    return Value::String(std::move(out));
  }
  const ValueList& items = seq.as_list();
  if (!items.empty() && static_cast<uint64_t>(times) > (uint64_t{1} << 24) / items.size()) {
    return ResourceExhausted("list repetition is too large");
  }
  ValueList out;
  for (int64_t i = 0; i < times; ++i) out.insert(out.end(), items.begin(), items.end());
  return seq.is_tuple() ? Value::Tuple(std::move(out)) : Value::List(std::move(out));
}

const char* OperatorSymbol(BinaryOperator op) {
  switch (op) {
    case BinaryOperator::kAdd:
      return "+";
    case BinaryOperator::kSub:
      return "-";
    case BinaryOperator::kMul:
      return "*";
    case BinaryOperator::kDiv:
      return "/";
    case BinaryOperator::kFloorDiv:
      return "//";
    case BinaryOperator::kMod:
      return "%";
    case BinaryOperator::kPow:
      return "**";
  }
  return "?";
}

Expected<Value> IntArithmetic(BinaryOperator op, int64_t a, int64_t b) {
  int64_t r = 0;
  const Status overflow =
      InvalidArgument("integer overflow in '" + std::string(OperatorSymbol(op)) + "'");
  switch (op) {
    case BinaryOperator::kAdd:
      if (__builtin_add_overflow(a, b, &r)) return overflow;
      return Value::Int(r);
    case BinaryOperator::kSub:
      if (__builtin_sub_overflow(a, b, &r)) return overflow;
      return Value::Int(r);
    case BinaryOperator::kMul:
      if (__builtin_mul_overflow(a, b, &r)) return overflow;
      return Value::Int(r);
    case BinaryOperator::kDiv:
      if (b == 0) return InvalidArgument("division by zero");
      return Value::Float(static_cast<double>(a) / static_cast<double>(b));
    case BinaryOperator::kFloorDiv:
    case BinaryOperator::kMod: {
      if (b == 0) return InvalidArgument("integer division or modulo by zero");
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return overflow;
      int64_t q = a / b;
      int64_t m = a % b;
      if (m != 0 && ((m < 0) != (b < 0))) {
        q -= 1;
        m += b;
      }
      return Value::Int(op == BinaryOperator::kFloorDiv ? q : m);
    }
    case BinaryOperator::kPow: {
      if (b < 0) return Value::Float(std::pow(static_cast<double>(a), static_cast<double>(b)));
      int64_t result = 1;
      int64_t base = a;
      int64_t exp = b;
      while (exp > 0) {
        if (exp & 1) {
          if (__builtin_mul_overflow(result, base, &result)) return overflow;
        }
        exp >>= 1;
        if (exp > 0 && __builtin_mul_overflow(base, base, &base)) return overflow;
      }
      return Value::Int(result);
    }
  }
  return overflow;
}

Expected<Value> FloatArithmetic(BinaryOperator op, double a, double b) {
  switch (op) {
    case BinaryOperator::kAdd:
      return Value::Float(a + b);
    case BinaryOperator::kSub:
      return Value::Float(a - b);
    case BinaryOperator::kMul:
      return Value::Float(a * b);
    case BinaryOperator::kDiv:
      if (b == 0.0) return InvalidArgument("float division by zero");
      return Value::Float(a / b);
    case BinaryOperator::kFloorDiv:
    case BinaryOperator::kMod: {
      if (b == 0.0) return InvalidArgument("float floor division or modulo by zero");
      double fd, m;
      FloatDivMod(a, b, &fd, &m);
      return Value::Float(op == BinaryOperator::kFloorDiv ? fd : m);
    }
    case BinaryOperator::kPow:
      return Value::Float(std::pow(a, b));
  }
  return InvalidArgument("bad operator");
}

// Normalizes a slice bound to an index in [lower, upper] (CPython PySlice_AdjustIndices).
int64_t AdjustBound(int64_t bound, int64_t length, int64_t step) {
  if (bound < 0) {
    bound += length;
    if (bound < 0) bound = step < 0 ? -1 : 0;
  } else if (bound >= length) {
    bound = step < 0 ? length - 1 : length;
  }
  return bound;
}

}  // namespace

std::string ToPythonStr(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return "";
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return v.as_bool() ? "True" : "False";
    case Value::Kind::kInt:
      return std::to_string(v.as_int());
    case Value::Kind::kFloat:
      return FormatPythonFloat(v.as_float());
    case Value::Kind::kString:
      return v.as_string();
    case Value::Kind::kList: {
      std::string out(1, v.is_tuple() ? '(' : '[');
      out += JoinRepr(v.as_list());
      if (v.is_tuple() && v.as_list().size() == 1) out.push_back(',');
      out.push_back(v.is_tuple() ? ')' : ']');
      return out;
    }
    case Value::Kind::kDict:
      return DictRepr(v.as_dict());
    case Value::Kind::kNamespace: {
      std::string out = "<Namespace ";
      out += DictRepr(v.namespace_attributes());
      out.push_back('>');
      return out;
    }
    case Value::Kind::kCallable: {
      std::string out = "<function ";
      out += v.name();
      out.push_back('>');
      return out;
    }
  }
  return "";
}

std::string ToPythonRepr(const Value& v) {
  if (v.is_string()) return PythonStringRepr(v.as_string());
  if (v.is_undefined()) return "Undefined";
  return ToPythonStr(v);
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kString:
      return a.as_string() == b.as_string();
    case Value::Kind::kList: {
      if (a.is_tuple() != b.is_tuple()) return false;
      const ValueList& x = a.as_list();
      const ValueList& y = b.as_list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!ValuesEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case Value::Kind::kDict: {
      const ValueDict& x = a.as_dict();
      const ValueDict& y = b.as_dict();
      if (x.size() != y.size()) return false;
      for (const auto& [key, value] : x) {
        const Value* other = y.Find(key);
        if (other == nullptr || !ValuesEqual(value, *other)) return false;
      }
      return true;
    }
    case Value::Kind::kNamespace:
      return &a.namespace_attributes() == &b.namespace_attributes();
    case Value::Kind::kCallable:
      return &a.as_function() == &b.as_function();
    default:
      return false;
  }
}

Expected<int> CompareValues(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) {
      double x = a.as_float(), y = b.as_float();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    int64_t x = a.as_int(), y = b.as_int();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
    const ValueList& x = a.as_list();
    const ValueList& y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (ValuesEqual(x[i], y[i])) continue;
      return CompareValues(x[i], y[i]);
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  if (a.is_undefined()) return Status(TypeError(UndefinedMessage(a)));
  if (b.is_undefined()) return Status(TypeError(UndefinedMessage(b)));
  return TypeError("'<' not supported between instances of " + Quoted(a.TypeName()) + " and " +
                   Quoted(b.TypeName()));
}

Expected<Value> ApplyBinary(BinaryOperator op, const Value& a, const Value& b) {
  if (a.is_undefined()) return Status(TypeError(UndefinedMessage(a)));
  if (b.is_undefined()) return Status(TypeError(UndefinedMessage(b)));
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return FloatArithmetic(op, a.as_float(), b.as_float());
    return IntArithmetic(op, a.as_int(), b.as_int());
  }
  if (op == BinaryOperator::kAdd) {
    if (a.is_string() && b.is_string()) return Value::String(a.as_string() + b.as_string());
    if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
      ValueList out = a.as_list();
      out.insert(out.end(), b.as_list().begin(), b.as_list().end());
      return a.is_tuple() ? Value::Tuple(std::move(out)) : Value::List(std::move(out));
    }
    if (a.is_string() || a.is_list()) {
      return TypeError(std::string("can only concatenate ") + a.TypeName() + " (not \"" +
                       b.TypeName() + "\") to " + a.TypeName());
    }
  }
  if (op == BinaryOperator::kMul) {
    if ((a.is_string() || a.is_list()) && (b.is_int() || b.is_bool())) return Repeat(a, b.as_int());
    if ((b.is_string() || b.is_list()) && (a.is_int() || a.is_bool())) return Repeat(b, a.as_int());
  }
  return TypeError(std::string("unsupported operand type(s) for ") + OperatorSymbol(op) + ": " +
                   Quoted(a.TypeName()) + " and " + Quoted(b.TypeName()));
}

Expected<Value> ApplyNegate(const Value& v) {
  if (v.is_float()) return Value::Float(-v.as_float());
  if (v.is_int() || v.is_bool()) {
    if (v.as_int() == std::numeric_limits<int64_t>::min()) {
      return InvalidArgument("integer overflow in unary '-'");
    }
    return Value::Int(-v.as_int());
  }
  if (v.is_undefined()) return Status(TypeError(UndefinedMessage(v)));
  return TypeError(std::string("bad operand type for unary -: ") + Quoted(v.TypeName()));
}

Expected<Value> ApplyUnaryPlus(const Value& v) {
  if (v.is_float()) return v;
  if (v.is_int() || v.is_bool()) return Value::Int(v.as_int());
  if (v.is_undefined()) return Status(TypeError(UndefinedMessage(v)));
  return TypeError(std::string("bad operand type for unary +: ") + Quoted(v.TypeName()));
}

Expected<bool> ContainsValue(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::kUndefined:
      return false;
    case Value::Kind::kString:
      if (!item.is_string()) {
        return TypeError(std::string("'in <string>' requires string as left operand, not ") +
                         item.TypeName());
      }
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::kList:
      for (const Value& element : container.as_list()) {
        if (ValuesEqual(element, item)) return true;
      }
      return false;
    case Value::Kind::kDict:
      return item.is_string() && container.as_dict().Find(item.as_string()) != nullptr;
    default:
      return TypeError(std::string("argument of type ") + Quoted(container.TypeName()) +
                       " is not iterable");
  }
}

Expected<int64_t> LengthOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return int64_t{0};
    case Value::Kind::kString:
      return static_cast<int64_t>(CodePointCount(v.as_string()));
    case Value::Kind::kList:
      return static_cast<int64_t>(v.as_list().size());
    case Value::Kind::kDict:
      return static_cast<int64_t>(v.as_dict().size());
    default:
      return TypeError(std::string("object of type ") + Quoted(v.TypeName()) + " has no len()");
  }
}

Expected<ValueList> IterateValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return ValueList{};
    case Value::Kind::kList:
      return v.as_list();
    case Value::Kind::kDict: {
      ValueList keys;
      for (const auto& entry : v.as_dict()) keys.push_back(Value::String(entry.first));
      return keys;
    }
    case Value::Kind::kString: {
      const std::string& s = v.as_string();
      std::vector<size_t> offsets = CodePointOffsets(s);
      ValueList chars;
      for (size_t i = 0; i + 1 < offsets.size(); ++i) {
        chars.push_back(Value::String(s.substr(offsets[i], offsets[i + 1] - offsets[i])));
      }
      return chars;
    }
    default:
      return TypeError(Quoted(v.TypeName()) + " object is not iterable");
  }
}

Expected<Value> GetItem(const Value& v, const Value& key) {
  if (v.is_undefined()) return Status(InvalidArgument(UndefinedMessage(v)));
  std::string missing = "'";
  missing += v.TypeName();
  missing += " object' has no attribute ";
  missing += ToPythonRepr(key);
  if ((v.is_list() || v.is_string()) && (key.is_int() || key.is_bool())) {
    int64_t index = key.as_int();
    if (v.is_list()) {
      const ValueList& items = v.as_list();
      int64_t n = static_cast<int64_t>(items.size());
      if (index < 0) index += n;
      if (index < 0 || index >= n) return Value::Undefined(missing);
      return items[static_cast<size_t>(index)];
    }
    const std::string& s = v.as_string();
    std::vector<size_t> offsets = CodePointOffsets(s);
    int64_t n = static_cast<int64_t>(offsets.size()) - 1;
    if (index < 0) index += n;
    if (index < 0 || index >= n) return Value::Undefined(missing);
    size_t i = static_cast<size_t>(index);
    return Value::String(s.substr(offsets[i], offsets[i + 1] - offsets[i]));
  }
  if (key.is_string()) {
    const Value* found = nullptr;
    if (v.is_dict()) found = v.as_dict().Find(key.as_string());
    if (v.is_namespace()) found = v.namespace_attributes().Find(key.as_string());
    if (found != nullptr) return *found;
  }
  return Value::Undefined(missing);
}

Expected<Value> GetSlice(const Value& v, const std::optional<Value>& start,
                         const std::optional<Value>& stop, const std::optional<Value>& step) {
  if (v.is_undefined()) return Status(InvalidArgument(UndefinedMessage(v)));
  if (!v.is_string() && !v.is_list()) {
    return TypeError(Quoted(v.TypeName()) + " object is not subscriptable");
  }
  const auto bound = [](const std::optional<Value>& b, std::optional<int64_t>* out) -> Status {
    if (!b.has_value() || b->is_none()) return Status::Ok();
    if (!b->is_int() && !b->is_bool()) {
      return TypeError("slice indices must be integers or None");
    }
    *out = b->as_int();
    return Status::Ok();
  };
  std::optional<int64_t> start_i, stop_i, step_i;
  DSINFER_RETURN_IF_ERROR(bound(start, &start_i));
  DSINFER_RETURN_IF_ERROR(bound(stop, &stop_i));
  DSINFER_RETURN_IF_ERROR(bound(step, &step_i));
  int64_t st = step_i.value_or(1);
  if (st == 0) return InvalidArgument("slice step cannot be zero");

  std::vector<size_t> offsets;
  int64_t length;
  if (v.is_string()) {
    offsets = CodePointOffsets(v.as_string());
    length = static_cast<int64_t>(offsets.size()) - 1;
  } else {
    length = static_cast<int64_t>(v.as_list().size());
  }
  int64_t lo = start_i ? AdjustBound(*start_i, length, st) : (st < 0 ? length - 1 : 0);
  int64_t hi = stop_i ? AdjustBound(*stop_i, length, st) : (st < 0 ? -1 : length);
  std::vector<int64_t> picked;
  for (int64_t i = lo; st > 0 ? i < hi : i > hi; i += st) picked.push_back(i);

  if (v.is_string()) {
    const std::string& s = v.as_string();
    std::string out;
    for (int64_t i : picked) {
      size_t k = static_cast<size_t>(i);
      out.append(s, offsets[k], offsets[k + 1] - offsets[k]);
    }
    return Value::String(std::move(out));
  }
  ValueList out;
  for (int64_t i : picked) out.push_back(v.as_list()[static_cast<size_t>(i)]);
  return v.is_tuple() ? Value::Tuple(std::move(out)) : Value::List(std::move(out));
}

std::string UndefinedMessage(const Value& undefined) {
  if (!undefined.name().empty()) return undefined.name();
  return "value is undefined";
}

}  // namespace dsinfer::jinja
