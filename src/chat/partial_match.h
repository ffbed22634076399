// Helper for streaming parsers: how much of the end of a text could be the start of a marker
// that the next delta completes. Pure; thread-safe.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace dsinfer::chat {

// Length of the longest proper suffix of `text` that is a prefix of `marker` (0 if none).
inline size_t PartialMarkerSuffix(std::string_view text, std::string_view marker) {
  size_t longest = std::min(text.size(), marker.size() - (marker.empty() ? 0 : 1));
  for (size_t k = longest; k > 0; --k) {
    if (text.substr(text.size() - k) == marker.substr(0, k)) return k;
  }
  return 0;
}

// The largest PartialMarkerSuffix over several markers.
inline size_t PartialMarkerSuffix(std::string_view text,
                                  std::initializer_list<std::string_view> markers) {
  size_t longest = 0;
  for (std::string_view marker : markers)
    longest = std::max(longest, PartialMarkerSuffix(text, marker));
  return longest;
}

// ASCII whitespace as the parsers trim it.
inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace dsinfer::chat
