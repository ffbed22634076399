// Request bodies for the load: BuildRequestBody() writes one streamed OpenAI request
// (stream: true, stream_options.include_usage: true); a RequestSource yields the body of the
// i-th request from generated prompts or a dataset. Sources are called on the load runner's
// I/O thread, so Plan() must not block (no server calls). Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/dataset.h"
#include "loadtest/options.h"
#include "loadtest/prompt_generator.h"

namespace dsinfer::loadtest {

struct BodyOptions {
  Endpoint endpoint = Endpoint::kChat;
  std::string model;  // omitted when empty
  int max_tokens = 64;
  bool ignore_eos = false;
};

// The JSON body: chat takes `messages_json` (an array) when set, else one user message with
// `prompt`; completions takes `prompt`.
std::string BuildRequestBody(const BodyOptions& options, const std::string& prompt,
                             const std::string& messages_json = "",
                             std::optional<int> max_tokens = std::nullopt);

struct RequestPlan {
  std::string body;
  int64_t prompt_tokens = 0;  // the prompt's token count when known, else 0
};

class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // The request issued as number `index` (0, 1, 2, ...). Must not block.
  virtual RequestPlan Plan(uint64_t index) = 0;
};

// Prompts from a PromptGenerator. With a non-empty `pool` (prompts made exact beforehand by
// GenerateExact), request i uses pool[i % size] instead of generating.
class GeneratedSource final : public RequestSource {
 public:
  GeneratedSource(PromptGenerator generator, BodyOptions body,
                  std::vector<GeneratedPrompt> pool = {});
  RequestPlan Plan(uint64_t index) override;

 private:
  PromptGenerator generator_;
  BodyOptions body_;
  std::vector<GeneratedPrompt> pool_;
};

// Entries of a dataset, in order, wrapping around.
class DatasetSource final : public RequestSource {
 public:
  DatasetSource(std::vector<DatasetEntry> entries, BodyOptions body);
  RequestPlan Plan(uint64_t index) override;

 private:
  std::vector<DatasetEntry> entries_;
  BodyOptions body_;
};

}  // namespace dsinfer::loadtest
