// RoutingTrace: an optional record of the MoE decisions of one Forward() call, for tests and
// debugging (the golden files carry llama.cpp's choices to compare with). Per MoE layer and
// token: the selected experts in selection order, their final weights, the gating probabilities,
// and the selection scores (probabilities plus the exp_probs_b bias) used to pick them.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace dsinfer {

struct TokenRouting {
  std::vector<int32_t> experts;
  std::vector<float> weights;
  std::vector<float> probs;
  std::vector<float> selection_scores;
};

struct RoutingTrace {
  std::map<int, std::vector<TokenRouting>> layers;  // layer -> one entry per batch token
};

}  // namespace dsinfer
