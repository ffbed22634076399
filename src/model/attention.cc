#include <algorithm>
#include <vector>

#include "kernels/ops.h"
#include "model/forward_state.h"

namespace dsinfer {

namespace {

// Dot product with 16 independent partial sums, so the compiler vectorizes it while the
// summation order stays a fixed function of n (results do not depend on batch shape). Cloned
// per instruction set (the model layer is built for baseline x86-64); every clone sums in the
// same order, so results do not depend on the CPU either.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define DSINFER_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DSINFER_SIMD_CLONES
#endif

DSINFER_SIMD_CLONES
float Dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float acc[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; ++j) acc[j] += a[i + j] * b[i + j];
  }
  float sum = 0.0f;
  for (int j = 0; j < 16; ++j) sum += acc[j];
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// o[i] += a * v[i]: the value accumulation of attention.
DSINFER_SIMD_CLONES
void Axpy(float a, const float* __restrict v, int64_t n, float* __restrict o) {
  for (int64_t i = 0; i < n; ++i) o[i] += a * v[i];
}

// Rows [0, n_ctx) of one sequence's K (and V) cache for one layer, converted to f32 once for
// all the sequence's tokens in the batch (a prompt chunk would otherwise convert each row once
// per token).
struct GatheredRows {
  const int32_t* block_table = nullptr;
  int64_t n_ctx = 0;
  std::vector<float> k, v;
};

// Returns row p of K (or V) from `gathered` when it holds the sequence, else from the cache.
inline const float* RowOf(const KvCache& kv, int layer, const TokenRow& row, const GatheredRows* g,
                          int64_t p, bool value, float* scratch) {
  if (g != nullptr) {
    return value ? g->v.data() + p * kv.layout().v_width : g->k.data() + p * kv.layout().k_width;
  }
  const int block = row.block_table[p / kv.block_size()];
  const int slot = static_cast<int>(p % kv.block_size());
  return value ? kv.ReadV(layer, block, slot, scratch) : kv.ReadK(layer, block, slot, scratch);
}

void AttendHeadsFrom(const KvCache& kv, int layer, const TokenRow& row, const GatheredRows* g,
                     const AttentionShape& shape, float kq_scale, const float* q, int head_begin,
                     int head_end, float* out);

}  // namespace

void AttendHeads(const KvCache& kv, int layer, const TokenRow& row, const AttentionShape& shape,
                 float kq_scale, const float* q, int head_begin, int head_end, float* out) {
  AttendHeadsFrom(kv, layer, row, nullptr, shape, kq_scale, q, head_begin, head_end, out);
}

namespace {

void AttendHeadsFrom(const KvCache& kv, int layer, const TokenRow& row, const GatheredRows* g,
                     const AttentionShape& shape, float kq_scale, const float* q, int head_begin,
                     int head_end, float* out) {
  const int64_t n_ctx = row.pos + 1;
  const int group = shape.n_head / shape.n_kv_head;
  const int n_heads = head_end - head_begin;
  thread_local std::vector<float> scores, k_scratch, v_scratch;
  scores.resize(static_cast<size_t>(n_ctx) * n_heads);
  k_scratch.resize(static_cast<size_t>(kv.layout().k_width));
  v_scratch.resize(static_cast<size_t>(std::max<int64_t>(1, kv.layout().v_width)));

  // Scores: each cached K row is read once for all requested heads.
  for (int64_t p = 0; p < n_ctx; ++p) {
    const float* k_row = RowOf(kv, layer, row, g, p, false, k_scratch.data());
    for (int h = head_begin; h < head_end; ++h) {
      const float* k = k_row + (h / group) * shape.k_head_width;
      const float* qh = q + static_cast<int64_t>(h) * shape.q_stride;
      scores[static_cast<size_t>((h - head_begin) * n_ctx + p)] = Dot(qh, k, shape.dot_width) * kq_scale;
    }
  }
  for (int h = 0; h < n_heads; ++h) SoftmaxInPlace(scores.data() + static_cast<int64_t>(h) * n_ctx, n_ctx);

  std::fill(out, out + static_cast<int64_t>(n_heads) * shape.v_head_width, 0.0f);
  for (int64_t p = 0; p < n_ctx; ++p) {
    const float* v_row = shape.v_in_k ? RowOf(kv, layer, row, g, p, false, k_scratch.data())
                                      : RowOf(kv, layer, row, g, p, true, v_scratch.data());
    for (int h = head_begin; h < head_end; ++h) {
      const int kv_head = h / group;
      const float* v = v_row + kv_head * (shape.v_in_k ? shape.k_head_width : shape.v_head_width);
      const float a = scores[static_cast<size_t>((h - head_begin) * n_ctx + p)];
      Axpy(a, v, shape.v_head_width, out + static_cast<int64_t>(h - head_begin) * shape.v_head_width);
    }
  }
}

}  // namespace

void AttendBatch(const ForwardState& s, int layer, const AttentionShape& shape, const float* q,
                 int64_t q_token_stride, float* out, int64_t out_token_stride) {
  const int64_t T = s.n_tokens();
  const int H = shape.n_head;
  // Split the heads of each token into enough parts to keep every thread busy; each head's
  // result is computed the same way whatever the split.
  const int64_t want_items = 2 * static_cast<int64_t>(s.pool.num_threads());
  const int parts = static_cast<int>(std::clamp<int64_t>((want_items + T - 1) / T, 1, H));
  const int heads_per_part = (H + parts - 1) / parts;

  // Sequences with several tokens in this batch (prompt chunks): their cached rows in f32.
  // The cache is written before attention, so rows [0, last position] are all present.
  const KvCache& kv = s.kv;
  std::vector<GatheredRows> gathered;
  std::vector<int> gathered_of(static_cast<size_t>(T), -1);
  for (int64_t t = 0; t + 1 < T; ++t) {
    const TokenRow& a = s.rows[static_cast<size_t>(t)];
    const TokenRow& b = s.rows[static_cast<size_t>(t + 1)];
    if (a.block_table != b.block_table) continue;
    if (gathered.empty() || gathered.back().block_table != a.block_table) {
      gathered.push_back({a.block_table, 0, {}, {}});
    }
    gathered_of[static_cast<size_t>(t)] = gathered_of[static_cast<size_t>(t + 1)] =
        static_cast<int>(gathered.size() - 1);
  }
  for (int64_t t = 0; t < T; ++t) {
    const int gi = gathered_of[static_cast<size_t>(t)];
    if (gi >= 0) gathered[gi].n_ctx = std::max(gathered[gi].n_ctx, s.rows[static_cast<size_t>(t)].pos + 1);
  }
  for (GatheredRows& g : gathered) {
    const int64_t kw = kv.layout().k_width, vw = shape.v_in_k ? 0 : kv.layout().v_width;
    g.k.resize(static_cast<size_t>(g.n_ctx * kw));
    g.v.resize(static_cast<size_t>(g.n_ctx * vw));
    s.pool.ParallelFor(static_cast<size_t>(g.n_ctx), [&](int, size_t b, size_t e) {
      for (size_t p = b; p < e; ++p) {
        const int block = g.block_table[p / kv.block_size()];
        const int slot = static_cast<int>(p % kv.block_size());
        float* k = g.k.data() + p * kw;
        const float* src = kv.ReadK(layer, block, slot, k);
        if (src != k) std::copy(src, src + kw, k);
        if (vw > 0) {
          float* v = g.v.data() + p * vw;
          const float* vsrc = kv.ReadV(layer, block, slot, v);
          if (vsrc != v) std::copy(vsrc, vsrc + vw, v);
        }
      }
    });
  }

  s.pool.ParallelFor(static_cast<size_t>(T * parts), [&](int, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      // Tokens interleaved from both ends: later tokens of a prompt chunk attend to more
      // positions, and each thread's contiguous share should cost the same.
      const int64_t k = static_cast<int64_t>(i) / parts;
      const int64_t t = k % 2 == 0 ? k / 2 : T - 1 - k / 2;
      const int part = static_cast<int>(static_cast<int64_t>(i) % parts);
      const int h0 = part * heads_per_part, h1 = std::min(H, h0 + heads_per_part);
      if (h0 >= h1) continue;
      const int gi = gathered_of[static_cast<size_t>(t)];
      AttendHeadsFrom(kv, layer, s.rows[static_cast<size_t>(t)], gi >= 0 ? &gathered[gi] : nullptr,
                      shape, s.attn.kq_scale, q + t * q_token_stride, h0, h1,
                      out + t * out_token_stride + h0 * shape.v_head_width);
    }
  });
}

}  // namespace dsinfer
