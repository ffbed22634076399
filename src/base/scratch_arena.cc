#include "base/scratch_arena.h"

#include <algorithm>
#include <utility>

#include "base/check.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define DSINFER_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define DSINFER_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define DSINFER_POISON(p, n) ((void)(p), (void)(n))
#define DSINFER_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace dsinfer {

namespace {

constexpr size_t kAlign = 64;
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kMinChunk = size_t{16} << 20;
#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kRedZone = 64;
#else
constexpr size_t kRedZone = 0;
#endif

}  // namespace

ScratchArena::~ScratchArena() {
  // The addresses go back to the system and a later mapping may reuse them: under
  // AddressSanitizer they must not stay poisoned.
  for (const HugePageMemory& c : chunks_) DSINFER_UNPOISON(c.data(), c.size());
}

ScratchArena& ScratchArena::ForThisThread() {
  thread_local ScratchArena arena;
  return arena;
}

void* ScratchArena::Bytes(size_t requested) {
  // Under AddressSanitizer each buffer is followed by a poisoned red zone, so an overflow into
  // the next buffer is reported as it would be between heap blocks.
  const size_t bytes = (requested + kRedZone + kAlign - 1) / kAlign * kAlign;
  if (!chunks_.empty() && offset_ + bytes <= chunks_[chunk_].size()) {
    char* p = ChunkData(chunk_) + offset_;
    offset_ += bytes;
    DSINFER_UNPOISON(p, requested);
    return p;
  }
  // The next chunk if it is large enough, else a new one placed there (later chunks stay for
  // later scopes; nothing before the current position is live-tracked by index past it).
  const size_t next = chunks_.empty() ? 0 : chunk_ + 1;
  if (next >= chunks_.size() || chunks_[next].size() < bytes) {
    const size_t size = std::max(kMinChunk, (bytes + kHugePage - 1) / kHugePage * kHugePage);
    HugePageMemory chunk = HugePageMemory::Map(size);
    CHECK(chunk.data() != nullptr) << "ScratchArena: cannot map " << size << " bytes";
    DSINFER_POISON(chunk.data(), size);
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(next), std::move(chunk));
  }
  chunk_ = next;
  offset_ = bytes;
  DSINFER_UNPOISON(ChunkData(chunk_), requested);
  return ChunkData(chunk_);
}

void ScratchArena::Restore(size_t chunk, size_t offset) {
  if (!chunks_.empty()) {
    // Everything from the restored position to the furthest chunk used since is free again.
    for (size_t c = chunk; c <= chunk_ && c < chunks_.size(); ++c) {
      const size_t from = c == chunk ? offset : 0;
      DSINFER_POISON(ChunkData(c) + from, chunks_[c].size() - from);
    }
  }
  chunk_ = chunk;
  offset_ = offset;
}

size_t ScratchArena::reserved_bytes() const {
  size_t total = 0;
  for (const HugePageMemory& c : chunks_) total += c.size();
  return total;
}

}  // namespace dsinfer
