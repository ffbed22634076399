// RateLimiter: one token bucket per client key (an API key id, or the client address when
// authentication is off). A bucket holds up to `burst` tokens, refills at `rate_per_s`, and
// each request takes one; an empty bucket answers with the whole seconds until a token is back
// (sent as Retry-After with a 429). Buckets idle long enough to be full again are forgotten,
// so memory stays bounded by the number of recently active clients.
//
// Thread-safety: TryAcquire is safe from any number of threads (one mutex; the work is tiny).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dsinfer::server {

// The pure bucket arithmetic (thread-compatible).
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(double rate_per_s, double burst, Clock::time_point now);
  // Takes one token; returns 0 on success, else the seconds (>= 1) until one is available.
  int TryTake(Clock::time_point now);
  // True when the bucket has refilled completely by `now`.
  bool Full(Clock::time_point now) const;

 private:
  void Refill(Clock::time_point now);
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

class RateLimiter {
 public:
  // rate_per_s 0 disables limiting; burst 0 means max(1, rate_per_s).
  RateLimiter(double rate_per_s, double burst);
  bool enabled() const { return rate_ > 0; }

  // 0: allowed; otherwise the Retry-After seconds.
  int TryAcquire(const std::string& client, TokenBucket::Clock::time_point now = TokenBucket::Clock::now());

 private:
  double rate_;
  double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, TokenBucket> buckets_;  // guarded by mu_
  TokenBucket::Clock::time_point last_sweep_;             // guarded by mu_
};

}  // namespace dsinfer::server
