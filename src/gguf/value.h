// GgufValue: one metadata value of a GGUF file (scalar, string, or array, arrays may nest).
// Plain value type; copying is a deep copy of strings and arrays. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dsinfer::gguf {

// gguf_type ids as stored in the file (spec §1.1).
enum class ValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "arr", "u64", "i64", "f64".
const char* ValueTypeName(ValueType type);

// The ValueType with gguf_type id `id`, or nullopt for ids outside 0..12.
std::optional<ValueType> ValueTypeFromId(uint32_t id);

class GgufValue {
 public:
  GgufValue() = default;
  static GgufValue U8(uint8_t v);
  static GgufValue I8(int8_t v);
  static GgufValue U16(uint16_t v);
  static GgufValue I16(int16_t v);
  static GgufValue U32(uint32_t v);
  static GgufValue I32(int32_t v);
  static GgufValue F32(float v);
  static GgufValue Bool(bool v);
  static GgufValue Str(std::string v);
  static GgufValue U64(uint64_t v);
  static GgufValue I64(int64_t v);
  static GgufValue F64(double v);
  // An array whose elements all have type `elem_type` (CHECKed).
  static GgufValue Array(ValueType elem_type, std::vector<GgufValue> elems);
  static GgufValue StrArray(const std::vector<std::string>& v);
  static GgufValue I32Array(const std::vector<int32_t>& v);
  static GgufValue F32Array(const std::vector<float>& v);
  static GgufValue U32Array(const std::vector<uint32_t>& v);

  ValueType type() const { return type_; }
  // Element type of an array (meaningless for scalars).
  ValueType elem_type() const { return elem_type_; }

  bool is_integer() const;  // any of the 8 integer types
  bool is_float() const;    // F32 or F64

  // Scalar accessors; calling one on a value of another kind is a CHECK failure.
  uint64_t as_u64() const;  // any unsigned or non-negative signed integer, or bool
  int64_t as_i64() const;   // any integer that fits int64, or bool
  double as_f64() const;    // F32/F64 (integers are converted)
  bool as_bool() const;
  const std::string& as_string() const;
  const std::vector<GgufValue>& as_array() const;

  // The stored bit pattern of a scalar that is not a string: integers zero- or sign-extended
  // to 64 bits, bool as 0/1, F32 as its 32 IEEE bits, F64 as its 64 bits. CHECKs on str/arr.
  uint64_t raw_bits() const;

  // The type as llama.cpp prints it: "u32", "str", or "arr[str,102400]" for arrays.
  std::string TypeString() const;

  // Human-readable rendering; long arrays and strings are abbreviated to about `max_chars`:
  // strings are quoted and escaped, `"abc..."` when cut; arrays as `[1, 2, 3, ...]`.
  std::string ToString(size_t max_chars = 60) const;

  // Same type, same element type, same contents; floats compare by their exact bits.
  bool operator==(const GgufValue& other) const;

 private:
  ValueType type_ = ValueType::kUint8;
  ValueType elem_type_ = ValueType::kUint8;
  uint64_t u_ = 0;  // integers and bool (sign-extended bit pattern for signed types)
  double f_ = 0.0;  // floats
  std::string s_;
  std::vector<GgufValue> arr_;
};

}  // namespace dsinfer::gguf
