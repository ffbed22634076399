// Feed-forward stages: the dense SwiGLU FFN and the DeepSeek mixture of experts (spec §7, §8.6).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/forward_state.h"

namespace dsinfer {

namespace {

// out[n x D] = W_down · (silu(W_gate · x) ⊙ (W_up · x)) for n rows of x.
void SwiGluFfn(const WeightMatrix& gate, const WeightMatrix& up, const WeightMatrix& down,
               const float* x, int64_t n, float* out, ThreadPool* pool, ScratchArena& scratch) {
  const int64_t f = gate.rows;
  ScratchArena::Scope scope(scratch);
  float* g = scratch.Floats(static_cast<size_t>(n * f));
  float* u = scratch.Floats(static_cast<size_t>(n * f));
  const MatMulJob gate_up[] = {{gate, x, n, g}, {up, x, n, u}};
  MatMulMany(gate_up, 2, pool);
  SwiGlu(g, u, n * f, g);
  MatMul(down, g, n, out, pool);
}

// Chooses the experts of one token (spec §8.6); fills routing.
void Route(const ModelConfig& c, const std::vector<float>& expert_bias, float* logits,
           TokenRouting* routing) {
  const int E = static_cast<int>(c.n_expert), k = static_cast<int>(c.n_expert_used);
  std::vector<float>& probs = routing->probs;
  probs.assign(logits, logits + E);
  if (c.gating == ExpertGating::kSigmoid) {
    for (float& p : probs) p = 1.0f / (1.0f + std::exp(-p));
  } else {
    SoftmaxInPlace(probs.data(), E);
  }
  std::vector<float>& sel = routing->selection_scores;
  sel = probs;
  if (!expert_bias.empty()) {
    for (int e = 0; e < E; ++e) sel[static_cast<size_t>(e)] += expert_bias[static_cast<size_t>(e)];
  }
  std::vector<float> masked = sel;
  const int G = static_cast<int>(c.n_expert_group);
  if (G > 1) {
    const int per_group = E / G;
    std::vector<float> group_score(static_cast<size_t>(G));
    for (int g = 0; g < G; ++g) {
      std::vector<float> members(sel.begin() + g * per_group, sel.begin() + (g + 1) * per_group);
      std::partial_sort(members.begin(), members.begin() + 2, members.end(), std::greater<float>());
      group_score[static_cast<size_t>(g)] = members[0] + (per_group > 1 ? members[1] : 0.0f);
    }
    std::vector<int> groups(static_cast<size_t>(G));
    std::iota(groups.begin(), groups.end(), 0);
    std::stable_sort(groups.begin(), groups.end(), [&](int a, int b) {
      return group_score[static_cast<size_t>(a)] > group_score[static_cast<size_t>(b)];
    });
    std::vector<bool> keep(static_cast<size_t>(G), false);
    for (uint32_t i = 0; i < c.n_expert_group_used; ++i) keep[static_cast<size_t>(groups[i])] = true;
    for (int e = 0; e < E; ++e) {
      if (!keep[static_cast<size_t>(e / per_group)]) {
        masked[static_cast<size_t>(e)] = -std::numeric_limits<float>::infinity();
      }
    }
  }
  std::vector<int> order(static_cast<size_t>(E));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return masked[static_cast<size_t>(a)] > masked[static_cast<size_t>(b)];
  });
  routing->experts.assign(order.begin(), order.begin() + k);
  routing->weights.resize(static_cast<size_t>(k));
  for (int j = 0; j < k; ++j) routing->weights[static_cast<size_t>(j)] = probs[static_cast<size_t>(order[j])];
  if (c.expert_weights_norm) {
    float sum = 0.0f;
    for (float w : routing->weights) sum += w;
    sum = std::max(sum, 6.103515625e-5f);
    for (float& w : routing->weights) w /= sum;
  }
  if (c.expert_weights_scale != 0.0f && c.expert_weights_scale != 1.0f) {
    for (float& w : routing->weights) w *= c.expert_weights_scale;
  }
}

}  // namespace

void DenseFfn(const ForwardState& s, const LayerWeights& L, const float* h, float* out) {
  SwiGluFfn(L.ffn_gate, L.ffn_up, L.ffn_down, h, s.n_tokens(), out, &s.pool, s.scratch);
}

void MoeFfn(const ForwardState& s, int layer, const float* h, float* out) {
  const ModelConfig& c = s.config;
  const LayerWeights& L = s.weights.layers[static_cast<size_t>(layer)];
  const int64_t T = s.n_tokens(), D = c.n_embd, E = c.n_expert, k = c.n_expert_used;
  ThreadPool* pool = &s.pool;
  ScratchArena::Scope scope(s.scratch);

  float* logits = s.scratch.Floats(static_cast<size_t>(T * E));
  MatMul(L.router, h, T, logits, pool);
  std::vector<TokenRouting> routing(static_cast<size_t>(T));
  pool->ParallelFor(static_cast<size_t>(T), [&](int, size_t b, size_t e) {
    for (size_t t = b; t < e; ++t) Route(c, L.expert_bias, logits + static_cast<int64_t>(t) * E, &routing[t]);
  });

  // Tokens grouped by expert, so each active expert's weights are read once per step.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> by_expert(static_cast<size_t>(E));
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t j = 0; j < k; ++j) {
      by_expert[static_cast<size_t>(routing[static_cast<size_t>(t)].experts[static_cast<size_t>(j)])]
          .push_back({t, j});
    }
  }
  // Every active expert's (and the shared experts') gate and up products in one pass, then
  // every down product in another, so both threads stream weights without a barrier per expert.
  struct ExpertRun {
    int64_t expert, n, row0;  // tokens [row0, row0 + n) of the gathered rows
  };
  std::vector<ExpertRun> runs;
  int64_t gathered = 0;
  for (int64_t e = 0; e < E; ++e) {
    const int64_t n = static_cast<int64_t>(by_expert[static_cast<size_t>(e)].size());
    if (n == 0) continue;
    runs.push_back({e, n, gathered});
    gathered += n;
  }
  const int64_t F = L.gate_exps.first.rows;  // expert FFN width
  float* xs = s.scratch.Floats(static_cast<size_t>(gathered * D));
  float* ys = s.scratch.Floats(static_cast<size_t>(gathered * D));
  float* g = s.scratch.Floats(static_cast<size_t>(gathered * F));
  float* u = s.scratch.Floats(static_cast<size_t>(gathered * F));
  // gathered_row[t * k + j]: the row of xs / ys holding token t's j-th selected expert.
  std::vector<int64_t> gathered_row(static_cast<size_t>(T * k));
  for (const ExpertRun& r : runs) {
    const auto& members = by_expert[static_cast<size_t>(r.expert)];
    for (int64_t i = 0; i < r.n; ++i) {
      const auto [t, j] = members[static_cast<size_t>(i)];
      gathered_row[static_cast<size_t>(t * k + j)] = r.row0 + i;
    }
  }
  // Per-token passes run in parallel over the batch's tokens (serial, the gather and the combine
  // below took ~2.5% of a 16-sequence V2-Lite step).
  auto for_each_token = [&](auto&& fn) {
    pool->ParallelFor(static_cast<size_t>(T), [&](int, size_t b, size_t e) {
      for (size_t t = b; t < e; ++t) fn(static_cast<int64_t>(t));
    });
  };
  for_each_token([&](int64_t t) {
    for (int64_t j = 0; j < k; ++j) {
      std::copy(h + t * D, h + (t + 1) * D, xs + gathered_row[static_cast<size_t>(t * k + j)] * D);
    }
  });
  const bool has_shared = L.gate_shexp.rows > 0;
  const int64_t FS = L.gate_shexp.rows;
  float* gs = s.scratch.Floats(static_cast<size_t>(has_shared ? T * FS : 0));
  float* us = s.scratch.Floats(static_cast<size_t>(has_shared ? T * FS : 0));
  float* shared = s.scratch.Floats(static_cast<size_t>(has_shared ? T * D : 0));
  std::vector<MatMulJob> jobs;
  jobs.reserve(2 * runs.size() + 2);
  for (const ExpertRun& r : runs) {
    const float* x = xs + r.row0 * D;
    jobs.push_back({L.gate_exps.Slice(r.expert), x, r.n, g + r.row0 * F});
    jobs.push_back({L.up_exps.Slice(r.expert), x, r.n, u + r.row0 * F});
  }
  if (has_shared) {
    jobs.push_back({L.gate_shexp, h, T, gs});
    jobs.push_back({L.up_shexp, h, T, us});
  }
  MatMulMany(jobs.data(), jobs.size(), pool);
  SwiGlu(g, u, gathered * F, g);
  if (has_shared) SwiGlu(gs, us, T * FS, gs);
  jobs.clear();
  for (const ExpertRun& r : runs) {
    jobs.push_back({L.down_exps.Slice(r.expert), g + r.row0 * F, r.n, ys + r.row0 * D});
  }
  if (has_shared) jobs.push_back({L.down_shexp, gs, T, shared});
  MatMulMany(jobs.data(), jobs.size(), pool);

  // Sum the weighted experts in selection order, then add the shared experts. Each weighted
  // row is rounded to f32 before it is added, as ggml does (mul, then add): `scaled` keeps the
  // compiler from fusing the two into one FMA.
  for_each_token([&](int64_t t) {
    float* o = out + t * D;
    ScratchArena& arena = ScratchArena::ForThisThread();
    ScratchArena::Scope token_scope(arena);
    float* scaled = arena.Floats(static_cast<size_t>(D));
    for (int64_t j = 0; j < k; ++j) {
      const float w = routing[static_cast<size_t>(t)].weights[static_cast<size_t>(j)];
      const float* src = ys + gathered_row[static_cast<size_t>(t * k + j)] * D;
      float* dst = j == 0 ? o : scaled;
      for (int64_t d = 0; d < D; ++d) dst[d] = src[d] * w;
      if (j > 0) {
        for (int64_t d = 0; d < D; ++d) o[d] += scaled[d];
      }
    }
    if (has_shared) {
      for (int64_t d = 0; d < D; ++d) o[d] += shared[t * D + d];
    }
  });
  if (s.routing_trace != nullptr) s.routing_trace->layers[layer] = std::move(routing);
}

}  // namespace dsinfer
