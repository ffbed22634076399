// MappedFile: a read-only memory map of a whole file (RAII; unmapped on destruction).
// Thread-safe for concurrent reads once opened. Move-only: the mapping has one owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace dsinfer {

class MappedFile {
 public:
  // Maps `path` read-only. Errors name the path and the OS reason. An empty file maps to
  // data() == nullptr, size() == 0.
  static Expected<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  void Reset();

  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace dsinfer
