// Single-stream speed of a model against this machine's memory roofline (`dsinfer bench`
// without --concurrency): prefill and decode tokens/s (median and spread over repetitions), the
// read bandwidth measured in the same run, the decode roofline = bandwidth / weight bytes read
// per decoded token, the achieved fraction, and peak RSS.
#pragma once

#include <string>

#include "base/thread_pool.h"
#include "model/model.h"

namespace dsinfer::cli {

struct RooflineOptions {
  int prompt_tokens = 512;
  int gen_tokens = 128;
  int reps = 3;
  DType kv_type = DType::kF16;
  bool json = false;
  std::string model_name;
};

// Prints a report (text or JSON) and returns the process exit code.
int RunRooflineBench(const Model& model, ThreadPool& pool, const RooflineOptions& options);

}  // namespace dsinfer::cli
