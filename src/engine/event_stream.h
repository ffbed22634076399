// EventStream: the channel that carries one request's StreamEvents from the engine thread to
// whoever submitted it. Single producer (the engine thread), any number of consumers (usually
// one). Unbounded: the engine never blocks on a slow reader; a reader that stops reading should
// Engine::Cancel its request.
//
// Thread-safety: every method is safe to call from any thread at any time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "engine/request.h"

namespace dsinfer::engine {

class EventStream {
 public:
  EventStream() = default;
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Producer side (engine thread). Events after the one with `done` set are a CHECK failure.
  void Push(StreamEvent event);

  // Blocks until an event is available and returns it; std::nullopt once the `done` event has
  // been returned (the stream is over).
  std::optional<StreamEvent> Next();
  // Like Next() but gives up after `timeout` and returns std::nullopt; check finished() to tell
  // a timeout from the end of the stream.
  std::optional<StreamEvent> NextFor(std::chrono::milliseconds timeout);
  // Returns an event if one is queued, without blocking.
  std::optional<StreamEvent> TryNext();

  // True once the `done` event has been pushed (it may still be queued).
  bool finished() const;

  // Called on the engine thread after every Push (for example to wake an event loop). Must be
  // cheap, must not block, and must not call back into the engine. Set it before the first
  // event can arrive (i.e. pass it through Engine::Submit).
  void set_on_push(std::function<void()> fn);

 private:
  std::optional<StreamEvent> PopLocked();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<StreamEvent> queue_;   // guarded by mu_
  bool done_pushed_ = false;        // guarded by mu_
  bool done_popped_ = false;        // guarded by mu_
  std::function<void()> on_push_;   // guarded by mu_
};

}  // namespace dsinfer::engine
