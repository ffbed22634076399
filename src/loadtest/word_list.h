// The fixed vocabulary generated prompts are drawn from: common lowercase English words, so
// prompts look like (meaningless) text to any tokenizer and cost about one token per word.
// Changing the list changes every generated prompt; keep it stable.
#pragma once

#include <span>
#include <string_view>

namespace dsinfer::loadtest {

std::span<const std::string_view> PromptWords();

}  // namespace dsinfer::loadtest
