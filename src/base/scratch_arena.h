// ScratchArena: per-thread scratch memory for the buffers of one forward pass, handed out in
// nested scopes and kept for the next pass.
//
// A prompt step allocates tens of MiB per layer (expert inputs and outputs, absorbed queries).
// From std::vector, glibc returns such blocks to the OS on free (above the mmap threshold, or
// from a worker thread's 64 MiB heaps), so each layer page-faulted and zero-filled them again:
// 44% of a 16-sequence prefill step in the engine. The arena keeps its chunks mapped (with
// transparent huge pages where the kernel allows) and reuses them.
//
// Not thread-safe: each thread uses its own (ForThisThread). Memory handed out is uninitialized,
// 64-byte aligned, and valid until the innermost Scope alive at allocation ends. Chunks are
// released only when the thread exits.
#pragma once

#include <cstddef>
#include <vector>

#include "base/huge_page_memory.h"

namespace dsinfer {

class ScratchArena {
 public:
  ScratchArena() = default;
  ~ScratchArena();
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;

  // The calling thread's arena.
  static ScratchArena& ForThisThread();

  // Ends by giving back everything allocated since it began. Scopes nest (stack order).
  class Scope {
   public:
    explicit Scope(ScratchArena& arena) : arena_(arena), chunk_(arena.chunk_), offset_(arena.offset_) {}
    ~Scope() { arena_.Restore(chunk_, offset_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ScratchArena& arena_;
    size_t chunk_, offset_;
  };

  // `n` uninitialized floats (n may be 0).
  float* Floats(size_t n) { return static_cast<float*>(Bytes(n * sizeof(float))); }
  void* Bytes(size_t requested);

  // Bytes mapped by the arena's chunks.
  size_t reserved_bytes() const;

 private:
  // Back to an earlier position; under AddressSanitizer the memory given back is poisoned so a
  // buffer used after its scope is reported.
  void Restore(size_t chunk, size_t offset);

  char* ChunkData(size_t c) const { return static_cast<char*>(chunks_[c].data()); }

  std::vector<HugePageMemory> chunks_;
  size_t chunk_ = 0;   // chunk in use (meaningful when chunks_ is not empty)
  size_t offset_ = 0;  // first free byte in it
};

}  // namespace dsinfer
