// GgufFile: a GGUF model opened for reading, memory-mapped, with zero-copy tensor views.
//
// Files are untrusted input. Open() validates everything before any use: magic, version (2 or
// 3), counts against the file size, string and array lengths, key uniqueness and UTF-8,
// general.alignment, tensor names (unique across splits), dimensions (≤ 4, non-negative,
// element count without int64 overflow, ne0 a multiple of the block size), known type ids,
// and that every tensor's data lies inside its file, is aligned, and follows the previous
// tensor's padded data without gap or overlap (llama.cpp requires tensors stored contiguously
// in declaration order). Arrays of arrays are accepted (nesting up to 8 levels). Every error is
// one line that starts with the file path and names the problem; no allocation is sized by the
// file before it is checked against the file's remaining bytes.
//
// Split models (NAME-00001-of-0000N.gguf) are opened from the first part; all metadata comes from
// it and tensors from every part. Tensor types that dsinfer cannot compute with (IQ*, TQ*,
// MXFP4) are still listed; they are rejected by whoever tries to use the data.
//
// Immutable after Open(); safe to read from many threads. Move-only (owns the mappings).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mapped_file.h"
#include "base/status.h"
#include "gguf/value.h"
#include "tensor/dtype.h"

namespace dsinfer::gguf {

struct TensorInfo {
  std::string name;
  DType type = DType::kF32;
  uint32_t n_dims = 0;
  int64_t ne[4] = {1, 1, 1, 1};  // ggml order: ne[0] is contiguous
  uint64_t offset = 0;           // relative to the data section of its split
  uint64_t nbytes = 0;
  uint32_t split = 0;             // index of the file that holds the data
  uint64_t file_offset = 0;       // absolute offset of the data in that file
  const uint8_t* data = nullptr;  // points into the mapping; valid while the GgufFile lives

  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
  // "[256, 4096]" style shape string with n_dims entries.
  std::string ShapeString() const;
};

struct MetadataEntry {
  std::string key;
  GgufValue value;
};

class GgufFile {
 public:
  // Opens and validates `path`; for a split model, also every sibling part.
  static Expected<GgufFile> Open(const std::string& path);
  // Parses a copy of `bytes` as a single-file model named `name` (for fuzzing and tests).
  // A model that declares split.count > 1 is an error: its other parts cannot be found.
  static Expected<GgufFile> OpenFromMemory(const std::string& name, std::string_view bytes);

  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;
  ~GgufFile();

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint32_t split_count() const;
  // Total bytes of all files.
  uint64_t file_bytes() const;

  // Metadata in file order (of the first split).
  const std::vector<MetadataEntry>& metadata() const { return metadata_; }
  // nullptr when absent.
  const GgufValue* Find(const std::string& key) const;

  // Typed access with llama.cpp's strictness: the stored type must be the expected one.
  // Errors: NotFound("<file>: key not found: <key>") or
  //         InvalidArgument("<file>: key <key> has type i32, expected u32").
  Expected<uint32_t> GetU32(const std::string& key) const;
  Expected<float> GetF32(const std::string& key) const;
  Expected<bool> GetBool(const std::string& key) const;
  Expected<std::string> GetString(const std::string& key) const;
  // Optional variants return `fallback` when the key is absent (wrong type is still an error).
  Expected<uint32_t> GetU32Or(const std::string& key, uint32_t fallback) const;
  Expected<float> GetF32Or(const std::string& key, float fallback) const;
  Expected<bool> GetBoolOr(const std::string& key, bool fallback) const;
  Expected<std::string> GetStringOr(const std::string& key, const std::string& fallback) const;

  // Tensors in file order (split 0 first).
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // nullptr when absent.
  const TensorInfo* FindTensor(const std::string& name) const;

 private:
  GgufFile() = default;
  friend class GgufParser;

  std::string path_;
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  std::vector<MappedFile> files_;
  std::vector<uint8_t> memory_;  // the bytes given to OpenFromMemory (then files_ is empty)
  uint32_t split_count_ = 1;
  uint64_t file_bytes_ = 0;
  std::vector<MetadataEntry> metadata_;
  std::map<std::string, size_t> metadata_index_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> tensor_index_;
};

}  // namespace dsinfer::gguf
