#include "engine/event_stream.h"

#include <utility>

#include "base/check.h"

namespace dsinfer::engine {

const char* FinishReasonName(FinishReason reason) {
  switch (reason) {
    case FinishReason::kNone: return "none";
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kDeadline: return "deadline";
    case FinishReason::kError: return "error";
  }
  return "unknown";
}

void EventStream::Push(StreamEvent event) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    CHECK(!done_pushed_) << "event pushed after the request's done event";
    done_pushed_ = event.done;
    queue_.push_back(std::move(event));
    notify = on_push_;
  }
  cv_.notify_all();
  if (notify) notify();
}

std::optional<StreamEvent> EventStream::PopLocked() {
  if (queue_.empty()) return std::nullopt;
  StreamEvent e = std::move(queue_.front());
  queue_.pop_front();
  if (e.done) done_popped_ = true;
  return e;
}

std::optional<StreamEvent> EventStream::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !queue_.empty() || done_popped_; });
  return PopLocked();
}

std::optional<StreamEvent> EventStream::NextFor(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || done_popped_; });
  return PopLocked();
}

std::optional<StreamEvent> EventStream::TryNext() {
  std::lock_guard<std::mutex> lock(mu_);
  return PopLocked();
}

bool EventStream::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_pushed_;
}

void EventStream::set_on_push(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_push_ = std::move(fn);
}

}  // namespace dsinfer::engine
