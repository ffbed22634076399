// A small Prometheus metrics registry: counters and histograms with labels, rendered in the
// Prometheus text exposition format (version 0.0.4). Names carry their unit (_seconds, _bytes,
// _total) and are registered once at start-up; label values are bounded by the caller (e.g. the
// endpoint label comes from the route table, never from the raw path).
//
// Thread-safety: registration happens before concurrent use; after that every method of
// Counter, Histogram, the families and MetricsRegistry::Render is safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dsinfer::server {

// Writes samples in the text format, escaping label values and help text.
class MetricsTextWriter {
 public:
  void Header(const std::string& name, const std::string& help, const std::string& type);
  void Sample(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels, double value);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// Formats a sample value: integers exactly, others with 10 significant digits, +Inf/-Inf/NaN.
std::string FormatMetricValue(double value);

class Counter {
 public:
  void Add(double v = 1.0);
  double value() const;

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf last
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // guarded by mu_; one per bound plus +Inf
  double sum_ = 0;                // guarded by mu_
};

// A metric name with label names; one child per distinct label-value list.
template <typename T>
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
               std::vector<double> buckets = {})
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
        buckets_(std::move(buckets)) {}
  // The child for `label_values` (same length as the label names), created on first use.
  T& WithLabels(const std::vector<std::string>& label_values);
  void Render(MetricsTextWriter& w) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // guarded by mu_
};

using CounterFamily = MetricFamily<Counter>;
using HistogramFamily = MetricFamily<Histogram>;

class MetricsRegistry {
 public:
  CounterFamily& AddCounter(std::string name, std::string help, std::vector<std::string> labels = {});
  HistogramFamily& AddHistogram(std::string name, std::string help, std::vector<double> buckets,
                                std::vector<std::string> labels = {});
  // Every family, in registration order.
  void Render(MetricsTextWriter& w) const;

 private:
  std::vector<std::unique_ptr<CounterFamily>> counters_;
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<std::pair<bool, size_t>> order_;  // (is_histogram, index)
};

// Latency buckets in seconds (1 ms .. 120 s).
std::vector<double> LatencyBuckets();

}  // namespace dsinfer::server
