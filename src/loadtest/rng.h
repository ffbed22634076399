// SplitMix64: a small deterministic pseudo-random generator. Its output depends only on the seed
// (the standard library's distributions are implementation-defined), so prompts and arrival
// times generated from --seed are the same on every machine and library version.
// Thread-compatible: one generator per user.
#pragma once

#include <cmath>
#include <cstdint>

namespace dsinfer::loadtest {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  // The next 64 random bits.
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n); n > 0. (The modulo bias is below 2^-50 for the small n used here.)
  uint64_t Below(uint64_t n) { return Next() % n; }

  // Uniform in [0, 1).
  double Uniform01() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Exponentially distributed with the given rate (> 0): Poisson-process inter-arrival gaps.
  double Exponential(double rate) { return -std::log1p(-Uniform01()) / rate; }

 private:
  uint64_t state_;
};

// A seed for an independent stream derived from (seed, stream id), e.g. one per request.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  SplitMix64 mix(seed ^ (stream * 0xD1B54A32D192ED03ull));
  mix.Next();
  return mix.Next();
}

}  // namespace dsinfer::loadtest
