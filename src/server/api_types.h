// Native forms of the OpenAI-compatible API objects. The JSON edge (api_*_json.cc) turns request
// bodies into these structs, validated field by field, and turns the output structs back into
// JSON; everything between works on typed values only. Plain value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chat/chat_message.h"
#include "chat/jinja/value.h"

namespace dsinfer::server {

// Limits the parsers check requests against (from ServerConfig and the model).
struct RequestLimits {
  int max_tokens_limit = 4096;
  int default_max_tokens = 256;
  int max_n = 16;
  int32_t n_vocab = 0;  // logit_bias keys must be below it (0: unchecked)
};

// Sampling and output options shared by chat and text completions (OpenAI names in comments).
struct GenerationOptions {
  int max_tokens = 256;                    // max_tokens / max_completion_tokens
  bool max_tokens_given = false;           // false: defaulted (clamped to the context left)
  int n = 1;
  std::vector<std::string> stop;           // stop: string or array of up to 4 strings
  float temperature = 1.0f;
  float top_p = 1.0f;
  int top_k = 0;                           // extra (vLLM); 0 or -1: off
  float min_p = 0.0f;                      // extra
  float repetition_penalty = 1.0f;         // extra
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  std::optional<uint64_t> seed;
  bool logprobs = false;                   // chat: logprobs=true; completions: logprobs=k set
  int top_logprobs = 0;                    // chat: top_logprobs; completions: logprobs=k
  std::vector<std::pair<int32_t, float>> logit_bias;
  bool ignore_eos = false;                 // extra
  int priority = 0;                        // extra; lower runs first
  bool stream = false;
  bool include_usage = false;              // stream_options.include_usage
  std::string user;
};

enum class ToolChoiceMode { kAuto, kNone, kRequired, kFunction };

struct ChatCompletionRequest {
  std::string model;
  std::vector<chat::ChatMessage> messages;
  std::vector<jinja::Value> tools;   // tool definitions as given
  ToolChoiceMode tool_choice = ToolChoiceMode::kAuto;
  std::string tool_choice_function;        // with kFunction
  jinja::ValueDict template_kwargs;  // chat_template_kwargs (e.g. enable_thinking)
  GenerationOptions options;
};

// One prompt of a text completion: text, or token ids given directly.
struct PromptInput {
  std::string text;
  std::vector<int32_t> token_ids;
  bool is_tokens = false;
};

struct CompletionRequest {
  std::string model;
  std::vector<PromptInput> prompts;        // prompt: string, [string], [int], [[int]]
  bool echo = false;
  GenerationOptions options;
};

struct TokenizeRequest {
  std::string model;
  std::string prompt;                      // text form
  std::vector<chat::ChatMessage> messages; // or chat form, rendered through the template
  std::vector<jinja::Value> tools;
  bool has_messages = false;
  bool add_special_tokens = true;
  bool add_generation_prompt = true;
};

struct DetokenizeRequest {
  std::string model;
  std::vector<int32_t> tokens;
};

// ---- output side ----

struct LogprobAlternative {
  std::string token;
  float logprob = 0;
};

struct TokenLogprobOut {
  std::string token;                       // the token's text
  float logprob = 0;
  std::vector<LogprobAlternative> top;     // best first
};

struct ToolCallOut {
  std::string id;
  std::string name;
  std::string arguments;                   // JSON text
};

// One finished choice (non-streaming responses).
struct ChoiceOut {
  int index = 0;
  std::string text;                        // content (chat) or text (completions)
  std::optional<std::string> reasoning;    // reasoning_content (chat)
  std::vector<ToolCallOut> tool_calls;
  std::string finish_reason;               // stop, length, tool_calls, abort, error
  std::optional<std::vector<TokenLogprobOut>> logprobs;
};

struct UsageOut {
  int prompt_tokens = 0;
  int completion_tokens = 0;
  int cached_tokens = 0;
};

// The envelope fields every response and chunk repeats.
struct ResponseHeader {
  std::string id;                          // chatcmpl-... / cmpl-...
  int64_t created = 0;                     // unix seconds
  std::string model;
};

// One streaming delta for one choice.
struct ChoiceDelta {
  int index = 0;
  bool role = false;                       // chat: first chunk of a choice carries the role
  std::optional<std::string> text;         // content / text
  std::optional<std::string> reasoning;
  std::vector<ToolCallOut> tool_calls;
  int tool_call_base = 0;                  // index of tool_calls[0] within the choice
  std::string finish_reason;               // empty: not finished
  std::optional<std::vector<TokenLogprobOut>> logprobs;
};

struct ModelCard {
  std::string id;
  int64_t created = 0;
  std::string owned_by = "dsinfer";
  int64_t max_model_len = 0;
};

}  // namespace dsinfer::server
