// OutputFile: a buffered, append-only file writer that reports failures as Status.
// Writes go to "<path>.tmp" and the file is renamed into place by Commit(), so a failed or
// interrupted write never leaves a half-written file under the final name.
// Not thread-safe; move-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace dsinfer {

class OutputFile {
 public:
  static Expected<OutputFile> Create(const std::string& path);

  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // Removes the temporary file if Commit() was not reached.
  ~OutputFile();

  Status Write(const void* data, size_t n);
  // Writes zero bytes until Tell() is a multiple of `alignment`.
  Status PadTo(uint64_t alignment);
  uint64_t Tell() const { return offset_; }
  // Flushes, fsyncs and renames the temporary file to the final path.
  Status Commit();

  const std::string& path() const { return path_; }

 private:
  OutputFile() = default;
  Status Flush();

  std::string path_;
  std::string tmp_path_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  std::vector<uint8_t> buffer_;
  bool committed_ = false;
};

}  // namespace dsinfer
