#include "gguf/value.h"

#include <charconv>
#include <cstring>
#include <limits>

#include "base/check.h"

namespace dsinfer::gguf {

namespace {

bool IsSignedType(ValueType t) {
  return t == ValueType::kInt8 || t == ValueType::kInt16 || t == ValueType::kInt32 ||
         t == ValueType::kInt64;
}

uint32_t FloatBits(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return bits;
}

uint64_t DoubleBits(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return bits;
}

// Shortest text that reads back as the same float (or double).
template <typename F>
std::string FloatText(F v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

// Quotes `s` for display: escapes quotes, backslashes and control bytes; ends with `..."`
// when it had to be cut to about `max_chars`.
std::string QuoteString(const std::string& s, size_t max_chars) {
  std::string out = "\"";
  size_t budget = max_chars > 2 ? max_chars - 2 : 1;
  bool cut = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() - 1 >= budget) {
      cut = true;
      break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (cut) out += "...";
  out += '"';
  return out;
}

}  // namespace

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kUint8:
      return "u8";
    case ValueType::kInt8:
      return "i8";
    case ValueType::kUint16:
      return "u16";
    case ValueType::kInt16:
      return "i16";
    case ValueType::kUint32:
      return "u32";
    case ValueType::kInt32:
      return "i32";
    case ValueType::kFloat32:
      return "f32";
    case ValueType::kBool:
      return "bool";
    case ValueType::kString:
      return "str";
    case ValueType::kArray:
      return "arr";
    case ValueType::kUint64:
      return "u64";
    case ValueType::kInt64:
      return "i64";
    case ValueType::kFloat64:
      return "f64";
  }
  return "?";
}

std::optional<ValueType> ValueTypeFromId(uint32_t id) {
  if (id > static_cast<uint32_t>(ValueType::kFloat64)) return std::nullopt;
  return static_cast<ValueType>(id);
}

GgufValue GgufValue::U8(uint8_t v) {
  GgufValue r;
  r.type_ = ValueType::kUint8;
  r.u_ = v;
  return r;
}
GgufValue GgufValue::I8(int8_t v) {
  GgufValue r;
  r.type_ = ValueType::kInt8;
  r.u_ = static_cast<uint64_t>(static_cast<int64_t>(v));
  return r;
}
GgufValue GgufValue::U16(uint16_t v) {
  GgufValue r;
  r.type_ = ValueType::kUint16;
  r.u_ = v;
  return r;
}
GgufValue GgufValue::I16(int16_t v) {
  GgufValue r;
  r.type_ = ValueType::kInt16;
  r.u_ = static_cast<uint64_t>(static_cast<int64_t>(v));
  return r;
}
GgufValue GgufValue::U32(uint32_t v) {
  GgufValue r;
  r.type_ = ValueType::kUint32;
  r.u_ = v;
  return r;
}
GgufValue GgufValue::I32(int32_t v) {
  GgufValue r;
  r.type_ = ValueType::kInt32;
  r.u_ = static_cast<uint64_t>(static_cast<int64_t>(v));
  return r;
}
GgufValue GgufValue::F32(float v) {
  GgufValue r;
  r.type_ = ValueType::kFloat32;
  r.f_ = v;
  r.u_ = FloatBits(v);  // exact bits, so NaN payloads survive a round trip
  return r;
}
GgufValue GgufValue::Bool(bool v) {
  GgufValue r;
  r.type_ = ValueType::kBool;
  r.u_ = v ? 1 : 0;
  return r;
}
GgufValue GgufValue::Str(std::string v) {
  GgufValue r;
  r.type_ = ValueType::kString;
  r.s_ = std::move(v);
  return r;
}
GgufValue GgufValue::U64(uint64_t v) {
  GgufValue r;
  r.type_ = ValueType::kUint64;
  r.u_ = v;
  return r;
}
GgufValue GgufValue::I64(int64_t v) {
  GgufValue r;
  r.type_ = ValueType::kInt64;
  r.u_ = static_cast<uint64_t>(v);
  return r;
}
GgufValue GgufValue::F64(double v) {
  GgufValue r;
  r.type_ = ValueType::kFloat64;
  r.f_ = v;
  r.u_ = DoubleBits(v);
  return r;
}

GgufValue GgufValue::Array(ValueType elem_type, std::vector<GgufValue> elems) {
  for (const GgufValue& e : elems) {
    CHECK(e.type() == elem_type) << "array of " << ValueTypeName(elem_type) << " holds a "
                                 << ValueTypeName(e.type());
  }
  GgufValue r;
  r.type_ = ValueType::kArray;
  r.elem_type_ = elem_type;
  r.arr_ = std::move(elems);
  return r;
}

GgufValue GgufValue::StrArray(const std::vector<std::string>& v) {
  std::vector<GgufValue> elems;
  elems.reserve(v.size());
  for (const auto& s : v) elems.push_back(Str(s));
  return Array(ValueType::kString, std::move(elems));
}
GgufValue GgufValue::I32Array(const std::vector<int32_t>& v) {
  std::vector<GgufValue> elems;
  elems.reserve(v.size());
  for (int32_t x : v) elems.push_back(I32(x));
  return Array(ValueType::kInt32, std::move(elems));
}
GgufValue GgufValue::F32Array(const std::vector<float>& v) {
  std::vector<GgufValue> elems;
  elems.reserve(v.size());
  for (float x : v) elems.push_back(F32(x));
  return Array(ValueType::kFloat32, std::move(elems));
}
GgufValue GgufValue::U32Array(const std::vector<uint32_t>& v) {
  std::vector<GgufValue> elems;
  elems.reserve(v.size());
  for (uint32_t x : v) elems.push_back(U32(x));
  return Array(ValueType::kUint32, std::move(elems));
}

bool GgufValue::is_integer() const {
  switch (type_) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kUint16:
    case ValueType::kInt16:
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kUint64:
    case ValueType::kInt64:
      return true;
    default:
      return false;
  }
}

bool GgufValue::is_float() const {
  return type_ == ValueType::kFloat32 || type_ == ValueType::kFloat64;
}

uint64_t GgufValue::as_u64() const {
  CHECK(is_integer() || type_ == ValueType::kBool)
      << "as_u64 on a " << ValueTypeName(type_) << " value";
  if (IsSignedType(type_)) {
    CHECK(static_cast<int64_t>(u_) >= 0) << "as_u64 on negative " << static_cast<int64_t>(u_);
  }
  return u_;
}

int64_t GgufValue::as_i64() const {
  CHECK(is_integer() || type_ == ValueType::kBool)
      << "as_i64 on a " << ValueTypeName(type_) << " value";
  if (type_ == ValueType::kUint64) {
    CHECK(u_ <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        << "as_i64 on u64 " << u_;
  }
  return static_cast<int64_t>(u_);
}

double GgufValue::as_f64() const {
  if (is_float()) return f_;
  CHECK(is_integer()) << "as_f64 on a " << ValueTypeName(type_) << " value";
  if (IsSignedType(type_)) return static_cast<double>(static_cast<int64_t>(u_));
  return static_cast<double>(u_);
}

bool GgufValue::as_bool() const {
  CHECK(type_ == ValueType::kBool) << "as_bool on a " << ValueTypeName(type_) << " value";
  return u_ != 0;
}

const std::string& GgufValue::as_string() const {
  CHECK(type_ == ValueType::kString) << "as_string on a " << ValueTypeName(type_) << " value";
  return s_;
}

const std::vector<GgufValue>& GgufValue::as_array() const {
  CHECK(type_ == ValueType::kArray) << "as_array on a " << ValueTypeName(type_) << " value";
  return arr_;
}

uint64_t GgufValue::raw_bits() const {
  CHECK(type_ != ValueType::kString && type_ != ValueType::kArray)
      << "raw_bits on a " << ValueTypeName(type_) << " value";
  return u_;
}

std::string GgufValue::TypeString() const {
  if (type_ != ValueType::kArray) return ValueTypeName(type_);
  std::string inner = ValueTypeName(elem_type_);
  if (elem_type_ == ValueType::kArray && !arr_.empty()) inner = arr_[0].TypeString();
  return "arr[" + inner + "," + std::to_string(arr_.size()) + "]";
}

bool GgufValue::operator==(const GgufValue& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case ValueType::kString:
      return s_ == other.s_;
    case ValueType::kArray:
      return elem_type_ == other.elem_type_ && arr_ == other.arr_;
    default:
      return u_ == other.u_;  // integers, bool, and the exact bits of floats
  }
}

std::string GgufValue::ToString(size_t max_chars) const {
  switch (type_) {
    case ValueType::kUint8:
    case ValueType::kUint16:
    case ValueType::kUint32:
    case ValueType::kUint64:
      return std::to_string(u_);
    case ValueType::kInt8:
    case ValueType::kInt16:
    case ValueType::kInt32:
    case ValueType::kInt64:
      return std::to_string(static_cast<int64_t>(u_));
    case ValueType::kFloat32:
      return FloatText(static_cast<float>(f_));
    case ValueType::kFloat64:
      return FloatText(f_);
    case ValueType::kBool:
      return u_ != 0 ? "true" : "false";
    case ValueType::kString:
      return QuoteString(s_, max_chars);
    case ValueType::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < arr_.size(); ++i) {
        if (i > 0) out += ", ";
        if (out.size() >= max_chars) {
          out += "...";
          break;
        }
        size_t left = max_chars - out.size();
        out += arr_[i].ToString(left < 8 ? 8 : left);
      }
      out += "]";
      return out;
    }
  }
  return "?";
}

}  // namespace dsinfer::gguf
