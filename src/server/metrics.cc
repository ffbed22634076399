#include "server/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/check.h"

namespace dsinfer::server {

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.10g", v);
  }
  return buf;
}

void MetricsTextWriter::Header(const std::string& name, const std::string& help, const std::string& type) {
  out_ += "# HELP " + name + " ";
  for (char c : help) {
    if (c == '\\') out_ += "\\\\";
    else if (c == '\n') out_ += "\\n";
    else out_ += c;
  }
  out_ += "\n# TYPE " + name + " " + type + "\n";
}

void MetricsTextWriter::Sample(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels,
                               double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      out_ += labels[i].first + "=\"";
      for (char c : labels[i].second) {
        if (c == '\\') out_ += "\\\\";
        else if (c == '"') out_ += "\\\"";
        else if (c == '\n') out_ += "\\n";
        else out_ += c;
      }
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ' + FormatMetricValue(value) + '\n';
}

void Counter::Add(double v) {
  double cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

double Counter::value() const { return value_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  CHECK(std::is_sorted(bounds_.begin(), bounds_.end())) << "histogram bounds must be sorted";
  counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::Observe(double v) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[i];
  sum_ += v;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_;
  return s;
}

template <>
Counter& MetricFamily<Counter>::WithLabels(const std::vector<std::string>& values) {
  CHECK(values.size() == label_names_.size()) << name_ << ": wrong number of label values";
  std::lock_guard<std::mutex> lock(mu_);
  auto& child = children_[values];
  if (!child) child = std::make_unique<Counter>();
  return *child;
}

template <>
Histogram& MetricFamily<Histogram>::WithLabels(const std::vector<std::string>& values) {
  CHECK(values.size() == label_names_.size()) << name_ << ": wrong number of label values";
  std::lock_guard<std::mutex> lock(mu_);
  auto& child = children_[values];
  if (!child) child = std::make_unique<Histogram>(buckets_);
  return *child;
}

namespace {
std::vector<std::pair<std::string, std::string>> Zip(const std::vector<std::string>& names,
                                                     const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < names.size(); ++i) out.emplace_back(names[i], values[i]);
  return out;
}
}  // namespace

template <>
void MetricFamily<Counter>::Render(MetricsTextWriter& w) const {
  w.Header(name_, help_, "counter");
  std::lock_guard<std::mutex> lock(mu_);
  if (children_.empty() && label_names_.empty()) w.Sample(name_, {}, 0);
  for (const auto& [values, c] : children_) w.Sample(name_, Zip(label_names_, values), c->value());
}

template <>
void MetricFamily<Histogram>::Render(MetricsTextWriter& w) const {
  w.Header(name_, help_, "histogram");
  std::lock_guard<std::mutex> lock(mu_);
  auto render_one = [&](const std::vector<std::string>& values, const Histogram::Snapshot& s) {
    auto labels = Zip(label_names_, values);
    for (size_t i = 0; i <= s.upper_bounds.size(); ++i) {
      auto with_le = labels;
      with_le.emplace_back("le", i < s.upper_bounds.size() ? FormatMetricValue(s.upper_bounds[i]) : "+Inf");
      w.Sample(name_ + "_bucket", with_le, static_cast<double>(s.cumulative[i]));
    }
    w.Sample(name_ + "_sum", labels, s.sum);
    w.Sample(name_ + "_count", labels, static_cast<double>(s.count));
  };
  if (children_.empty() && label_names_.empty()) render_one({}, Histogram(buckets_).Read());
  for (const auto& [values, h] : children_) render_one(values, h->Read());
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help, std::vector<std::string> labels) {
  counters_.push_back(std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(labels)));
  order_.emplace_back(false, counters_.size() - 1);
  return *counters_.back();
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help, std::vector<double> buckets,
                                               std::vector<std::string> labels) {
  histograms_.push_back(
      std::make_unique<HistogramFamily>(std::move(name), std::move(help), std::move(labels), std::move(buckets)));
  order_.emplace_back(true, histograms_.size() - 1);
  return *histograms_.back();
}

void MetricsRegistry::Render(MetricsTextWriter& w) const {
  for (const auto& [is_histogram, i] : order_) {
    if (is_histogram) histograms_[i]->Render(w);
    else counters_[i]->Render(w);
  }
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75,
          1.0,   2.5,    5.0,   7.5,  10.0,  20.0, 30.0,  60.0, 120.0};
}

}  // namespace dsinfer::server
