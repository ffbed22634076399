// DType: the tensor element types of GGUF (ggml type ids) and their block geometry.
// A row of `n` elements of a block type occupies (n / block_size) * type_size bytes.
// Pure data and functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dsinfer {

// Values are the ggml type ids stored in GGUF tensor infos (spec §2.1).
enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kMXFP4 = 39,
  kNVFP4 = 40,
};

struct DTypeTraits {
  DType type;
  const char* name;      // as llama.cpp prints it: "Q4_K", "F16", ...
  uint32_t block_size;   // elements per block (1 for plain types)
  uint32_t type_size;    // bytes per block
  bool dequantizable;    // dsinfer can convert it to f32
};

// Traits of a known ggml type id, or nullopt for ids that are unknown or retired.
// Types whose geometry is known but that dsinfer cannot compute with have dequantizable=false.
std::optional<DTypeTraits> LookupDType(uint32_t id);

// Traits of a type that is known to exist (CHECK-fails otherwise).
const DTypeTraits& Traits(DType type);

inline const char* DTypeName(DType type) { return Traits(type).name; }

// Parses a type name ("q4_k", "Q8_0", "f32"; case-insensitive).
std::optional<DType> ParseDType(std::string_view name);

// Bytes of one row of `n` elements; nullopt if n is not a multiple of the block size.
std::optional<uint64_t> RowBytes(DType type, uint64_t n);

}  // namespace dsinfer
