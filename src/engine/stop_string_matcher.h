// StopStringMatcher: finds stop strings in one sample's streaming text and holds back text that
// might still turn out to be the start of one, so a stop string never reaches the client.
//
// Push(delta) returns the text that can no longer be part of a stop string. When a stop string
// is complete, the text before its first occurrence is released, `matched` is set, and nothing
// after it is ever released. Flush() returns the held-back tail at the end of the stream.
// Not thread-safe; one per sample.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dsinfer::engine {

class StopStringMatcher {
 public:
  // Empty strings in `stops` are ignored.
  explicit StopStringMatcher(std::vector<std::string> stops);

  struct Result {
    std::string released;
    bool matched = false;
    std::string stop;  // the stop string that matched
  };

  Result Push(std::string_view delta);
  std::string Flush();

  size_t held_bytes() const { return held_.size(); }
  bool active() const { return !stops_.empty(); }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool matched_ = false;
};

}  // namespace dsinfer::engine
