#include "base/thread_pool.h"

#include "base/check.h"

namespace dsinfer {

namespace {
void Chunk(size_t n, int parts, int index, size_t* begin, size_t* end) {
  size_t base = n / parts, extra = n % parts;
  size_t i = static_cast<size_t>(index);
  *begin = i * base + (i < extra ? i : extra);
  *end = *begin + base + (i < extra ? 1 : 0);
}
}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  CHECK(num_threads >= 1) << "thread pool needs at least one thread";
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    CHECK(job_ == nullptr) << "ParallelFor is not reentrant";
    job_ = &fn;
    job_n_ = n;
    pending_ = parts - 1;
    ++generation_;
  }
  work_cv_.notify_all();
  size_t begin, end;
  Chunk(n, parts, 0, &begin, &end);
  if (begin < end) fn(0, begin, end);
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [this] { return pending_ == 0; });
  job_ = nullptr;
}

void ThreadPool::WorkerLoop(int index) {
  unsigned long seen = 0;
  for (;;) {
    const std::function<void(int, size_t, size_t)>* job;
    size_t n;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      n = job_n_;
    }
    size_t begin, end;
    Chunk(n, num_threads(), index, &begin, &end);
    if (begin < end) (*job)(index, begin, end);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }
}

}  // namespace dsinfer
