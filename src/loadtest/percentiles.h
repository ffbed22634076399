// Summary statistics of a latency sample: mean, min, max and the 50th/90th/99th percentiles.
// Percentiles interpolate linearly between the closest ranks (NumPy's default "linear" method),
// so p50 of {1, 2, 3, 4} is 2.5 and every percentile of one value is that value.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace dsinfer::loadtest {

struct Distribution {
  size_t count = 0;  // 0: the other fields are 0 and mean nothing
  double mean = 0;
  double min = 0;
  double max = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
};

// The q-th percentile (0 <= q <= 100) of `sorted` (ascending); 0 for an empty sample.
double Percentile(std::span<const double> sorted, double q);

// Sorts `values` and summarizes them.
Distribution Summarize(std::vector<double> values);

}  // namespace dsinfer::loadtest
