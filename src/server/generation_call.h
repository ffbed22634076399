// Running one chat or text completion request on the engine and answering it: submits one
// engine request per prompt (each with n samples), turns the engine's event streams into
// OpenAI choices (reasoning split from content, DeepSeek tool calls parsed out, logprobs with
// token text), and answers either with one JSON body or as Server-Sent Events. A client that
// disconnects cancels its engine requests (their KV blocks are freed within one engine step);
// the request is then logged with status 499 when the engine confirms.
//
// Threading: StartGeneration runs on the exchange's strand; the engine thread only posts
// "events ready" to that strand, where the events are read and written. No state is shared
// with the engine thread other than the engine's own EventStreams.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/api_types.h"
#include "server/exchange.h"
#include "server/generation_backend.h"
#include "server/serving_state.h"

namespace dsinfer::server {

enum class GenerationApi { kChat, kCompletion };

struct GenerationPlan {
  GenerationApi api = GenerationApi::kChat;
  ResponseHeader header;
  GenerationOptions options;
  std::vector<std::vector<int32_t>> prompts;  // one engine request each; choice = prompt * n + sample
  std::vector<std::string> echo_texts;        // completions with echo: text put before each choice
  bool parse_reasoning = false;               // chat: split <think> into reasoning_content
  bool starts_in_reasoning = false;           // the prompt opened the think block
  bool parse_tool_calls = false;              // chat with tools: parse DeepSeek tool-call blocks
  std::string prompt_for_log;                 // filled only with --log-prompts
};

// Submits the plan and answers through `exchange` (now on refusal, later otherwise).
void StartGeneration(GenerationPlan plan, ServingState& state, GenerationBackend& backend,
                     std::shared_ptr<Exchange> exchange);

}  // namespace dsinfer::server
