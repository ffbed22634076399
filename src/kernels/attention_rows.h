// The two products of attention over cached rows (f32), blocked so that each cached row is
// loaded once for several query heads: with MLA all 16-128 heads of a token share one latent
// row, and one row per dot product was the cost of a prompt's attention.
//
// Each head's result is computed with the same operations in the same order whatever n_heads
// is and however a caller splits its heads, so outputs do not depend on how a batch was divided
// among threads. Thread-safe for distinct outputs.
#pragma once

#include <cstdint>

namespace dsinfer {

// scores[h * score_stride + p] = scale * dot(q + h * q_stride, rows[p] + row_offset, width)
// for h < n_heads, p < n_rows. The dot sums 16 interleaved partial sums, then those in order,
// then the tail: a fixed function of width.
void ScoreRows(const float* q, int64_t q_stride, int n_heads, const float* const* rows,
               int64_t row_offset, int n_rows, int64_t width, float scale, float* scores,
               int64_t score_stride);

// out[h * out_stride + i] += weights[h * weight_stride + p] * rows[p][row_offset + i], added for
// p = 0, 1, ..., n_rows - 1 in that order (so calls over consecutive row ranges compose), for
// h < n_heads, i < width.
void AccumulateRows(const float* weights, int64_t weight_stride, int n_heads,
                    const float* const* rows, int64_t row_offset, int n_rows, int64_t width,
                    float* out, int64_t out_stride);

}  // namespace dsinfer
