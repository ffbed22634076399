// TokenizeCounter: a TokenCounter backed by the server's POST /tokenize (dsinfer and vLLM:
// {"prompt": ...} or {"messages": [...]} in, {"count": N, "tokens": [...]} out). Chat prompts
// are counted as one user message rendered through the server's chat template with the
// generation prompt, which is what the chat endpoint will tokenize. Thread-compatible.
#pragma once

#include <string>

#include "loadtest/blocking_http.h"
#include "loadtest/options.h"
#include "loadtest/prompt_generator.h"

namespace dsinfer::loadtest {

class TokenizeCounter final : public TokenCounter {
 public:
  // `path` is where /tokenize lives on the server (the origin's "/tokenize").
  TokenizeCounter(BlockingHttpClient* http, std::string path, std::string model, Endpoint endpoint);

  Expected<int64_t> CountPrompt(const std::string& text) override;
  Expected<int64_t> CountFragment(const std::string& fragment) override;

  int64_t calls() const { return calls_; }

 private:
  Expected<int64_t> Count(const std::string& body);

  BlockingHttpClient* http_;
  std::string path_;
  std::string model_;
  Endpoint endpoint_;
  int64_t calls_ = 0;
};

}  // namespace dsinfer::loadtest
