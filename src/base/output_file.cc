#include "base/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace dsinfer {

namespace {
constexpr size_t kBufferBytes = 4 << 20;
}

Expected<OutputFile> OutputFile::Create(const std::string& path) {
  OutputFile f;
  f.path_ = path;
  f.tmp_path_ = path + ".tmp";
  f.fd_ = ::open(f.tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f.fd_ < 0) return IoError(path + ": cannot create: " + std::strerror(errno));
  f.buffer_.reserve(kBufferBytes);
  return f;
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_path_(std::move(other.tmp_path_)),
      fd_(other.fd_),
      offset_(other.offset_),
      buffer_(std::move(other.buffer_)),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !tmp_path_.empty()) ::unlink(tmp_path_.c_str());
}

Status OutputFile::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path_ + ": write failed: " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

Status OutputFile::Write(const void* data, size_t n) {
  CHECK(fd_ >= 0) << "write after commit";
  const auto* p = static_cast<const uint8_t*>(data);
  offset_ += n;
  if (buffer_.size() + n > kBufferBytes) {
    DSINFER_RETURN_IF_ERROR(Flush());
    if (n >= kBufferBytes) {
      buffer_.assign(p, p + n);
      return Flush();
    }
  }
  buffer_.insert(buffer_.end(), p, p + n);
  return Status::Ok();
}

Status OutputFile::PadTo(uint64_t alignment) {
  CHECK(alignment > 0);
  static const uint8_t kZeros[256] = {};
  uint64_t pad = (alignment - offset_ % alignment) % alignment;
  while (pad > 0) {
    uint64_t n = pad < sizeof(kZeros) ? pad : sizeof(kZeros);
    DSINFER_RETURN_IF_ERROR(Write(kZeros, n));
    pad -= n;
  }
  return Status::Ok();
}

Status OutputFile::Commit() {
  DSINFER_RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0) return IoError(path_ + ": fsync failed: " + std::strerror(errno));
  if (::close(fd_) != 0) {
    fd_ = -1;
    return IoError(path_ + ": close failed: " + std::strerror(errno));
  }
  fd_ = -1;
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    return IoError(path_ + ": cannot rename from " + tmp_path_ + ": " + std::strerror(errno));
  }
  committed_ = true;
  return Status::Ok();
}

}  // namespace dsinfer
