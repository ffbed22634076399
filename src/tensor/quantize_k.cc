// K-quant quantizers, following llama.cpp's reference (no importance matrix) versions in
// ggml-quants.c: make_qkx2_quants for the (scale, min) sub-blocks of Q4_K/Q5_K, make_qx_quants
// for the signed sub-blocks of Q6_K. Expressions keep llama.cpp's evaluation order (e.g.
// `w * l * l` is (w * l) * l) so results match llama-quantize's.

#include "tensor/quantize_k.h"

#include <cmath>
#include <cstring>

#include "tensor/blocks.h"
#include "tensor/half.h"

namespace dsinfer {

int NearestInt(float v) {
  if (!(std::fabs(v) <= 4194303.0f)) {
    if (std::isnan(v)) return 0;
    return v > 0 ? 4194303 : -4194303;
  }
  // Adding 1.5 * 2^23 leaves the rounded integer in the low mantissa bits.
  const float shifted = v + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof(bits));
  return (bits & 0x007FFFFF) - 0x00400000;
}

namespace {

inline int ClampInt(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Fits x[0..n) ~ scale * L[i] - the_min with L in [0, nmax] and the_min >= 0, minimizing the
// weighted squared error: a first guess from the range, then `nstep + 1` candidate inverse
// scales (nmax + rmin + rdelta * is) / (max - min), each refined by weighted least squares for
// scale and min. Returns the scale; stores -min in *the_min. (llama.cpp's make_qkx2_quants with
// use_mad = false.)
float MakeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                     float* the_min, uint8_t* Laux, float rmin, float rdelta, int nstep) {
  float min = x[0];
  float max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    *the_min = -min;
    return 0.0f;
  }
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    const int l = NearestInt(iscale * (x[i] - min));
    L[i] = static_cast<uint8_t>(ClampInt(l, 0, nmax));
    const float diff = scale * L[i] + min - x[i];
    best_error += weights[i] * (diff * diff);
  }
  if (nstep < 1) {
    *the_min = -min;
    return scale;
  }
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = ClampInt(NearestInt(iscale * (x[i] - min)), 0, nmax);
      Laux[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      sum_l += w * l;
      sum_l2 += w * l * l;
      sum_xl += w * l * x[i];
    }
    const float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur_error = 0;
      for (int i = 0; i < n; ++i) {
        const float diff = this_scale * Laux[i] + this_min - x[i];
        cur_error += weights[i] * (diff * diff);
      }
      if (cur_error < best_error) {
        for (int i = 0; i < n; ++i) L[i] = Laux[i];
        best_error = cur_error;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

// Fits x[0..n) ~ scale * (L[i] - nmax) with L[i] - nmax in [-nmax, nmax - 1], weighting each
// element by x^2 (rmse_type 1): starts from the scale that maps the largest-magnitude element to
// -nmax, then tries 18 nearby scales and keeps the best least-squares fit. Returns the scale.
// (llama.cpp's make_qx_quants with rmse_type = 1 and no importance weights.)
float MakeQxQuants(int n, int nmax, const float* x, int8_t* L) {
  float max = 0;
  float amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < 1e-15f) {  // GROUP_MAX_EPS: all zero
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.0f;
  }
  float iscale = -nmax / max;
  float sumlx = 0;
  float suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = ClampInt(NearestInt(iscale * x[i]), -nmax, nmax - 1);
    L[i] = static_cast<int8_t>(l + nmax);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(nmax + 0.1f * is) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = ClampInt(NearestInt(iscale * x[i]), -nmax, nmax - 1);
      const float w = x[i] * x[i];
      sumlx += w * x[i] * l;
      suml2 += w * l * l;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) {
        L[i] = static_cast<int8_t>(nmax + ClampInt(NearestInt(iscale * x[i]), -nmax, nmax - 1));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// Search parameters of make_qkx2_quants for one K-quant type.
struct Qkx2Params {
  int nmax;      // largest quant value (15 for Q4_K, 31 for Q5_K)
  float rmin;    // first candidate offset to nmax
  float rdelta;  // step between candidates
  int nstep;     // number of steps (nstep + 1 candidates)
};

// The shared front half of Q4_K and Q5_K: per 32-element sub-block scale/min search, 6-bit
// quantization of the scales and mins against the super-block d/dmin, and requantization of
// every element with the stored (rounded) scales. Fills d/dmin/scales of `b` and L[256].
template <typename Block>
void QuantizeScaleMinSuperBlock(const float* x, const Qkx2Params& p, Block& b, uint8_t L[256]) {
  uint8_t Laux[32];
  float weights[32];
  float mins[8];
  float scales[8];
  float max_scale = 0;  // scales are positive since the min is subtracted
  float max_min = 0;
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + 32 * j;
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
    const float av_x = std::sqrt(sum_x2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xs[l]);
    scales[j] = MakeQkx2Quants(32, p.nmax, xs, weights, L + 32 * j, &mins[j], Laux, p.rmin,
                               p.rdelta, p.nstep);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }

  const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
  const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
  std::memset(b.scales, 0, sizeof(b.scales));
  for (int j = 0; j < 8; ++j) {
    uint8_t ls = static_cast<uint8_t>(NearestInt(inv_scale * scales[j]));
    uint8_t lm = static_cast<uint8_t>(NearestInt(inv_min * mins[j]));
    if (ls > 63) ls = 63;
    if (lm > 63) lm = 63;
    if (j < 4) {
      b.scales[j] = ls;
      b.scales[j + 4] = lm;
    } else {
      b.scales[j + 4] = static_cast<uint8_t>((ls & 0x0F) | ((lm & 0x0F) << 4));
      b.scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
      b.scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
    }
  }
  b.d = Fp32ToFp16(max_scale / 63.0f);
  b.dmin = Fp32ToFp16(max_min / 63.0f);

  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    GetScaleMinK4(j, b.scales, &sc, &m);
    const float d = Fp16ToFp32(b.d) * sc;
    if (d == 0.0f) continue;
    const float dm = Fp16ToFp32(b.dmin) * m;
    for (int ii = 0; ii < 32; ++ii) {
      const int l = NearestInt((x[32 * j + ii] + dm) / d);
      L[32 * j + ii] = static_cast<uint8_t>(ClampInt(l, 0, p.nmax));
    }
  }
}

}  // namespace

void QuantizeRowQ4_K(const float* x, void* dst, int64_t n) {
  const Qkx2Params params{15, -1.0f, 0.1f, 20};
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    BlockQ4_K b;
    uint8_t L[kQK_K];
    QuantizeScaleMinSuperBlock(x, params, b, L);
    // Chunk c of 64 elements: low nibbles hold elements 0..31, high nibbles 32..63.
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        b.qs[32 * c + l] = static_cast<uint8_t>(L[64 * c + l] | (L[64 * c + l + 32] << 4));
      }
    }
    std::memcpy(static_cast<uint8_t*>(dst) + i * sizeof(b), &b, sizeof(b));
  }
}

void QuantizeRowQ5_K(const float* x, void* dst, int64_t n) {
  const Qkx2Params params{31, -0.5f, 0.1f, 15};
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    BlockQ5_K b;
    uint8_t L[kQK_K];
    QuantizeScaleMinSuperBlock(x, params, b, L);
    std::memset(b.qh, 0, sizeof(b.qh));
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        int lo = L[64 * c + l];
        int hi = L[64 * c + l + 32];
        if (lo > 15) {
          lo -= 16;
          b.qh[l] |= static_cast<uint8_t>(1 << (2 * c));
        }
        if (hi > 15) {
          hi -= 16;
          b.qh[l] |= static_cast<uint8_t>(1 << (2 * c + 1));
        }
        b.qs[32 * c + l] = static_cast<uint8_t>(lo | (hi << 4));
      }
    }
    std::memcpy(static_cast<uint8_t*>(dst) + i * sizeof(b), &b, sizeof(b));
  }
}

void QuantizeRowQ6_K(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    BlockQ6_K b;
    std::memset(&b, 0, sizeof(b));
    int8_t L[kQK_K];
    float scales[16];
    float max_scale = 0;
    float max_abs_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
      scales[ib] = MakeQxQuants(16, 32, x + 16 * ib, L + 16 * ib);
      const float abs_scale = std::fabs(scales[ib]);
      if (abs_scale > max_abs_scale) {
        max_abs_scale = abs_scale;
        max_scale = scales[ib];
      }
    }
    if (max_abs_scale >= 1e-15f) {  // otherwise the block stays all zero (GROUP_MAX_EPS)
      const float iscale = -128.0f / max_scale;
      b.d = Fp32ToFp16(1 / iscale);
      for (int ib = 0; ib < 16; ++ib) {
        const int s = NearestInt(iscale * scales[ib]);
        b.scales[ib] = static_cast<int8_t>(s < 127 ? s : 127);
      }
      for (int j = 0; j < 16; ++j) {
        const float d = Fp16ToFp32(b.d) * b.scales[j];
        if (d == 0.0f) continue;
        for (int ii = 0; ii < 16; ++ii) {
          const int l = ClampInt(NearestInt(x[16 * j + ii] / d), -32, 31);
          L[16 * j + ii] = static_cast<int8_t>(l + 32);
        }
      }
      // Half h of 128 elements: ql[64h + l] packs elements l (low) and l+64 (high), ql[64h+32+l]
      // elements l+32 and l+96; qh[32h + l] packs the top 2 bits of all four.
      for (int h = 0; h < 2; ++h) {
        const int8_t* Lh = L + 128 * h;
        uint8_t* ql = b.ql + 64 * h;
        uint8_t* qh = b.qh + 32 * h;
        for (int l = 0; l < 32; ++l) {
          const int q1 = Lh[l], q2 = Lh[l + 32], q3 = Lh[l + 64], q4 = Lh[l + 96];
          ql[l] = static_cast<uint8_t>((q1 & 0x0F) | ((q3 & 0x0F) << 4));
          ql[l + 32] = static_cast<uint8_t>((q2 & 0x0F) | ((q4 & 0x0F) << 4));
          qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) |
                                       ((q4 >> 4) << 6));
        }
      }
    }
    std::memcpy(static_cast<uint8_t*>(dst) + i * sizeof(b), &b, sizeof(b));
  }
}

}  // namespace dsinfer
