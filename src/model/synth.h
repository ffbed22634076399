// SynthesizeModel: writes a random-weight GGUF model with the exact tensor names, shapes and
// metadata of a real one (a SynthPreset), quantized per a recipe with llama.cpp's mixes.
// Weights are a pure function of (seed, tensor name, element index), so the file is the same
// for any thread count; they are generated and quantized in bounded row chunks and streamed to
// disk, so even the 671B preset needs only a few MB of RAM (and a big disk). Tensors of more
// than 16M elements repeat a pool of 1,024 independently drawn rows in a seeded random order,
// so multi-gigabyte presets are written at disk speed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "base/thread_pool.h"
#include "model/quant_policy.h"
#include "model/synth_presets.h"

namespace dsinfer {

struct SynthProgress {
  uint64_t elements_done = 0;
  uint64_t elements_total = 0;
  const std::string* tensor_name = nullptr;
};

struct SynthReport {
  uint64_t tensors = 0;
  uint64_t params = 0;
  uint64_t tensor_bytes = 0;
};

Expected<SynthReport> SynthesizeModel(const SynthPreset& preset, const QuantRecipe& recipe,
                                      uint64_t seed, const std::string& output_path,
                                      ThreadPool& pool,
                                      const std::function<void(const SynthProgress&)>& progress);

}  // namespace dsinfer
