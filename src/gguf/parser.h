// Internal to src/gguf: the byte-level parser and validator of one GGUF file (one split).
// GgufFile::Open assembles one or more parsed splits into a model. Pure functions over a byte
// range; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gguf/reader.h"
#include "tensor/dtype.h"

namespace dsinfer::gguf::internal {

inline constexpr uint32_t kDefaultAlignment = 32;
// GGML_MAX_NAME is 64 including the terminating NUL.
inline constexpr uint64_t kMaxTensorNameBytes = 63;
inline constexpr uint32_t kMaxDims = 4;
// Arrays of arrays are legal here (llama.cpp rejects them); nesting is bounded so that hostile
// input cannot exhaust the stack.
inline constexpr int kMaxArrayNesting = 8;
// Array elements per file are bounded so that a hostile file cannot make the reader allocate
// much more than it holds (one GgufValue is ~80 bytes). Real vocabularies have < 1M entries.
inline constexpr uint64_t kMaxMetadataValues = uint64_t{1} << 24;

// One tensor info as declared in a split, validated against that split's size.
struct ParsedTensor {
  std::string name;
  DType type = DType::kF32;
  uint32_t n_dims = 0;
  int64_t ne[4] = {1, 1, 1, 1};
  uint64_t offset = 0;  // relative to the split's data section
  uint64_t nbytes = 0;
};

// Everything a split holds except the tensor data itself.
struct ParsedSplit {
  uint32_t version = 0;
  uint32_t alignment = kDefaultAlignment;
  uint64_t data_start = 0;  // absolute offset of the data section
  std::vector<MetadataEntry> metadata;
  std::map<std::string, size_t> metadata_index;
  std::vector<ParsedTensor> tensors;
};

// Parses and validates the GGUF file held in data[0, size); `path` starts every error message.
// Never reads outside the range; every count and length is checked against the bytes left
// before anything is allocated for it.
Expected<ParsedSplit> ParseSplit(const std::string& path, const uint8_t* data, uint64_t size);

// "[256, 4096]": the first n_dims entries of ne.
std::string ShapeText(uint32_t n_dims, const int64_t* ne);

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);

// `s` made safe for a one-line message: valid UTF-8 is kept, control characters and invalid
// bytes become \n, \xNN, ...; cut to about `max_bytes` with "..." appended.
std::string Printable(std::string_view s, size_t max_bytes = 80);

}  // namespace dsinfer::gguf::internal
