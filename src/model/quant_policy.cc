#include "model/quant_policy.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace dsinfer {

const std::vector<QuantRecipe>& QuantRecipes() {
  static const std::vector<QuantRecipe> recipes = {
      {"Q4_K_M", 15, DType::kQ4_K, true}, {"Q5_K_M", 17, DType::kQ5_K, true},
      {"Q6_K", 18, DType::kQ6_K, true},   {"Q8_0", 7, DType::kQ8_0, true},
      {"Q4_0", 2, DType::kQ4_0, true},    {"Q5_0", 8, DType::kQ5_0, true},
      {"F16", 1, DType::kF16, false},     {"BF16", 32, DType::kBF16, false},
      {"F32", 0, DType::kF32, false},
  };
  return recipes;
}

std::optional<QuantRecipe> FindQuantRecipe(const std::string& name) {
  std::string upper = name;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (const auto& r : QuantRecipes()) {
    if (upper == r.name) return r;
  }
  return std::nullopt;
}

namespace {

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

int LayerOf(const std::string& name) {
  int layer = -1;
  if (std::sscanf(name.c_str(), "blk.%d.", &layer) != 1) return -1;
  return layer;
}

// llama.cpp gives every few layers (first and last eighth, and every third in between) more bits.
bool UseMoreBits(int i_layer, int n_layers) {
  return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

bool IsQuantizable(const gguf::TensorInfo& t) {
  const std::string& name = t.name;
  bool ok = name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0;
  ok &= t.n_dims >= 2;
  ok &= !Contains(name, "_norm.weight");
  ok &= !Contains(name, "ffn_gate_inp.weight");
  return ok;
}

// Type for a row length that does not fit the preferred block size (llama.cpp's fallbacks).
std::optional<DType> Fallback(DType type) {
  switch (type) {
    case DType::kQ4_K: return DType::kQ5_0;
    case DType::kQ5_K: return DType::kQ5_1;
    case DType::kQ6_K: return DType::kQ8_0;
    default: return std::nullopt;
  }
}

struct Counters {
  int n_attention_wv = 0;
  int i_attention_wv = 0;
  int i_ffn_down = 0;
};

DType ChooseMixed(const gguf::TensorInfo& t, const ModelConfig& c, const QuantRecipe& r,
                  bool has_output, Counters& k) {
  const std::string& name = t.name;
  const bool q4km = r.file_type == 15, q5km = r.file_type == 17;
  const int n_layer = static_cast<int>(c.n_layer);
  DType type = r.base;
  if (name == "output.weight" || (!has_output && name == "token_embd.weight")) {
    if (t.ne[0] % Traits(type).block_size != 0) return DType::kQ8_0;
    return type == DType::kQ8_0 ? DType::kQ8_0 : DType::kQ6_K;
  }
  if (name == "token_embd.weight") return type;
  if (Contains(name, "attn_v.weight")) {
    if ((q4km || q5km) && UseMoreBits(k.i_attention_wv, k.n_attention_wv)) type = DType::kQ6_K;
    if (c.n_expert == 8) type = DType::kQ8_0;
    ++k.i_attention_wv;
  } else if (Contains(name, "attn_k.weight")) {
    if (c.n_expert == 8) type = DType::kQ8_0;
  } else if (Contains(name, "ffn_down")) {
    // MoE models number layers by name (experts are not in layer order); dense ones count.
    int i_layer = c.n_expert > 1 ? LayerOf(name) : k.i_ffn_down;
    if ((q4km || q5km) && UseMoreBits(i_layer, n_layer)) type = DType::kQ6_K;
    ++k.i_ffn_down;
  } else if (Contains(name, "attn_output.weight")) {
    if (c.n_expert == 8 && q4km) type = DType::kQ5_K;
  } else if (Contains(name, "attn_qkv.weight")) {
    if (q4km) type = DType::kQ5_K;
    if (q5km) type = DType::kQ6_K;
  }
  return type;
}

}  // namespace

Expected<std::vector<TensorPlan>> PlanQuantization(const std::vector<gguf::TensorInfo>& tensors,
                                                   const ModelConfig& config,
                                                   const QuantRecipe& recipe) {
  std::vector<size_t> order(tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int la = LayerOf(tensors[a].name), lb = LayerOf(tensors[b].name);
    if (la != lb) return la < lb;
    return tensors[a].name < tensors[b].name;
  });

  Counters counters;
  bool has_output = false;
  for (const auto& t : tensors) {
    if (Contains(t.name, "attn_v.weight") || Contains(t.name, "attn_qkv.weight") ||
        Contains(t.name, "attn_kv_b.weight")) {
      ++counters.n_attention_wv;
    } else if (t.name == "output.weight") {
      has_output = true;
    }
  }

  std::vector<TensorPlan> plan;
  plan.reserve(order.size());
  for (size_t idx : order) {
    const gguf::TensorInfo& t = tensors[idx];
    TensorPlan p{idx, t.type, false};
    if (IsQuantizable(t)) {
      DType want = recipe.mixed ? ChooseMixed(t, config, recipe, has_output, counters) : recipe.base;
      if (t.ne[0] % Traits(want).block_size != 0) {
        std::optional<DType> fb = Fallback(want);
        if (fb && t.ne[0] % Traits(*fb).block_size == 0) {
          want = *fb;
        } else {
          want = DType::kF16;
        }
        p.fallback = true;
      }
      p.type = want;
    }
    plan.push_back(p);
  }
  return plan;
}

}  // namespace dsinfer
