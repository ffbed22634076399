// Grouped-query attention of llama / qwen2 / deepseek (V1) layers (spec §6).
#include <vector>

#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/forward_state.h"

namespace dsinfer {

namespace {
void AddBias(float* rows, int64_t n_rows, const std::vector<float>& bias) {
  if (bias.empty()) return;
  const int64_t n = static_cast<int64_t>(bias.size());
  for (int64_t r = 0; r < n_rows; ++r) {
    for (int64_t i = 0; i < n; ++i) rows[r * n + i] += bias[static_cast<size_t>(i)];
  }
}
}  // namespace

void DenseAttention(const ForwardState& s, int layer, const float* h, float* out) {
  const ModelConfig& c = s.config;
  const LayerWeights& L = s.weights.layers[static_cast<size_t>(layer)];
  const int64_t T = s.n_tokens(), H = c.n_head, Hkv = c.n_head_kv;
  const int64_t dk = c.head_dim_k, dv = c.head_dim_v;
  ThreadPool* pool = &s.pool;
  ScratchArena::Scope scope(s.scratch);

  float* q = s.scratch.Floats(static_cast<size_t>(T * H * dk));
  float* k = s.scratch.Floats(static_cast<size_t>(T * Hkv * dk));
  float* v = s.scratch.Floats(static_cast<size_t>(T * Hkv * dv));
  const MatMulJob qkv[] = {{L.wq, h, T, q}, {L.wk, h, T, k}, {L.wv, h, T, v}};
  MatMulMany(qkv, 3, pool);
  AddBias(q, T, L.bq);
  AddBias(k, T, L.bk);
  AddBias(v, T, L.bv);
  const int bs = s.kv.block_size();
  for (int64_t t = 0; t < T; ++t) {
    const TokenRow& row = s.rows[static_cast<size_t>(t)];
    Rope(q + t * H * dk, static_cast<int>(H), static_cast<int>(dk), row.pos, s.attn.rope);
    Rope(k + t * Hkv * dk, static_cast<int>(Hkv), static_cast<int>(dk), row.pos, s.attn.rope);
    const int block = row.block_table[row.pos / bs], slot = static_cast<int>(row.pos % bs);
    s.kv.WriteK(layer, block, slot, k + t * Hkv * dk);
    s.kv.WriteV(layer, block, slot, v + t * Hkv * dv);
  }
  AttentionShape shape{static_cast<int>(H), static_cast<int>(Hkv), dk, dk, dk, dv, false};
  float* o = s.scratch.Floats(static_cast<size_t>(T * H * dv));
  AttendBatch(s, layer, shape, q, H * dk, o, H * dv);
  MatMul(L.wo, o, T, out, pool);
}

}  // namespace dsinfer
