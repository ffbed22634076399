// ApiKeyStore: the API keys a server accepts, checked in constant time.
//
// Keys come from a file (one per line: "key" or "id: key"; blank lines and '#' comments skipped)
// and/or a comma-separated list (DSINFER_API_KEYS). Only SHA-256 digests of the keys are kept.
// A presented key is hashed and compared with every stored digest using CRYPTO_memcmp, without
// stopping at the first match, so the time taken does not reveal which bytes matched.
// Each key has an id for logs and rate limiting: the id given in the file, else "key-" plus the
// first 8 hex digits of its SHA-256 — never the key itself.
//
// Thread-safety: immutable after Load; Check is safe from any number of threads.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dsinfer::server {

class ApiKeyStore {
 public:
  // No keys: authentication disabled.
  ApiKeyStore() = default;

  // Reads `key_file` (may be empty) and adds `key_list`. Errors name the file and line.
  static Expected<ApiKeyStore> Load(const std::string& key_file, const std::string& key_list);
  // Adds one key (for Load and tests). Empty keys are rejected.
  Status Add(std::string_view key, std::string id = "");

  bool enabled() const { return !keys_.empty(); }
  size_t size() const { return keys_.size(); }

  // The id of the key presented in an "Authorization: Bearer <key>" header value (or an
  // "x-api-key" value), or nullopt when it matches none.
  std::optional<std::string> Check(std::string_view presented) const;

  // "Bearer abc" -> "abc"; other schemes or malformed headers -> empty.
  static std::string_view BearerToken(std::string_view authorization);

 private:
  struct Entry {
    std::array<unsigned char, 32> digest;
    std::string id;
  };
  std::vector<Entry> keys_;
};

}  // namespace dsinfer::server
