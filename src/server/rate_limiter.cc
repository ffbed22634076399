#include "server/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace dsinfer::server {

TokenBucket::TokenBucket(double rate_per_s, double burst, Clock::time_point now)
    : rate_(rate_per_s), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::Refill(Clock::time_point now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

int TokenBucket::TryTake(Clock::time_point now) {
  Refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return 0;
  }
  const double wait_s = (1.0 - tokens_) / rate_;
  return std::max(1, static_cast<int>(std::ceil(wait_s)));
}

bool TokenBucket::Full(Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  return tokens_ + std::max(0.0, elapsed) * rate_ >= burst_;
}

RateLimiter::RateLimiter(double rate_per_s, double burst)
    : rate_(rate_per_s), burst_(burst > 0 ? burst : std::max(1.0, rate_per_s)) {}

int RateLimiter::TryAcquire(const std::string& client, TokenBucket::Clock::time_point now) {
  if (!enabled()) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (now - last_sweep_ > std::chrono::seconds(60)) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      it = it->second.Full(now) ? buckets_.erase(it) : std::next(it);
    }
    last_sweep_ = now;
  }
  auto it = buckets_.find(client);
  if (it == buckets_.end()) it = buckets_.emplace(client, TokenBucket(rate_, burst_, now)).first;
  return it->second.TryTake(now);
}

}  // namespace dsinfer::server
