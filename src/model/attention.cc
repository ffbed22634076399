#include <algorithm>
#include <vector>

#include "kernels/ops.h"
#include "model/forward_state.h"

namespace dsinfer {

namespace {

// Dot product with 16 independent partial sums, so the compiler vectorizes it while the
// summation order stays a fixed function of n (results do not depend on batch shape).
float Dot(const float* a, const float* b, int64_t n) {
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

}  // namespace

void AttendHeads(const KvCache& kv, int layer, const TokenRow& row, const AttentionShape& shape,
                 float kq_scale, const float* q, int head_begin, int head_end, float* out) {
  const int block_size = kv.block_size();
  const int64_t n_ctx = row.pos + 1;
  const int group = shape.n_head / shape.n_kv_head;
  const int n_heads = head_end - head_begin;
  thread_local std::vector<float> scores, k_scratch, v_scratch;
  scores.resize(static_cast<size_t>(n_ctx) * n_heads);
  k_scratch.resize(static_cast<size_t>(kv.layout().k_width));
  v_scratch.resize(static_cast<size_t>(std::max<int64_t>(1, kv.layout().v_width)));

  // Scores: each cached K row is read once for all requested heads.
  for (int64_t p = 0; p < n_ctx; ++p) {
    const int block = row.block_table[p / block_size];
    const int slot = static_cast<int>(p % block_size);
    const float* k_row = kv.ReadK(layer, block, slot, k_scratch.data());
    for (int h = head_begin; h < head_end; ++h) {
      const float* k = k_row + (h / group) * shape.k_head_width;
      const float* qh = q + static_cast<int64_t>(h) * shape.q_stride;
      scores[static_cast<size_t>((h - head_begin) * n_ctx + p)] = Dot(qh, k, shape.dot_width) * kq_scale;
    }
  }
  for (int h = 0; h < n_heads; ++h) SoftmaxInPlace(scores.data() + static_cast<int64_t>(h) * n_ctx, n_ctx);

  std::fill(out, out + static_cast<int64_t>(n_heads) * shape.v_head_width, 0.0f);
  for (int64_t p = 0; p < n_ctx; ++p) {
    const int block = row.block_table[p / block_size];
    const int slot = static_cast<int>(p % block_size);
    const float* v_row = shape.v_in_k ? kv.ReadK(layer, block, slot, k_scratch.data())
                                      : kv.ReadV(layer, block, slot, v_scratch.data());
    for (int h = head_begin; h < head_end; ++h) {
      const int kv_head = h / group;
      const float* v = v_row + kv_head * (shape.v_in_k ? shape.k_head_width : shape.v_head_width);
      const float a = scores[static_cast<size_t>((h - head_begin) * n_ctx + p)];
      float* o = out + static_cast<int64_t>(h - head_begin) * shape.v_head_width;
      for (int64_t i = 0; i < shape.v_head_width; ++i) o[i] += a * v[i];
    }
  }
}

void AttendBatch(const ForwardState& s, int layer, const AttentionShape& shape, const float* q,
                 int64_t q_token_stride, float* out, int64_t out_token_stride) {
  const int64_t T = s.n_tokens();
  const int H = shape.n_head;
  // Split the heads of each token into enough parts to keep every thread busy; each head's
  // result is computed the same way whatever the split.
  const int64_t want_items = 2 * static_cast<int64_t>(s.pool.num_threads());
  const int parts = static_cast<int>(std::clamp<int64_t>((want_items + T - 1) / T, 1, H));
  const int heads_per_part = (H + parts - 1) / parts;
  s.pool.ParallelFor(static_cast<size_t>(T * parts), [&](int, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const int64_t t = static_cast<int64_t>(i) / parts;
      const int part = static_cast<int>(static_cast<int64_t>(i) % parts);
      const int h0 = part * heads_per_part, h1 = std::min(H, h0 + heads_per_part);
      if (h0 >= h1) continue;
      AttendHeads(s.kv, layer, s.rows[static_cast<size_t>(t)], shape, s.attn.kq_scale,
                  q + t * q_token_stride, h0, h1, out + t * out_token_stride + h0 * shape.v_head_width);
    }
  });
}

}  // namespace dsinfer
