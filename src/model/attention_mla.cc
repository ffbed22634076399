// deepseek2 Multi-head Latent Attention (spec §8.2-§8.5): absorbed form for MLA files, plain
// per-head K/V for legacy attn_kv_b files.
#include <vector>

#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/forward_state.h"

namespace dsinfer {

namespace {

// rows x width slice [col0, col0 + n) of a row-major matrix, copied contiguous.
void GatherColumns(const float* src, int64_t rows, int64_t width, int64_t col0, int64_t n, float* dst) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = src + r * width + col0;
    std::copy(s, s + n, dst + r * n);
  }
}

void ScatterColumns(const float* src, int64_t rows, int64_t n, float* dst, int64_t width, int64_t col0) {
  for (int64_t r = 0; r < rows; ++r) std::copy(src + r * n, src + (r + 1) * n, dst + r * width + col0);
}

}  // namespace

void MlaAttention(const ForwardState& s, int layer, const float* h, float* out) {
  const ModelConfig& c = s.config;
  const LayerWeights& L = s.weights.layers[static_cast<size_t>(layer)];
  const int64_t T = s.n_tokens(), H = c.n_head;
  const int64_t dqk = c.head_dim_k, rot = c.n_rot, nope = dqk - rot, dv = c.head_dim_v;
  const int64_t rkv = c.kv_lora_rank, a_width = rkv + rot;
  ThreadPool* pool = &s.pool;
  ScratchArena::Scope scope(s.scratch);

  // Queries [T x H*dqk], through the q-LoRA bottleneck when present, and the compressed KV
  // [T x (r_kv + n_rot)]: latent, then the shared rope key. Both read h: one pass.
  float* q = s.scratch.Floats(static_cast<size_t>(T * H * dqk));
  float* a = s.scratch.Floats(static_cast<size_t>(T * a_width));
  if (c.q_lora_rank > 0) {
    float* qa = s.scratch.Floats(static_cast<size_t>(T * c.q_lora_rank));
    const MatMulJob first[] = {{L.wq_a, h, T, qa}, {L.wkv_a, h, T, a}};
    MatMulMany(first, 2, pool);
    for (int64_t t = 0; t < T; ++t) {
      float* row = qa + t * c.q_lora_rank;
      RmsNorm(row, L.q_a_norm.data(), c.q_lora_rank, c.rms_eps, row);
    }
    MatMul(L.wq_b, qa, T, q, pool);
  } else {
    const MatMulJob first[] = {{L.wq, h, T, q}, {L.wkv_a, h, T, a}};
    MatMulMany(first, 2, pool);
  }
  // Per token, in parallel over the batch: rotate, normalize and (MLA) cache the K row = [c ‖ kr],
  // whose first r_kv values are also V. Each token writes its own cache slot.
  pool->ParallelFor(static_cast<size_t>(T), [&](int, size_t b, size_t e) {
    for (size_t t = b; t < e; ++t) {
      const TokenRow& row = s.rows[t];
      float* qt = q + static_cast<int64_t>(t) * H * dqk;
      Rope(qt + nope, static_cast<int>(H), static_cast<int>(dqk), row.pos, s.attn.rope);
      float* at = a + static_cast<int64_t>(t) * a_width;
      Rope(at + rkv, 1, static_cast<int>(rot), row.pos, s.attn.rope);
      RmsNorm(at, L.kv_a_norm.data(), rkv, c.rms_eps, at);
      if (c.is_mla) {
        const int bs = s.kv.block_size();
        s.kv.WriteK(layer, row.block_table[row.pos / bs], static_cast<int>(row.pos % bs), at);
      }
    }
  });

  float* o = s.scratch.Floats(static_cast<size_t>(T * H * dv));
  if (c.is_mla) {
    // Absorb W_kb into the queries: Q_j = [W_kb_j · qn_j ‖ qr_j], all heads in one pass.
    float* qfull = s.scratch.Floats(static_cast<size_t>(T * H * a_width));
    float* qn = s.scratch.Floats(static_cast<size_t>(H * T * nope));
    float* qa = s.scratch.Floats(static_cast<size_t>(H * T * rkv));
    std::vector<MatMulJob> jobs(static_cast<size_t>(H));
    for (int64_t j = 0; j < H; ++j) {
      GatherColumns(q, T, H * dqk, j * dqk, nope, qn + j * T * nope);
      jobs[static_cast<size_t>(j)] = {L.wk_b.Slice(j), qn + j * T * nope, T, qa + j * T * rkv};
    }
    MatMulMany(jobs.data(), jobs.size(), pool);
    for (int64_t j = 0; j < H; ++j) {
      ScatterColumns(qa + j * T * rkv, T, rkv, qfull, H * a_width, j * a_width);
      for (int64_t t = 0; t < T; ++t) {
        const float* qr = q + t * H * dqk + j * dqk + nope;
        std::copy(qr, qr + rot, qfull + t * H * a_width + j * a_width + rkv);
      }
    }
    AttentionShape shape{static_cast<int>(H), 1, a_width, a_width, a_width, rkv, true};
    float* u = s.scratch.Floats(static_cast<size_t>(T * H * rkv));
    AttendBatch(s, layer, shape, qfull, H * a_width, u, H * rkv);
    // o_j = W_vb_j · u_j, all heads in one pass.
    float* uh = s.scratch.Floats(static_cast<size_t>(H * T * rkv));
    float* oh = s.scratch.Floats(static_cast<size_t>(H * T * dv));
    for (int64_t j = 0; j < H; ++j) {
      GatherColumns(u, T, H * rkv, j * rkv, rkv, uh + j * T * rkv);
      jobs[static_cast<size_t>(j)] = {L.wv_b.Slice(j), uh + j * T * rkv, T, oh + j * T * dv};
    }
    MatMulMany(jobs.data(), jobs.size(), pool);
    for (int64_t j = 0; j < H; ++j) ScatterColumns(oh + j * T * dv, T, dv, o, H * dv, j * dv);
  } else {
    // Legacy files: decompress per-head K/V with attn_kv_b and cache them.
    float* latent = s.scratch.Floats(static_cast<size_t>(T * rkv));
    GatherColumns(a, T, a_width, 0, rkv, latent);
    float* kvb = s.scratch.Floats(static_cast<size_t>(T * H * (nope + dv)));
    MatMul(L.wkv_b, latent, T, kvb, pool);
    float* krow = s.scratch.Floats(static_cast<size_t>(H * dqk));
    float* vrow = s.scratch.Floats(static_cast<size_t>(H * dv));
    for (int64_t t = 0; t < T; ++t) {
      const float* kv_t = kvb + t * H * (nope + dv);
      const float* kr = a + t * a_width + rkv;
      for (int64_t j = 0; j < H; ++j) {
        std::copy(kv_t + j * (nope + dv), kv_t + j * (nope + dv) + nope, krow + j * dqk);
        std::copy(kr, kr + rot, krow + j * dqk + nope);
        std::copy(kv_t + j * (nope + dv) + nope, kv_t + (j + 1) * (nope + dv), vrow + j * dv);
      }
      const TokenRow& row = s.rows[static_cast<size_t>(t)];
      const int bs = s.kv.block_size();
      const int block = row.block_table[row.pos / bs], slot = static_cast<int>(row.pos % bs);
      s.kv.WriteK(layer, block, slot, krow);
      s.kv.WriteV(layer, block, slot, vrow);
    }
    AttentionShape shape{static_cast<int>(H), static_cast<int>(H), dqk, dqk, dqk, dv, false};
    AttendBatch(s, layer, shape, q, H * dqk, o, H * dv);
  }
  MatMul(L.wo, o, T, out, pool);
}

}  // namespace dsinfer
