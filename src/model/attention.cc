#include <algorithm>
#include <vector>

#include "kernels/ops.h"
#include "model/forward_state.h"

namespace dsinfer {

void AttendToken(const KvCache& kv, int layer, const TokenRow& row, const AttentionShape& shape,
                 float kq_scale, const float* q, int head, float* out_head) {
  const int block_size = kv.block_size();
  const int64_t n_ctx = row.pos + 1;
  const int group = shape.n_head / shape.n_kv_head;
  const int kv_head = head / group;
  const float* qh = q + static_cast<int64_t>(head) * shape.q_stride;
  thread_local std::vector<float> scores, k_scratch, v_scratch;
  scores.resize(static_cast<size_t>(n_ctx));
  k_scratch.resize(static_cast<size_t>(kv.layout().k_width));
  v_scratch.resize(static_cast<size_t>(std::max<int64_t>(1, kv.layout().v_width)));

  for (int64_t p = 0; p < n_ctx; ++p) {
    const int block = row.block_table[p / block_size];
    const int slot = static_cast<int>(p % block_size);
    const float* k = kv.ReadK(layer, block, slot, k_scratch.data()) + kv_head * shape.k_head_width;
    float dot = 0.0f;
    for (int64_t i = 0; i < shape.dot_width; ++i) dot += qh[i] * k[i];
    scores[static_cast<size_t>(p)] = dot * kq_scale;
  }
  SoftmaxInPlace(scores.data(), n_ctx);

  std::fill(out_head, out_head + shape.v_head_width, 0.0f);
  for (int64_t p = 0; p < n_ctx; ++p) {
    const int block = row.block_table[p / block_size];
    const int slot = static_cast<int>(p % block_size);
    const float* v = shape.v_in_k
                         ? kv.ReadK(layer, block, slot, k_scratch.data()) + kv_head * shape.k_head_width
                         : kv.ReadV(layer, block, slot, v_scratch.data()) + kv_head * shape.v_head_width;
    const float a = scores[static_cast<size_t>(p)];
    for (int64_t i = 0; i < shape.v_head_width; ++i) out_head[i] += a * v[i];
  }
}

}  // namespace dsinfer
