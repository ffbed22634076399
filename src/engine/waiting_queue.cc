#include "engine/waiting_queue.h"

#include "base/check.h"

namespace dsinfer::engine {

void WaitingQueue::Push(Sequence* seq) {
  CHECK(queue_.insert(seq).second) << "sequence " << seq->id << " is already waiting";
}

Sequence* WaitingQueue::Front() const { return queue_.empty() ? nullptr : *queue_.begin(); }

void WaitingQueue::PopFront() {
  CHECK(!queue_.empty());
  queue_.erase(queue_.begin());
}

bool WaitingQueue::Remove(Sequence* seq) {
  auto it = queue_.find(seq);
  if (it == queue_.end() || *it != seq) return false;
  queue_.erase(it);
  return true;
}

}  // namespace dsinfer::engine
