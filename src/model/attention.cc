#include <algorithm>
#include <vector>

#include "kernels/attention_rows.h"
#include "kernels/ops.h"
#include "model/forward_state.h"

namespace dsinfer {

namespace {

// Rows [0, n_ctx) of one sequence's K (and V) cache for one layer, converted to f32 once for
// all the sequence's tokens in the batch (a prompt chunk would otherwise convert each row once
// per token).
struct GatheredRows {
  const int32_t* block_table = nullptr;
  int64_t n_ctx = 0;
  float* k = nullptr;  // [n_ctx x k_width], from the caller's scratch arena
  float* v = nullptr;  // [n_ctx x v_width] when V is stored apart
};

// Returns row p of K (or V) from `gathered` when it holds the sequence, else from the cache.
inline const float* RowOf(const KvCache& kv, int layer, const TokenRow& row, const GatheredRows* g,
                          int64_t p, bool value, float* scratch) {
  if (g != nullptr) {
    return value ? g->v + p * kv.layout().v_width : g->k + p * kv.layout().k_width;
  }
  const int block = row.block_table[p / kv.block_size()];
  const int slot = static_cast<int>(p % kv.block_size());
  return value ? kv.ReadV(layer, block, slot, scratch) : kv.ReadK(layer, block, slot, scratch);
}

// Heads [head_begin, head_end) of one token: q holds all heads of the token (head h at
// h * q_stride); out receives (head_end - head_begin) * v_head_width values. Rows come from `g`
// when it holds the token's sequence, else from the cache.
void AttendHeadsFrom(const KvCache& kv, int layer, const TokenRow& row, const GatheredRows* g,
                     const AttentionShape& shape, float kq_scale, const float* q, int head_begin,
                     int head_end, float* out) {
  // Rows read from the cache are converted to f32 into this thread's scratch arena. K rows of
  // a context up to kHeldFloats are converted once and kept for the value pass too (with MLA the
  // values are the same rows); longer contexts go in chunks of kChunk rows, so memory does not
  // grow with the context.
  constexpr int kChunk = 128;
  constexpr int64_t kHeldFloats = int64_t{4} << 20;  // 16 MiB
  const int64_t n_ctx = row.pos + 1;
  const int group = shape.n_head / shape.n_kv_head;
  const int n_heads = head_end - head_begin;
  const int64_t k_width = kv.layout().k_width, v_width = kv.layout().v_width;
  const bool keep_k = g != nullptr || n_ctx * k_width <= kHeldFloats;
  const int64_t span = keep_k ? n_ctx : kChunk;  // rows addressable at once
  ScratchArena& arena = ScratchArena::ForThisThread();
  ScratchArena::Scope scope(arena);
  float* scores = arena.Floats(static_cast<size_t>(n_ctx * n_heads));
  const float** rows = static_cast<const float**>(arena.Bytes(static_cast<size_t>(span) * sizeof(const float*)));
  float* converted = g == nullptr ? arena.Floats(static_cast<size_t>(span * std::max(k_width, v_width))) : nullptr;
  // Points rows[0, n) at positions [p0, p0 + n).
  auto fetch = [&](int64_t p0, int64_t n, bool value) {
    const int64_t width = value ? v_width : k_width;
    for (int64_t i = 0; i < n; ++i) rows[i] = RowOf(kv, layer, row, g, p0 + i, value, converted + i * width);
  };
  if (keep_k) fetch(0, n_ctx, false);
  // Heads [h_lo, h_hi) of kv head kh, clipped to the requested heads.
  auto for_each_kv_head = [&](auto&& fn) {
    for (int kh = head_begin / group; kh * group < head_end; ++kh) {
      const int h_lo = std::max(head_begin, kh * group), h_hi = std::min(head_end, (kh + 1) * group);
      fn(kh, h_lo - head_begin, h_hi - h_lo);
    }
  };

  for (int64_t p0 = 0; p0 < n_ctx; p0 += kChunk) {
    const int n = static_cast<int>(std::min<int64_t>(kChunk, n_ctx - p0));
    if (!keep_k) fetch(p0, n, false);
    const float* const* chunk_rows = rows + (keep_k ? p0 : 0);
    for_each_kv_head([&](int kh, int first, int count) {
      ScoreRows(q + static_cast<int64_t>(head_begin + first) * shape.q_stride, shape.q_stride, count,
                chunk_rows, kh * shape.k_head_width, n, shape.dot_width, kq_scale,
                scores + first * n_ctx + p0, n_ctx);
    });
  }
  for (int h = 0; h < n_heads; ++h) SoftmaxInPlace(scores + static_cast<int64_t>(h) * n_ctx, n_ctx);

  std::fill(out, out + static_cast<int64_t>(n_heads) * shape.v_head_width, 0.0f);
  const int64_t v_stride = shape.v_in_k ? shape.k_head_width : shape.v_head_width;
  const bool reuse_k = keep_k && shape.v_in_k;
  for (int64_t p0 = 0; p0 < n_ctx; p0 += kChunk) {
    const int n = static_cast<int>(std::min<int64_t>(kChunk, n_ctx - p0));
    if (!reuse_k) fetch(p0, n, !shape.v_in_k);
    const float* const* chunk_rows = rows + (reuse_k ? p0 : 0);
    for_each_kv_head([&](int kh, int first, int count) {
      AccumulateRows(scores + first * n_ctx + p0, n_ctx, count, chunk_rows, kh * v_stride, n,
                     shape.v_head_width, out + static_cast<int64_t>(first) * shape.v_head_width,
                     shape.v_head_width);
    });
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

  // Sequences with several tokens in this batch (prompt chunks), and every sequence when a
  // token's heads are split into parts: their cached rows converted to f32 once, in parallel,
  // instead of once per token or part. The cache is written before attention, so rows
  // [0, last position] are all present.
  const KvCache& kv = s.kv;
  ScratchArena::Scope scope(s.scratch);
  std::vector<GatheredRows> gathered;
  std::vector<int> gathered_of(static_cast<size_t>(T), -1);
  for (int64_t t = 0; t < T; ++t) {
    const int32_t* table = s.rows[static_cast<size_t>(t)].block_table;
    const bool shares_prev = t > 0 && s.rows[static_cast<size_t>(t - 1)].block_table == table;
    const bool shares_next = t + 1 < T && s.rows[static_cast<size_t>(t + 1)].block_table == table;
    if (!shares_prev && !shares_next && parts == 1) continue;
    if (gathered.empty() || gathered.back().block_table != table) {
      gathered.push_back({table, 0, nullptr, nullptr});
    }
    GatheredRows& g = gathered.back();
    g.n_ctx = std::max(g.n_ctx, s.rows[static_cast<size_t>(t)].pos + 1);
    gathered_of[static_cast<size_t>(t)] = static_cast<int>(gathered.size() - 1);
  }
  for (GatheredRows& g : gathered) {
    const int64_t kw = kv.layout().k_width, vw = shape.v_in_k ? 0 : kv.layout().v_width;
    g.k = s.scratch.Floats(static_cast<size_t>(g.n_ctx * kw));
    g.v = s.scratch.Floats(static_cast<size_t>(g.n_ctx * vw));
    s.pool.ParallelFor(static_cast<size_t>(g.n_ctx), [&](int, size_t b, size_t e) {
      for (size_t p = b; p < e; ++p) {
        const int block = g.block_table[p / kv.block_size()];
        const int slot = static_cast<int>(p % kv.block_size());
        float* k = g.k + p * kw;
        const float* src = kv.ReadK(layer, block, slot, k);
        if (src != k) std::copy(src, src + kw, k);
        if (vw > 0) {
          float* v = g.v + p * vw;
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
