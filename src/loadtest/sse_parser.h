// SseParser: an incremental Server-Sent Events parser for a response body that arrives in pieces
// split anywhere (inside a line, between "\r" and "\n", inside a UTF-8 sequence). It follows the
// event-stream grammar of the HTML specification: lines end with CRLF, LF or CR; "data:" lines
// (one optional space after the colon) accumulate, joined by "\n"; a blank line dispatches the
// event when it has data; ":" comment lines and other fields (event, id, retry) are ignored.
// An event still open when the body ends is incomplete (has_partial_event()).
//
// Thread-compatible: one parser per response.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dsinfer::loadtest {

class SseParser {
 public:
  // `max_event_bytes` bounds one line and one event's data; more is a malformed stream.
  explicit SseParser(size_t max_event_bytes = 1u << 20) : max_event_bytes_(max_event_bytes) {}

  // Consumes `bytes` and appends the data of every event completed by them to `events`.
  // Returns an error (and consumes nothing more) when a line or event exceeds the limit.
  Status Feed(std::string_view bytes, std::vector<std::string>* events);

  // True when bytes of an unfinished line or undispatched data are buffered.
  bool has_partial_event() const { return !line_.empty() || has_data_; }

 private:
  Status EndLine(std::vector<std::string>* events);

  size_t max_event_bytes_;
  std::string line_;       // the current line, without its terminator
  std::string data_;       // data of the current event
  bool has_data_ = false;  // a data field was seen (even an empty one)
  bool after_cr_ = false;  // the previous byte was '\r' (a following '\n' belongs to it)
};

}  // namespace dsinfer::loadtest
