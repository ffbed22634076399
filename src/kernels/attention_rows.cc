#include "kernels/attention_rows.h"

#include <cstring>

namespace dsinfer {

namespace {

// Sixteen floats as one value; GCC lowers the operations to whatever vector width the clone
// targets (zmm, two ymm or four xmm), lane by lane, so every clone computes the same sums.
typedef float Lanes __attribute__((vector_size(64)));

// Inlined into each clone of its caller, so it is compiled for that clone's instruction set.
#define DSINFER_INLINE inline __attribute__((always_inline))

DSINFER_INLINE Lanes Load(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

DSINFER_INLINE void Store(float* p, Lanes v) { std::memcpy(p, &v, sizeof(v)); }

// Built for baseline x86-64; the loops are cloned per instruction set and picked at load time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define DSINFER_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DSINFER_SIMD_CLONES
#endif

// NB heads against one row: one load of each row vector serves NB products.
template <int NB>
DSINFER_INLINE void ScoreBlock(const float* q, int64_t q_stride, const float* k, int64_t width,
                       float scale, float* scores, int64_t score_stride) {
  Lanes acc[NB];
  for (int b = 0; b < NB; ++b) acc[b] = Lanes{};
  int64_t i = 0;
  for (; i + 16 <= width; i += 16) {
    const Lanes kv = Load(k + i);
    for (int b = 0; b < NB; ++b) acc[b] += Load(q + b * q_stride + i) * kv;
  }
  for (int b = 0; b < NB; ++b) {
    float sum = 0.0f;
    for (int j = 0; j < 16; ++j) sum += acc[b][j];
    const float* qb = q + b * q_stride;
    for (int64_t t = i; t < width; ++t) sum += qb[t] * k[t];
    scores[b * score_stride] = sum * scale;
  }
}

// NB heads, 64 output values each, over all rows: the partial outputs stay in registers.
template <int NB>
DSINFER_INLINE void AccumulateBlock64(const float* weights, int64_t weight_stride,
                              const float* const* rows, int64_t offset, int n_rows, float* out,
                              int64_t out_stride) {
  Lanes acc[NB][4];
  for (int b = 0; b < NB; ++b) {
    for (int c = 0; c < 4; ++c) acc[b][c] = Load(out + b * out_stride + 16 * c);
  }
  for (int p = 0; p < n_rows; ++p) {
    const float* v = rows[p] + offset;
    const Lanes v0 = Load(v), v1 = Load(v + 16), v2 = Load(v + 32), v3 = Load(v + 48);
    for (int b = 0; b < NB; ++b) {
      const float a = weights[b * weight_stride + p];
      acc[b][0] += a * v0;
      acc[b][1] += a * v1;
      acc[b][2] += a * v2;
      acc[b][3] += a * v3;
    }
  }
  for (int b = 0; b < NB; ++b) {
    for (int c = 0; c < 4; ++c) Store(out + b * out_stride + 16 * c, acc[b][c]);
  }
}

}  // namespace

DSINFER_SIMD_CLONES
void ScoreRows(const float* q, int64_t q_stride, int n_heads, const float* const* rows,
               int64_t row_offset, int n_rows, int64_t width, float scale, float* scores,
               int64_t score_stride) {
  for (int p = 0; p < n_rows; ++p) {
    const float* k = rows[p] + row_offset;
    int h = 0;
    for (; h + 8 <= n_heads; h += 8) {
      ScoreBlock<8>(q + h * q_stride, q_stride, k, width, scale, scores + h * score_stride + p, score_stride);
    }
    if (h + 4 <= n_heads) {
      ScoreBlock<4>(q + h * q_stride, q_stride, k, width, scale, scores + h * score_stride + p, score_stride);
      h += 4;
    }
    for (; h < n_heads; ++h) {
      ScoreBlock<1>(q + h * q_stride, q_stride, k, width, scale, scores + h * score_stride + p, score_stride);
    }
  }
}

DSINFER_SIMD_CLONES
void AccumulateRows(const float* weights, int64_t weight_stride, int n_heads,
                    const float* const* rows, int64_t row_offset, int n_rows, int64_t width,
                    float* out, int64_t out_stride) {
  int h = 0;
  for (; h + 2 <= n_heads; h += 2) {
    for (int64_t i = 0; i + 64 <= width; i += 64) {
      AccumulateBlock64<2>(weights + h * weight_stride, weight_stride, rows, row_offset + i,
                           n_rows, out + h * out_stride + i, out_stride);
    }
  }
  for (; h < n_heads; ++h) {
    for (int64_t i = 0; i + 64 <= width; i += 64) {
      AccumulateBlock64<1>(weights + h * weight_stride, weight_stride, rows, row_offset + i,
                           n_rows, out + h * out_stride + i, out_stride);
    }
  }
  // Values past the last multiple of 64, one at a time in the same order.
  const int64_t done = width - width % 64;
  if (done == width) return;
  for (int hh = 0; hh < n_heads; ++hh) {
    float* o = out + hh * out_stride;
    for (int p = 0; p < n_rows; ++p) {
      const float a = weights[hh * weight_stride + p];
      const float* v = rows[p] + row_offset;
      for (int64_t i = done; i < width; ++i) o[i] += a * v[i];
    }
  }
}

}  // namespace dsinfer
