// ChatOutputParser: the streaming pipeline for one assistant turn, ReasoningParser then
// ToolCallParser on the content, so a server gets reasoning_content, content and tool_calls
// deltas from raw text deltas (or token pieces). Either stage can be turned off. Inherits the
// guarantees of both stages: no partial tag in any delta, malformed markup degrades to
// content, never a crash.
//
// One parser per output stream. Not thread-safe (one thread at a time).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_message.h"
#include "chat/reasoning_parser.h"
#include "chat/tool_call_parser.h"

namespace dsinfer::chat {

struct OutputDelta {
  std::string reasoning;
  std::string content;
  std::vector<ToolCall> tool_calls;

  bool empty() const { return reasoning.empty() && content.empty() && tool_calls.empty(); }
};

class ChatOutputParser {
 public:
  struct Options {
    bool parse_reasoning = true;
    bool starts_in_reasoning = false;  // e.g. ReasoningParser::PromptOpensReasoning(prompt)
    bool parse_tool_calls = true;
  };

  explicit ChatOutputParser(const Options& options);

  OutputDelta Feed(std::string_view text);
  OutputDelta Finish();

 private:
  void PassContent(const std::string& content, bool at_end, OutputDelta* out);

  Options options_;
  ReasoningParser reasoning_;
  ToolCallParser tool_calls_;
};

}  // namespace dsinfer::chat
