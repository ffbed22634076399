// QuantizeModel: converts a GGUF model to a quantization recipe in one streaming pass.
// Each tensor is read from the memory-mapped input, converted in bounded row chunks on the
// caller's thread pool, and appended to the output, so peak memory stays a few chunks no matter
// how large the model is. Metadata is copied (split keys dropped) with general.file_type and
// general.quantization_version updated. Not thread-safe itself; uses the pool it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "base/status.h"
#include "base/thread_pool.h"
#include "model/quant_policy.h"

namespace dsinfer {

struct QuantizeProgress {
  uint64_t bytes_done = 0;    // input bytes processed so far
  uint64_t bytes_total = 0;
  size_t tensor_index = 0;    // 1-based count of tensors started
  size_t tensor_count = 0;
  const std::string* tensor_name = nullptr;
};

struct QuantizeReport {
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;  // tensor data bytes written
  size_t tensors = 0;
  size_t converted = 0;      // tensors whose type changed
  size_t fallbacks = 0;      // tensors that got a 32-block or F16 fallback type
  size_t requantized = 0;    // converted tensors whose input was already quantized
  std::map<std::string, size_t> output_types;  // type name -> tensor count
};

Expected<QuantizeReport> QuantizeModel(const std::string& input_path,
                                       const std::string& output_path, const QuantRecipe& recipe,
                                       ThreadPool& pool,
                                       const std::function<void(const QuantizeProgress&)>& progress);

}  // namespace dsinfer
