#include "chat/output_parser.h"

namespace dsinfer::chat {

namespace {

ReasoningParser::Options ReasoningOptions(const ChatOutputParser::Options& options) {
  ReasoningParser::Options r;
  r.starts_in_reasoning = options.starts_in_reasoning;
  return r;
}

}  // namespace

ChatOutputParser::ChatOutputParser(const Options& options)
    : options_(options), reasoning_(ReasoningOptions(options)) {}

void ChatOutputParser::PassContent(const std::string& content, bool at_end, OutputDelta* out) {
  if (!options_.parse_tool_calls) {
    out->content += content;
    return;
  }
  ToolCallDelta delta = tool_calls_.Feed(content);
  if (at_end) {
    ToolCallDelta rest = tool_calls_.Finish();
    delta.content += rest.content;
    for (ToolCall& call : rest.tool_calls) delta.tool_calls.push_back(std::move(call));
  }
  out->content += delta.content;
  for (ToolCall& call : delta.tool_calls) out->tool_calls.push_back(std::move(call));
}

OutputDelta ChatOutputParser::Feed(std::string_view text) {
  OutputDelta out;
  if (!options_.parse_reasoning) {
    PassContent(std::string(text), false, &out);
    return out;
  }
  ReasoningDelta r = reasoning_.Feed(text);
  out.reasoning = std::move(r.reasoning);
  PassContent(r.content, false, &out);
  return out;
}

OutputDelta ChatOutputParser::Finish() {
  OutputDelta out;
  std::string content;
  if (options_.parse_reasoning) {
    ReasoningDelta r = reasoning_.Finish();
    out.reasoning = std::move(r.reasoning);
    content = std::move(r.content);
  }
  PassContent(content, true, &out);
  return out;
}

}  // namespace dsinfer::chat
