// GgufWriter: writes a GGUF v3 file in one streaming pass, never holding the model in RAM.
//
// Usage: add all metadata and declare every tensor (name, type, shape) first; then
// WriteTensorData() each tensor in declaration order (each call may pass the tensor in several
// pieces through BeginTensor/AppendTensorData, so a tensor can be produced row by row); then
// Finish(), which checks every declared tensor was written in full and renames the file into
// place. Offsets and padding follow llama.cpp's rules (each tensor padded to
// general.alignment, default 32), so the output loads in llama.cpp.
//
// Not thread-safe. Errors (I/O, misuse such as a wrong byte count) are returned as Status.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "base/status.h"
#include "gguf/value.h"
#include "tensor/dtype.h"

namespace dsinfer::gguf {

class GgufWriter {
 public:
  explicit GgufWriter(std::string path);
  ~GgufWriter();
  GgufWriter(const GgufWriter&) = delete;
  GgufWriter& operator=(const GgufWriter&) = delete;

  // Metadata keeps insertion order; setting an existing key replaces its value in place.
  // "general.alignment" (u32, power of two) changes the alignment used for tensor data.
  void SetMetadata(const std::string& key, GgufValue value);
  // Declares a tensor; `ne` has 1..4 entries in ggml order.
  Status AddTensor(const std::string& name, DType type, const std::vector<int64_t>& ne);

  // Streaming data: BeginTensor(name) writes the header on first use; AppendTensorData may be
  // called repeatedly until the tensor's byte size is reached; tensors must come in order.
  Status BeginTensor(const std::string& name);
  Status AppendTensorData(const void* data, uint64_t nbytes);
  // Convenience: BeginTensor + one AppendTensorData of the whole tensor.
  Status WriteTensorData(const std::string& name, const void* data, uint64_t nbytes);

  Status Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsinfer::gguf
