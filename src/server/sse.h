// Server-Sent Events framing for streamed completions (the OpenAI wire format): every event is
// "data: <payload>\n\n" and the stream ends with "data: [DONE]\n\n". A payload containing line
// breaks is split over several "data:" lines, as the SSE specification requires, so a client's
// event parser always gets back the original text. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dsinfer::server {

// One event carrying `payload` (typically a JSON object).
std::string SseEvent(std::string_view payload);

// The terminating "data: [DONE]" event.
std::string SseDone();

// A comment line (": text\n\n"), ignored by clients; used as a keep-alive.
std::string SseComment(std::string_view text);

}  // namespace dsinfer::server
