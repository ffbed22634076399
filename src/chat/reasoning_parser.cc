#include "chat/reasoning_parser.h"

#include "chat/partial_match.h"

namespace dsinfer::chat {

ReasoningParser::ReasoningParser(Options options)
    : options_(std::move(options)),
      state_(State::kStart),
      forced_open_(options_.starts_in_reasoning) {}

ReasoningDelta ReasoningParser::Feed(std::string_view text) {
  pending_.append(text);
  ReasoningDelta out;
  Process(&out, false);
  return out;
}

ReasoningDelta ReasoningParser::Finish() {
  ReasoningDelta out;
  Process(&out, true);
  held_space_.clear();
  pending_.clear();
  return out;
}

void ReasoningParser::EmitReasoning(std::string_view text, ReasoningDelta* out) {
  if (!reasoning_started_) {
    size_t first = 0;
    while (first < text.size() && IsAsciiSpace(text[first])) ++first;
    text.remove_prefix(first);
    if (text.empty()) return;
    reasoning_started_ = true;
  }
  size_t end = text.size();
  while (end > 0 && IsAsciiSpace(text[end - 1])) --end;
  if (end == 0) {
    held_space_.append(text);
    return;
  }
  out->reasoning += held_space_;
  held_space_.clear();
  out->reasoning.append(text.substr(0, end));
  held_space_.append(text.substr(end));
}

void ReasoningParser::Process(ReasoningDelta* out, bool at_end) {
  const std::string& open = options_.open_tag;
  const std::string& close = options_.close_tag;
  while (true) {
    switch (state_) {
      case State::kStart: {
        size_t first = 0;
        while (first < pending_.size() && IsAsciiSpace(pending_[first])) ++first;
        std::string_view rest = std::string_view(pending_).substr(first);
        if (rest.substr(0, open.size()) == open) {
          pending_.erase(0, first + open.size());
          state_ = State::kReasoning;
          continue;
        }
        bool could_be_tag = open.compare(0, rest.size(), rest) == 0;  // includes rest empty
        if (could_be_tag && !at_end) return;
        if (forced_open_) {
          state_ = State::kReasoning;
          continue;
        }
        out->content += pending_;
        pending_.clear();
        state_ = State::kContent;
        return;
      }
      case State::kReasoning: {
        size_t found = pending_.find(close);
        if (found != std::string::npos) {
          EmitReasoning(std::string_view(pending_).substr(0, found), out);
          held_space_.clear();
          pending_.erase(0, found + close.size());
          state_ = State::kAfterReasoning;
          continue;
        }
        size_t hold = at_end ? 0 : PartialMarkerSuffix(pending_, close);
        EmitReasoning(std::string_view(pending_).substr(0, pending_.size() - hold), out);
        pending_.erase(0, pending_.size() - hold);
        return;
      }
      case State::kAfterReasoning: {
        size_t first = 0;
        while (first < pending_.size() && IsAsciiSpace(pending_[first])) ++first;
        pending_.erase(0, first);
        if (pending_.empty()) return;
        state_ = State::kContent;
        continue;
      }
      case State::kContent:
        out->content += pending_;
        pending_.clear();
        return;
    }
  }
}

bool ReasoningParser::PromptOpensReasoning(std::string_view prompt, std::string_view open_tag,
                                           std::string_view close_tag) {
  size_t open = prompt.rfind(open_tag);
  if (open == std::string_view::npos) return false;
  return prompt.find(close_tag, open + open_tag.size()) == std::string_view::npos;
}

}  // namespace dsinfer::chat
