#include "server/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstdio>
#include <fstream>

namespace dsinfer::server {

namespace {

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

Status ApiKeyStore::Add(std::string_view key, std::string id) {
  key = TrimView(key);
  if (key.empty()) return InvalidArgument("empty API key");
  Entry e;
  e.digest = Sha256(key);
  if (id.empty()) {
    char hex[9];
    std::snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", e.digest[0], e.digest[1], e.digest[2], e.digest[3]);
    id = std::string("key-") + hex;
  }
  e.id = std::move(id);
  keys_.push_back(std::move(e));
  return Status::Ok();
}

Expected<ApiKeyStore> ApiKeyStore::Load(const std::string& key_file, const std::string& key_list) {
  ApiKeyStore store;
  if (!key_file.empty()) {
    std::ifstream in(key_file);
    if (!in) return NotFound("api_key_file " + key_file + ": cannot be opened");
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      std::string_view l = TrimView(line);
      if (l.empty() || l.front() == '#') continue;
      std::string id;
      const size_t colon = l.find(": ");
      if (colon != std::string_view::npos) {
        id = std::string(TrimView(l.substr(0, colon)));
        l = TrimView(l.substr(colon + 2));
      }
      Status st = store.Add(l, id);
      if (!st.ok()) return InvalidArgument("api_key_file " + key_file + ":" + std::to_string(line_no) + ": " + st.message());
    }
  }
  size_t start = 0;
  while (start <= key_list.size()) {
    size_t comma = key_list.find(',', start);
    if (comma == std::string::npos) comma = key_list.size();
    std::string_view k = TrimView(std::string_view(key_list).substr(start, comma - start));
    if (!k.empty()) DSINFER_RETURN_IF_ERROR(store.Add(k));
    start = comma + 1;
  }
  return store;
}

std::optional<std::string> ApiKeyStore::Check(std::string_view presented) const {
  if (presented.empty()) return std::nullopt;
  const auto digest = Sha256(presented);
  const Entry* match = nullptr;
  for (const auto& e : keys_) {
    // Constant time per comparison, and every key is compared.
    const bool equal = CRYPTO_memcmp(digest.data(), e.digest.data(), digest.size()) == 0;
    if (equal && match == nullptr) match = &e;
  }
  if (match == nullptr) return std::nullopt;
  return match->id;
}

std::string_view ApiKeyStore::BearerToken(std::string_view authorization) {
  authorization = TrimView(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  return TrimView(authorization.substr(kScheme.size()));
}

}  // namespace dsinfer::server
