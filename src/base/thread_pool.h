// ThreadPool: a fixed set of worker threads that run data-parallel loops.
// Created once by the caller (CLI, engine) and passed explicitly to whatever computes; never a
// global. ParallelFor may be called from one thread at a time (the owner); the calling thread
// takes part in the work, so a pool of N threads starts N-1 workers.
//
// A decoded token runs a few hundred parallel loops of some tens of microseconds each, so the
// hand-off must cost far less than a futex wake-up: idle workers spin on the job counter for a
// bounded time (kSpinMicros, yielding the core now and then) before they sleep. A pool left
// idle longer than that sleeps and costs nothing. Chunks are claimed, not assigned: when a
// worker is descheduled (a busy machine), the caller runs its chunk instead of waiting a
// scheduler time slice for it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dsinfer {

class ThreadPool {
 public:
  // `num_threads` >= 1 counts the calling thread.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs fn(chunk_index, begin, end) over [0, n) split into num_threads() contiguous chunks,
  // and returns when all chunks are done. chunk_index is in [0, num_threads()); no two calls
  // with the same chunk_index run at once, so it may index per-thread scratch.
  void ParallelFor(size_t n, const std::function<void(int, size_t, size_t)>& fn);

  // Number of hardware threads, at least 1.
  static int HardwareThreads();

  // How long an idle worker polls for the next loop before it sleeps.
  static constexpr int64_t kSpinMicros = 500;

 private:
  void WorkerLoop();
  // Claims and runs chunks of job `generation` until none is left.
  void RunChunks(uint64_t generation);
  // Returns the first generation other than `seen` (or when stopping), spinning, then sleeping.
  uint64_t WaitForJob(uint64_t seen);

  std::vector<std::thread> workers_;
  // The current job; written by ParallelFor before it publishes a new generation.
  const std::function<void(int, size_t, size_t)>* job_ = nullptr;
  size_t job_n_ = 0;
  std::atomic<uint64_t> generation_{0};
  // (generation << 16) | next unclaimed chunk of the current job.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};      // chunks of the current job finished
  std::atomic<int> sleepers_{0};  // workers blocked (or about to block) on work_cv_
  std::atomic<bool> stop_{false};
  std::atomic<bool> busy_{false};  // a ParallelFor is running (reentrancy check)
  std::mutex mu_;                  // only for sleeping and waking
  std::condition_variable work_cv_;
};

}  // namespace dsinfer
