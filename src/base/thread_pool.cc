#include "base/thread_pool.h"

#include <chrono>

#include "base/check.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DSINFER_CPU_RELAX() _mm_pause()
#else
#define DSINFER_CPU_RELAX() std::this_thread::yield()
#endif

namespace dsinfer {

namespace {

void Chunk(size_t n, int parts, int index, size_t* begin, size_t* end) {
  size_t base = n / parts, extra = n % parts;
  size_t i = static_cast<size_t>(index);
  *begin = i * base + (i < extra ? i : extra);
  *end = *begin + base + (i < extra ? 1 : 0);
}

using Clock = std::chrono::steady_clock;

}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  CHECK(num_threads >= 1) << "thread pool needs at least one thread";
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

int ThreadPool::HardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(int, size_t, size_t)>& fn) {
  const int parts = num_threads();
  if (parts == 1 || n <= 1) {
    if (n > 0) fn(0, 0, n);
    return;
  }
  CHECK(!busy_.exchange(true)) << "ParallelFor is not reentrant";
  job_ = &fn;
  job_n_ = n;
  pending_.store(parts - 1, std::memory_order_relaxed);
  // seq_cst pairs with the sleeper's increment-then-check in WaitForJob: either it sees the new
  // generation or this sees it sleeping and wakes it.
  generation_.fetch_add(1);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    work_cv_.notify_all();
  }
  size_t begin, end;
  Chunk(n, parts, 0, &begin, &end);
  if (begin < end) fn(0, begin, end);
  // The workers' chunks are as long as this one, so they finish about now: poll, and let them
  // have the core if one was descheduled.
  for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
    if (spins < 4096) {
      DSINFER_CPU_RELAX();
    } else {
      std::this_thread::yield();
    }
  }
  job_ = nullptr;
  busy_.store(false, std::memory_order_release);
}

uint64_t ThreadPool::WaitForJob(uint64_t seen) {
  const Clock::time_point spin_until = Clock::now() + std::chrono::microseconds(kSpinMicros);
  for (int spins = 0;; ++spins) {
    const uint64_t g = generation_.load(std::memory_order_acquire);
    if (g != seen || stop_.load(std::memory_order_relaxed)) return g;
    DSINFER_CPU_RELAX();
    if ((spins & 255) == 255 && Clock::now() > spin_until) break;
  }
  std::unique_lock<std::mutex> lock(mu_);
  sleepers_.fetch_add(1);
  work_cv_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
  sleepers_.fetch_sub(1);
  return generation_.load(std::memory_order_acquire);
}

void ThreadPool::WorkerLoop(int index) {
  uint64_t seen = 0;
  for (;;) {
    seen = WaitForJob(seen);
    if (stop_.load()) return;
    const std::function<void(int, size_t, size_t)>* job = job_;
    const size_t n = job_n_;
    size_t begin, end;
    Chunk(n, num_threads(), index, &begin, &end);
    if (begin < end) (*job)(index, begin, end);
    pending_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace dsinfer
