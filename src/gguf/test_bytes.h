// Test helpers for src/gguf and the malformed-corpus generator (not part of dsinfer_gguf):
// GgufBytes builds GGUF files byte by byte. Nothing is validated, so any hostile layout can be
// written (wrong counts, bad offsets, ...). ScopedTempDir is a directory removed on destruction.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dsinfer::gguf::testing {

// gguf_type ids, spelled out so tests can also write ids that do not exist.
enum : uint32_t {
  kTypeU8 = 0,
  kTypeI8 = 1,
  kTypeU16 = 2,
  kTypeI16 = 3,
  kTypeU32 = 4,
  kTypeI32 = 5,
  kTypeF32 = 6,
  kTypeBool = 7,
  kTypeStr = 8,
  kTypeArr = 9,
  kTypeU64 = 10,
  kTypeI64 = 11,
  kTypeF64 = 12,
};

class GgufBytes {
 public:
  template <typename T>
  GgufBytes& Put(T v) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
    return *this;
  }
  GgufBytes& U8(uint8_t v) { return Put(v); }
  GgufBytes& U16(uint16_t v) { return Put(v); }
  GgufBytes& U32(uint32_t v) { return Put(v); }
  GgufBytes& I32(int32_t v) { return Put(v); }
  GgufBytes& U64(uint64_t v) { return Put(v); }
  GgufBytes& I64(int64_t v) { return Put(v); }
  GgufBytes& F32(float v) { return Put(v); }
  GgufBytes& F64(double v) { return Put(v); }
  GgufBytes& Raw(std::string_view s) {
    bytes_.append(s);
    return *this;
  }
  // u64 length + bytes.
  GgufBytes& Str(std::string_view s) { return U64(s.size()).Raw(s); }

  // Magic, version, tensor count, metadata count.
  GgufBytes& Header(uint32_t version, int64_t n_tensors, int64_t n_kv) {
    return Raw("GGUF").U32(version).I64(n_tensors).I64(n_kv);
  }
  // Key and type id; the caller appends the value.
  GgufBytes& Key(std::string_view key, uint32_t type) { return Str(key).U32(type); }
  GgufBytes& KvU16(std::string_view key, uint16_t v) { return Key(key, kTypeU16).U16(v); }
  GgufBytes& KvU32(std::string_view key, uint32_t v) { return Key(key, kTypeU32).U32(v); }
  GgufBytes& KvI32(std::string_view key, int32_t v) { return Key(key, kTypeI32).I32(v); }
  GgufBytes& KvStr(std::string_view key, std::string_view v) { return Key(key, kTypeStr).Str(v); }

  // name, n_dims, ne..., type, offset.
  GgufBytes& TensorInfo(std::string_view name, const std::vector<int64_t>& ne, uint32_t type,
                        uint64_t offset) {
    Str(name).U32(static_cast<uint32_t>(ne.size()));
    for (int64_t n : ne) I64(n);
    return U32(type).U64(offset);
  }
  // Zero bytes up to a multiple of `alignment`.
  GgufBytes& PadTo(uint64_t alignment) {
    while (bytes_.size() % alignment != 0) bytes_.push_back('\0');
    return *this;
  }
  // `n` bytes of a deterministic pattern (tensor data).
  GgufBytes& Fill(size_t n, uint8_t seed = 1) {
    for (size_t i = 0; i < n; ++i) bytes_.push_back(static_cast<char>((i * 31 + seed) & 0xff));
    return *this;
  }

  size_t size() const { return bytes_.size(); }
  const std::string& bytes() const { return bytes_; }
  std::string& mutable_bytes() { return bytes_; }

  // Writes the bytes to `path`; false on failure.
  bool WriteTo(const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return false;
    bool ok = std::fwrite(bytes_.data(), 1, bytes_.size(), f) == bytes_.size();
    return std::fclose(f) == 0 && ok;
  }

 private:
  std::string bytes_;
};

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/dsinfer_gguf_XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScopedTempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  // Empty if the directory could not be created.
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace dsinfer::gguf::testing
