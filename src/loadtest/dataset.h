// A JSONL workload file for --dataset: one JSON object per line with either "prompt" (a string)
// or "messages" (an OpenAI chat messages array), and optionally "max_tokens". Blank lines are
// skipped. Requests use the entries in file order, wrapping around. Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "loadtest/options.h"

namespace dsinfer::loadtest {

struct DatasetEntry {
  std::string prompt;         // set for "prompt" entries
  std::string messages_json;  // set for "messages" entries: the array, serialized
  std::optional<int> max_tokens;
};

// Parses JSONL text; `name` (the file name) prefixes messages, which give the line number.
// "messages" entries are refused for the completions endpoint.
Expected<std::vector<DatasetEntry>> ParseDataset(const std::string& text, const std::string& name,
                                                 Endpoint endpoint);

// Reads and parses a file.
Expected<std::vector<DatasetEntry>> LoadDataset(const std::string& path, Endpoint endpoint);

}  // namespace dsinfer::loadtest
