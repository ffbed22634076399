// ToolCallParser: finds DeepSeek tool calls in streamed model output (after reasoning was split
// off) and turns them into OpenAI tool calls. Both DeepSeek layouts are accepted, per call:
//   V3 / R1:  <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n
//             ARGS\n```<｜tool▁call▁end｜> ... <｜tool▁calls▁end｜>
//   V3.1:     <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS
//             <｜tool▁call▁end｜> ... <｜tool▁calls▁end｜>
// (a block that starts directly with <｜tool▁call▁begin｜> is accepted too). ARGS must be JSON;
// it is returned re-serialized compactly ({"a":1}), Unicode kept as UTF-8. Calls get ids
// "call_0", "call_1", ... in order. Text before and after the block is content.
//
// Streaming: a call is emitted as soon as its <｜tool▁call▁end｜> arrives; text that could be
// the start of a marker is held back, so content deltas never show part of a special token.
// Untrusted input never crashes the parser: a call that does not parse (no separator, empty
// name, invalid JSON), stray text inside the block and a block closed without any call turn
// back into plain content, and an unfinished block at the end of the stream is returned as
// content by Finish(). When no call is found, the content is exactly the input.
//
// One parser per output stream. Not thread-safe (one thread at a time).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_message.h"

namespace dsinfer::chat {

// The DeepSeek tool-call markers (spec §11).
inline constexpr std::string_view kToolCallsBegin = "<｜tool▁calls▁begin｜>";
inline constexpr std::string_view kToolCallsEnd = "<｜tool▁calls▁end｜>";
inline constexpr std::string_view kToolCallBegin = "<｜tool▁call▁begin｜>";
inline constexpr std::string_view kToolCallEnd = "<｜tool▁call▁end｜>";
inline constexpr std::string_view kToolSeparator = "<｜tool▁sep｜>";

struct ToolCallDelta {
  std::string content;
  std::vector<ToolCall> tool_calls;  // arguments are strings holding compact JSON
};

class ToolCallParser {
 public:
  explicit ToolCallParser(std::string id_prefix = "call_") : id_prefix_(std::move(id_prefix)) {}

  // Consumes the next piece of output; returns the content and calls that became certain.
  ToolCallDelta Feed(std::string_view text);
  // Ends the stream: held-back text and any unfinished block come back as content.
  ToolCallDelta Finish();

  // Parses the text between <｜tool▁call▁begin｜> and <｜tool▁call▁end｜> in either layout;
  // false when it is not a valid call. `call->id` is left empty.
  static bool ParseCallBody(std::string_view body, ToolCall* call);

 private:
  enum class State { kContent, kInBlock };

  void Process(ToolCallDelta* out, bool at_end);
  // Leaves the current block for content scanning; the marker that opened it becomes content
  // unless a call of the block was already emitted. The caller moves the rest of the raw text.
  void AbandonBlock(ToolCallDelta* out);

  std::string id_prefix_;
  State state_ = State::kContent;
  std::string pending_;
  std::string block_opening_;  // the marker that opened the current block, as received
  bool block_emitted_call_ = false;
  int next_id_ = 0;
};

}  // namespace dsinfer::chat
