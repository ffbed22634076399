// Readers for the tokenizer reference files in ../shared/golden/tokenizer (test code only;
// header-only): llama.cpp's .inp/.out pairs, hf.jsonl / llamacpp.jsonl encodings, and the
// gzip-compressed tokenizer.json. Formats: shared/golden/README.md §7.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dsinfer::tokenizer::testing {

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct EncodingCase {
  int id = 0;
  std::string text;
  std::vector<int32_t> ids_plain;    // no special-token parsing (llama.cpp .out: these)
  std::vector<int32_t> ids_special;  // special-token text recognised
};

// llama.cpp test-tokenizer-0 files: tests separated by "\n__ggml_vocab_test__\n", one line of
// " id id id" per test in the .out file.
inline std::vector<EncodingCase> ReadInpOut(const std::string& inp_path,
                                            const std::string& out_path) {
  const std::string inp = ReadWholeFile(inp_path);
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<EncodingCase> cases;
  for (size_t pos = 0; pos < inp.size();) {
    const size_t end = inp.find(separator, pos);
    if (end == std::string::npos) break;
    EncodingCase c;
    c.id = static_cast<int>(cases.size());
    c.text = inp.substr(pos, end - pos);
    cases.push_back(std::move(c));
    pos = end + separator.size();
  }
  std::ifstream out(out_path);
  std::string line;
  for (EncodingCase& c : cases) {
    if (!std::getline(out, line)) break;
    std::istringstream ids(line);
    int32_t id;
    while (ids >> id) c.ids_plain.push_back(id);
    c.ids_special = c.ids_plain;
  }
  return cases;
}

// hf.jsonl / llamacpp.jsonl: {"id", "text"?, "ids_plain", "ids_special"} per line.
inline std::vector<EncodingCase> ReadEncodingsJsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<EncodingCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    EncodingCase c;
    c.id = j.at("id").get<int>();
    c.text = j.value("text", "");
    c.ids_plain = j.at("ids_plain").get<std::vector<int32_t>>();
    c.ids_special = j.at("ids_special").get<std::vector<int32_t>>();
    cases.push_back(std::move(c));
  }
  return cases;
}

// The texts of corpus.jsonl, in file order.
inline std::vector<std::string> ReadCorpusTexts(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) texts.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
  }
  return texts;
}

// Decompresses `gz_path` into `out_path` with gzip -dc; false on failure.
inline bool GunzipToFile(const std::string& gz_path, const std::string& out_path) {
  const std::string command = "gzip -dc '" + gz_path + "' > '" + out_path + "'";
  return std::system(command.c_str()) == 0;
}

}  // namespace dsinfer::tokenizer::testing
