// ThreadPool: a fixed set of worker threads that run data-parallel loops.
// Created once by the caller (CLI, engine) and passed explicitly to whatever computes; never a
// global. ParallelFor may be called from one thread at a time (the owner); the calling thread
// takes part in the work, so a pool of N threads starts N-1 workers.
#pragma once

#include <condition_variable>
#include <cstddef>
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

  // Runs fn(thread_index, begin, end) over [0, n) split into num_threads() contiguous chunks,
  // and returns when all chunks are done. thread_index is in [0, num_threads()).
  void ParallelFor(size_t n, const std::function<void(int, size_t, size_t)>& fn);

  // Number of hardware threads, at least 1.
  static int HardwareThreads();

 private:
  void WorkerLoop(int index);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(int, size_t, size_t)>* job_ = nullptr;  // guarded by mu_
  size_t job_n_ = 0;                                               // guarded by mu_
  unsigned long generation_ = 0;                                   // guarded by mu_
  int pending_ = 0;                                                // guarded by mu_
  bool stop_ = false;                                              // guarded by mu_
};

}  // namespace dsinfer
