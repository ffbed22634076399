#include "base/thread_pool.h"

#include <chrono>

#include "base/check.h"
#include "base/spin_wait.h"

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
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
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
  done_.store(0, std::memory_order_relaxed);
  const uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
  claim_.store(generation << 16, std::memory_order_relaxed);
  // seq_cst pairs with the sleeper's increment-then-check in WaitForJob: either it sees the new
  // generation or this sees it sleeping and wakes it.
  generation_.store(generation);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    work_cv_.notify_all();
  }
  RunChunks(generation);
  // Every chunk is claimed; wait for the ones workers are still running.
  SpinUntil([&] { return done_.load(std::memory_order_acquire) == parts; });
  job_ = nullptr;
  busy_.store(false, std::memory_order_release);
}

void ThreadPool::RunChunks(uint64_t generation) {
  const int parts = num_threads();
  uint64_t state = claim_.load(std::memory_order_acquire);
  for (;;) {
    if ((state >> 16) != generation || static_cast<int>(state & 0xffff) >= parts) return;
    if (!claim_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) continue;
    // The chunk is ours, so the job cannot finish (and job_ cannot change) before it is done.
    const int chunk = static_cast<int>(state & 0xffff);
    size_t begin, end;
    Chunk(job_n_, parts, chunk, &begin, &end);
    if (begin < end) (*job_)(chunk, begin, end);
    done_.fetch_add(1, std::memory_order_release);
    state = claim_.load(std::memory_order_acquire);
  }
}

uint64_t ThreadPool::WaitForJob(uint64_t seen) {
  const Clock::time_point spin_until = Clock::now() + std::chrono::microseconds(kSpinMicros);
  for (int spins = 0;; ++spins) {
    const uint64_t g = generation_.load(std::memory_order_acquire);
    if (g != seen || stop_.load(std::memory_order_relaxed)) return g;
    CpuRelax();
    if ((spins & 1023) == 1023) {
      if (Clock::now() > spin_until) break;
      // On a machine with more runnable threads than cores, a spinning worker may hold the
      // core the caller needs to publish the next job: let others run now and then.
      std::this_thread::yield();
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  sleepers_.fetch_add(1);
  work_cv_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
  sleepers_.fetch_sub(1);
  return generation_.load(std::memory_order_acquire);
}

void ThreadPool::WorkerLoop() {
  uint64_t seen = 0;
  for (;;) {
    seen = WaitForJob(seen);
    if (stop_.load()) return;
    RunChunks(seen);
  }
}

}  // namespace dsinfer
