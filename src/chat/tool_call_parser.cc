#include "chat/tool_call_parser.h"

#include <nlohmann/json.hpp>

#include "chat/partial_match.h"

namespace dsinfer::chat {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The arguments of the V3 layout: "```json\nARGS\n```" (the language tag is optional).
bool StripJsonFence(std::string_view fenced, std::string_view* args) {
  fenced = Trim(fenced);
  if (!StartsWith(fenced, "```") || fenced.size() < 6) return false;
  size_t close = fenced.rfind("```");
  if (close < 3) return false;
  std::string_view inner = fenced.substr(3, close - 3);
  if (StartsWith(inner, "json")) inner.remove_prefix(4);
  if (inner.empty() || (inner.front() != '\n' && inner.front() != '\r')) return false;
  *args = Trim(inner);
  return true;
}

// JSON text re-serialized compactly; false when it is not valid JSON.
bool CompactJson(std::string_view text, std::string* out) {
  try {
    nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(text.begin(), text.end());
    *out = parsed.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return true;
  } catch (const nlohmann::ordered_json::exception&) {
    return false;
  }
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    if (c == '\n' || c == '\r' || c == '<' || c == '>' || c == '`') return false;
  }
  return true;
}

}  // namespace

bool ToolCallParser::ParseCallBody(std::string_view body, ToolCall* call) {
  size_t sep = body.find(kToolSeparator);
  if (sep == std::string_view::npos) return false;
  std::string_view before = Trim(body.substr(0, sep));
  std::string_view after = body.substr(sep + kToolSeparator.size());
  std::string_view name;
  std::string_view args;
  size_t newline = after.find('\n');
  std::string_view fenced_args;
  if (newline != std::string_view::npos &&
      StripJsonFence(after.substr(newline + 1), &fenced_args) &&
      IsValidName(Trim(after.substr(0, newline)))) {
    name = Trim(after.substr(0, newline));  // V3 / R1: TYPE<sep>NAME\n```json\nARGS\n```
    args = fenced_args;
  } else {
    name = before;  // V3.1: NAME<sep>ARGS
    args = Trim(after);
  }
  if (!IsValidName(name)) return false;
  std::string compact;
  if (!CompactJson(args, &compact)) return false;
  call->type = "function";
  call->name = std::string(name);
  call->arguments = jinja::Value::String(std::move(compact));
  return true;
}

ToolCallDelta ToolCallParser::Feed(std::string_view text) {
  pending_.append(text);
  ToolCallDelta out;
  Process(&out, false);
  return out;
}

ToolCallDelta ToolCallParser::Finish() {
  ToolCallDelta out;
  Process(&out, true);
  return out;
}

void ToolCallParser::AbandonBlock(ToolCallDelta* out) {
  if (!block_emitted_call_) out->content += block_opening_;
  block_opening_.clear();
  state_ = State::kContent;
}

void ToolCallParser::Process(ToolCallDelta* out, bool at_end) {
  while (true) {
    if (state_ == State::kContent) {
      size_t calls = pending_.find(kToolCallsBegin);
      size_t single = pending_.find(kToolCallBegin);
      size_t start = std::min(calls, single);
      if (start == std::string::npos) {
        size_t hold = at_end ? 0 : PartialMarkerSuffix(pending_, {kToolCallsBegin, kToolCallBegin});
        out->content.append(pending_, 0, pending_.size() - hold);
        pending_.erase(0, pending_.size() - hold);
        return;
      }
      out->content.append(pending_, 0, start);
      // A block opened by <｜tool▁calls▁begin｜> consumes it; one that starts directly with a
      // call keeps the call marker for the block parser.
      size_t opening = start == calls ? kToolCallsBegin.size() : 0;
      block_opening_ = pending_.substr(start, opening);
      pending_.erase(0, start + opening);
      block_emitted_call_ = false;
      state_ = State::kInBlock;
      continue;
    }

    size_t first = 0;
    while (first < pending_.size() && IsAsciiSpace(pending_[first])) ++first;
    std::string_view rest = std::string_view(pending_).substr(first);
    if (StartsWith(rest, kToolCallsEnd)) {
      size_t length = first + kToolCallsEnd.size();
      if (!block_emitted_call_) {
        // A block without any call is not a tool call: keep its text.
        AbandonBlock(out);
        out->content.append(pending_, 0, length);
      }
      pending_.erase(0, length);
      block_opening_.clear();
      state_ = State::kContent;
      continue;
    }
    if (StartsWith(rest, kToolCallBegin)) {
      size_t end = rest.find(kToolCallEnd, kToolCallBegin.size());
      std::string_view body_so_far = rest.substr(
          kToolCallBegin.size(),
          end == std::string_view::npos ? std::string_view::npos : end - kToolCallBegin.size());
      // Another marker inside the call means the call was never closed.
      bool broken = body_so_far.find(kToolCallBegin) != std::string_view::npos ||
                    body_so_far.find(kToolCallsEnd) != std::string_view::npos ||
                    body_so_far.find(kToolCallsBegin) != std::string_view::npos;
      if (end == std::string_view::npos && !broken) {
        if (!at_end) return;
        AbandonBlock(out);
        out->content += pending_;
        pending_.clear();
        continue;
      }
      ToolCall call;
      if (!broken && ParseCallBody(body_so_far, &call)) {
        call.id = id_prefix_ + std::to_string(next_id_++);
        out->tool_calls.push_back(std::move(call));
        block_emitted_call_ = true;
        pending_.erase(0, first + end + kToolCallEnd.size());
        continue;
      }
      // Not a valid call: its text (up to the next marker when it never closed) is content.
      size_t raw_length =
          broken ? first + kToolCallBegin.size() : first + end + kToolCallEnd.size();
      AbandonBlock(out);
      out->content.append(pending_, 0, raw_length);
      pending_.erase(0, raw_length);
      continue;
    }
    bool could_be_marker = kToolCallBegin.substr(0, rest.size()) == rest ||
                           kToolCallsEnd.substr(0, rest.size()) == rest;
    if (could_be_marker && !at_end) return;
    // Stray text inside the block (or an unfinished marker at the end): back to content.
    AbandonBlock(out);
    out->content.append(pending_, 0, first);
    pending_.erase(0, first);
    if (at_end && could_be_marker) {
      out->content += pending_;
      pending_.clear();
    }
  }
}

}  // namespace dsinfer::chat
