#include "cli/model_session.h"

#include <cstdio>

#include <cctype>

namespace dsinfer::cli {

void PrintPackSummary(const Model& model) {
  const PackSummary& p = model.pack_summary();
  if (!p.skipped_reason.empty()) {
    std::fprintf(stderr, "weights not packed for the fast kernels: %s\n", p.skipped_reason.c_str());
  } else if (p.packed_matrices > 0) {
    std::fprintf(stderr, "packed %d matrices (%.2f GiB) for the fast kernels%s%s%s\n", p.packed_matrices,
                 p.packed_bytes / 1073741824.0,
                 p.cache_path.empty() ? "" : (p.from_cache ? "; mapped from " : "; cached in "),
                 p.cache_path.c_str(),
                 p.evicted_source_pages
                     ? "; the file's pages were dropped from the page cache once packed (file and copy exceed memory)"
                     : "");
  }
}

namespace {
constexpr int kBlockSize = 16;
}

Expected<std::vector<int32_t>> ParseTokenList(const std::string& text) {
  std::vector<int32_t> ids;
  std::string cur;
  auto flush = [&]() -> Status {
    if (cur.empty()) return Status::Ok();
    char* end = nullptr;
    long v = std::strtol(cur.c_str(), &end, 10);
    if (*end != '\0' || v < 0 || v > INT32_MAX) return InvalidArgument("--tokens: '" + cur + "' is not a token id");
    ids.push_back(static_cast<int32_t>(v));
    cur.clear();
    return Status::Ok();
  };
  for (char ch : text) {
    if (ch == ',' || std::isspace(static_cast<unsigned char>(ch))) {
      DSINFER_RETURN_IF_ERROR(flush());
    } else {
      cur += ch;
    }
  }
  DSINFER_RETURN_IF_ERROR(flush());
  if (ids.empty()) return InvalidArgument("--tokens: no token ids given");
  return ids;
}

Expected<DType> ParseKvType(const std::string& text) {
  std::optional<DType> t = ParseDType(text);
  if (!t || (*t != DType::kF32 && *t != DType::kF16 && *t != DType::kBF16)) {
    return InvalidArgument("--kv-type must be f32, f16 or bf16, not '" + text + "'");
  }
  return *t;
}

Expected<std::unique_ptr<SingleSequence>> SingleSequence::Create(const Model& model, int max_tokens,
                                                                 DType kv_type) {
  const int n_blocks = (max_tokens + kBlockSize - 1) / kBlockSize;
  DSINFER_ASSIGN_OR_RETURN(KvCache kv, KvCache::Create(model.kv_layout(), kBlockSize, n_blocks, kv_type));
  std::vector<int32_t> table(static_cast<size_t>(n_blocks));
  std::iota(table.begin(), table.end(), 0);
  return std::unique_ptr<SingleSequence>(new SingleSequence(model, std::move(kv), std::move(table)));
}

Status SingleSequence::Append(const std::vector<int32_t>& tokens, bool all, ThreadPool& pool,
                              std::vector<float>* logits) {
  const int64_t capacity = static_cast<int64_t>(table_.size()) * kBlockSize;
  if (position_ + static_cast<int64_t>(tokens.size()) > capacity) {
    return ResourceExhausted("sequence would exceed its " + std::to_string(capacity) + "-token cache");
  }
  ForwardBatch batch;
  batch.sequences.push_back({tokens.data(), static_cast<int>(tokens.size()), position_, table_.data(),
                             static_cast<int>(table_.size()), all});
  DSINFER_RETURN_IF_ERROR(model_.Forward(batch, kv_, pool, logits));
  position_ += static_cast<int64_t>(tokens.size());
  return Status::Ok();
}

}  // namespace dsinfer::cli
