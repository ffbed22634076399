// WaitingQueue: sequences waiting to (re)start, in scheduling order (priority classes, FCFS
// within a class). A preempted sequence keeps its arrival number, so it goes back in front of
// everything in its class that arrived after it, and resumes before them.
// Holds raw pointers; the sequences are owned by their requests. Not thread-safe.
#pragma once

#include <cstddef>
#include <set>

#include "engine/sequence.h"

namespace dsinfer::engine {

class WaitingQueue {
 public:
  void Push(Sequence* seq);          // CHECKs that it is not queued already
  Sequence* Front() const;           // null when empty
  void PopFront();
  bool Remove(Sequence* seq);        // false when not queued
  bool empty() const { return queue_.empty(); }
  size_t size() const { return queue_.size(); }

  auto begin() const { return queue_.begin(); }
  auto end() const { return queue_.end(); }

 private:
  struct Order {
    bool operator()(const Sequence* a, const Sequence* b) const { return RunsBefore(*a, *b); }
  };
  std::set<Sequence*, Order> queue_;
};

}  // namespace dsinfer::engine
