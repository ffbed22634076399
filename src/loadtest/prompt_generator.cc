#include "loadtest/prompt_generator.h"

#include <algorithm>

#include "loadtest/rng.h"
#include "loadtest/word_list.h"

namespace dsinfer::loadtest {

namespace {

constexpr const char* kLeadWord = "Once";
constexpr uint64_t kPrefixStream = 0;
constexpr int kMaxExactRounds = 16;

uint64_t PromptStream(uint64_t index) { return 2 * index + 1; }

}  // namespace

Expected<PromptGenerator> PromptGenerator::Create(TokenCounter* counter, int64_t prompt_tokens,
                                                  int64_t shared_prefix_tokens, uint64_t seed) {
  PromptGenerator g;
  g.prompt_tokens_ = prompt_tokens;
  g.seed_ = seed;
  g.measured_ = counter != nullptr;
  for (std::string_view w : PromptWords()) {
    int64_t cost = 1;
    if (counter) {
      std::string fragment(1, ' ');  // (not " " + w: GCC 12 warns falsely about that concatenation)
      fragment += w;
      auto counted = counter->CountFragment(fragment);
      if (!counted.ok()) return counted.status();
      cost = *counted;
    }
    if (cost <= 0) continue;
    g.words_.emplace_back(w);
    g.costs_.push_back(cost);
  }
  if (g.words_.empty()) return Internal("the tokenizer gives every prompt word zero tokens");
  g.cheapest_ =
      static_cast<size_t>(std::min_element(g.costs_.begin(), g.costs_.end()) - g.costs_.begin());
  if (counter) {
    auto head = counter->CountPrompt(kLeadWord);
    if (!head.ok()) return head.status();
    g.head_tokens_ = *head;
  } else {
    g.head_tokens_ = 2;
  }
  if (prompt_tokens < g.head_tokens_) {
    return InvalidArgument(
        "--prompt-tokens " + std::to_string(prompt_tokens) + " is below the " +
        std::to_string(g.head_tokens_) +
        " tokens a one-word prompt already takes (BOS and chat template included)");
  }
  g.prefix_text_ = kLeadWord;
  g.prefix_tokens_ = g.head_tokens_;
  if (shared_prefix_tokens > g.head_tokens_) {
    g.prefix_tokens_ += g.Fill(DeriveSeed(seed, kPrefixStream),
                               shared_prefix_tokens - g.head_tokens_, &g.prefix_text_);
  }
  return g;
}

int64_t PromptGenerator::Fill(uint64_t stream_seed, int64_t target, std::string* text) const {
  SplitMix64 rng(stream_seed);
  int64_t sum = 0;
  const size_t n = words_.size();
  while (sum < target) {
    size_t w = rng.Below(n);
    if (costs_[w] > target - sum) {
      // Near the end: the next word (in list order from the drawn one) that fits exactly or less.
      size_t k = 0;
      while (k < n && costs_[(w + k) % n] > target - sum) ++k;
      if (k == n) break;  // nothing fits: the prompt ends a little short
      w = (w + k) % n;
    }
    *text += ' ';
    *text += words_[w];
    sum += costs_[w];
  }
  return sum;
}

GeneratedPrompt PromptGenerator::Generate(uint64_t index) const {
  GeneratedPrompt p;
  p.text = prefix_text_;
  p.tokens = prefix_tokens_ +
             Fill(DeriveSeed(seed_, PromptStream(index)), prompt_tokens_ - prefix_tokens_, &p.text);
  return p;
}

Expected<GeneratedPrompt> PromptGenerator::GenerateExact(uint64_t index,
                                                         TokenCounter* counter) const {
  GeneratedPrompt p = Generate(index);
  for (int round = 0; round < kMaxExactRounds; ++round) {
    auto counted = counter->CountPrompt(p.text);
    if (!counted.ok()) return counted.status();
    p.tokens = *counted;
    if (p.tokens == prompt_tokens_) break;
    if (p.tokens > prompt_tokens_) {
      const size_t space = p.text.rfind(' ');
      if (space == std::string::npos || space < prefix_text_.size())
        break;  // only the prefix is left
      p.text.resize(space);
    } else {
      p.text += ' ';
      p.text += words_[cheapest_];
    }
  }
  return p;
}

}  // namespace dsinfer::loadtest
