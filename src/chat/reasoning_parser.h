// ReasoningParser: splits streamed model output into reasoning_content (inside
// <think>...</think>) and content, the way llama.cpp's `deepseek` reasoning format does:
//   * a think block is recognized only at the start of the output (after optional whitespace);
//     a later "<think>" is ordinary content;
//   * when the prompt already opened the block (R1's generation prompt ends in "<think>\n"),
//     the output starts inside it (an extra "<think>" at its very start is skipped);
//   * an unterminated block makes everything reasoning; no block makes everything content;
//   * reasoning is trimmed of surrounding whitespace and the whitespace right after
//     "</think>" is dropped, so "<think>\nR\n</think>\n\nA" gives reasoning "R", content "A".
// Deltas may split tags anywhere ("<th" + "ink>"): text that could still become a tag is held
// back until it is decided, so no delta ever shows part of a tag. For any way of splitting the
// output, the concatenated deltas (Feed... then Finish) are the same.
//
// One parser per output stream. Not thread-safe (one thread at a time).
#pragma once

#include <string>
#include <string_view>

namespace dsinfer::chat {

struct ReasoningDelta {
  std::string reasoning;
  std::string content;
};

class ReasoningParser {
 public:
  struct Options {
    bool starts_in_reasoning = false;  // the prompt ended inside an open think block
    std::string open_tag = "<think>";
    std::string close_tag = "</think>";
  };

  ReasoningParser() : ReasoningParser(Options()) {}
  explicit ReasoningParser(Options options);

  // Consumes the next piece of output; returns what became certain.
  ReasoningDelta Feed(std::string_view text);
  // Ends the stream: returns everything still held back.
  ReasoningDelta Finish();

  // Whether a rendered prompt leaves the model inside a think block: its last open tag is not
  // followed by a close tag (R1's "...<｜Assistant｜><think>\n" but not "<think>\n</think>").
  static bool PromptOpensReasoning(std::string_view prompt, std::string_view open_tag = "<think>",
                                   std::string_view close_tag = "</think>");

 private:
  enum class State {
    kStart,           // before the first non-whitespace: a think block may still start
    kReasoning,       // inside the think block
    kAfterReasoning,  // after </think>: dropping whitespace before the content
    kContent,         // plain content until the end
  };

  void Process(ReasoningDelta* out, bool at_end);
  // Appends reasoning text, dropping leading whitespace and holding back trailing whitespace.
  void EmitReasoning(std::string_view text, ReasoningDelta* out);

  Options options_;
  State state_;
  bool forced_open_;  // kStart came from starts_in_reasoning
  bool reasoning_started_ = false;
  std::string pending_;     // received but not yet emitted
  std::string held_space_;  // trailing whitespace of the reasoning emitted so far
};

}  // namespace dsinfer::chat
