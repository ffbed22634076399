// `dsinfer tokenize` and `dsinfer detokenize`: text <-> token ids with a model's tokenizer.
//
//   dsinfer tokenize   (-m FILE.gguf | --tokenizer tokenizer.json) [--json] [--no-bos]
//                      [--parse-special] [TEXT]          (TEXT omitted: read standard input)
//   dsinfer detokenize (-m FILE.gguf | --tokenizer tokenizer.json) [--json] [--skip-special] IDS...
//
// With --tokenizer, tokenizer_config.json next to it (or --tokenizer-config) supplies BOS/EOS.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "tokenizer/bpe_tokenizer.h"

namespace dsinfer::cli {

namespace {

using tokenizer::Tokenizer;

struct TokenizerSource {
  std::string model;           // -m FILE.gguf
  std::string tokenizer_json;  // --tokenizer tokenizer.json
  std::string config;          // --tokenizer-config tokenizer_config.json
};

struct TokenizeOptions {
  TokenizerSource source;
  std::string text;
  bool text_given = false;
  bool json = false;
  bool no_bos = false;
  bool parse_special = false;
};

struct DetokenizeOptions {
  TokenizerSource source;
  std::vector<std::string> ids;
  bool json = false;
  bool skip_special = false;
};

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void AddSourceOptions(CLI::App* cmd, TokenizerSource* source) {
  CLI::Option* model = cmd->add_option("-m,--model", source->model, "GGUF model or vocab file");
  CLI::Option* json = cmd->add_option("--tokenizer", source->tokenizer_json,
                                      "Hugging Face tokenizer.json (instead of -m)");
  model->excludes(json);
  cmd->add_option("--tokenizer-config", source->config,
                  "tokenizer_config.json for --tokenizer (default: the one next to it)")
      ->needs(json);
}

// Exit code 2 with a message when neither or both sources are given.
int LoadTokenizer(const TokenizerSource& source, std::unique_ptr<Tokenizer>* out) {
  if (source.model.empty() == source.tokenizer_json.empty()) {
    PrintError("give the tokenizer as -m FILE.gguf or --tokenizer tokenizer.json");
    return 2;
  }
  auto load = [&source]() -> Expected<std::unique_ptr<Tokenizer>> {
    if (!source.model.empty()) return Tokenizer::FromGgufPath(source.model);
    std::string config = source.config;
    if (config.empty()) {
      const size_t slash = source.tokenizer_json.rfind('/');
      const std::string dir =
          slash == std::string::npos ? "" : source.tokenizer_json.substr(0, slash + 1);
      if (IsRegularFile(dir + "tokenizer_config.json")) config = dir + "tokenizer_config.json";
    }
    return Tokenizer::FromHfJson(source.tokenizer_json, config);
  };
  auto t = load();
  if (!t.ok()) {
    PrintError(t.status().message());
    return 1;
  }
  *out = std::move(t).value();
  return 0;
}

// The piece quoted for a terminal: printable UTF-8 as is, escapes for control characters,
// quotes, backslashes and bytes that are not valid UTF-8.
std::string Quote(const std::string& bytes) {
  std::string out = "'";
  for (size_t i = 0; i < bytes.size();) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    size_t len = b < 0x80                   ? 1
                 : (b >= 0xC2 && b <= 0xDF) ? 2
                 : (b >= 0xE0 && b <= 0xEF) ? 3
                 : (b >= 0xF0 && b <= 0xF4) ? 4
                                            : 0;
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= bytes.size() || (static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) {
        len = 0;
        break;
      }
    }
    if (len > 1) {
      out.append(bytes, i, len);
      i += len;
      continue;
    }
    char escape[8];
    switch (b) {
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      default:
        if (len == 1 && b >= 0x20 && b != 0x7F) {
          out.push_back(static_cast<char>(b));
        } else {
          std::snprintf(escape, sizeof(escape), "\\x%02x", b);
          out += escape;
        }
    }
    ++i;
  }
  return out + "'";
}

// JSON text that never throws on invalid UTF-8 (such bytes become U+FFFD).
std::string DumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int RunTokenize(const TokenizeOptions& o) {
  std::unique_ptr<Tokenizer> t;
  if (int rc = LoadTokenizer(o.source, &t); rc != 0) return rc;
  std::string text = o.text;
  if (!o.text_given) {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  const std::vector<int32_t> ids = t->Encode(text, !o.no_bos, o.parse_special);
  if (o.json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (int32_t id : ids) pieces.push_back(t->TokenPiece(id));
    std::printf("%s\n",
                DumpJson({{"ids", ids}, {"pieces", pieces}, {"n_tokens", ids.size()}}).c_str());
    return 0;
  }
  for (int32_t id : ids) std::printf("%7d  %s\n", id, Quote(t->TokenPiece(id)).c_str());
  std::printf("%zu token%s\n", ids.size(), ids.size() == 1 ? "" : "s");
  return 0;
}

// Parses "1,2, 3" / "[1 2 3]" style lists; false with a message on a bad entry.
bool ParseIds(const std::vector<std::string>& args, const Tokenizer& t, std::vector<int32_t>* ids) {
  for (const std::string& arg : args) {
    size_t i = 0;
    while (i < arg.size()) {
      const char c = arg[i];
      if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '[' || c == ']') {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < arg.size() && arg[end] != ',' && arg[end] != ' ' && arg[end] != '\t' &&
             arg[end] != '\n' && arg[end] != ']') {
        ++end;
      }
      const std::string item = arg.substr(i, end - i);
      int32_t id = 0;
      const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
      if (ec != std::errc() || ptr != item.data() + item.size()) {
        PrintError("invalid token id '" + item + "'");
        return false;
      }
      if (!t.IsValidId(id)) {
        PrintError("token id " + item + " is outside the vocabulary (0.." +
                   std::to_string(t.n_vocab() - 1) + ")");
        return false;
      }
      ids->push_back(id);
      i = end;
    }
  }
  return true;
}

int RunDetokenize(const DetokenizeOptions& o) {
  std::unique_ptr<Tokenizer> t;
  if (int rc = LoadTokenizer(o.source, &t); rc != 0) return rc;
  std::vector<int32_t> ids;
  if (!ParseIds(o.ids, *t, &ids)) return 2;
  const std::string text = t->Decode(ids, o.skip_special);
  if (o.json) {
    std::printf("%s\n", DumpJson({{"text", text}, {"n_tokens", ids.size()}}).c_str());
    return 0;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

}  // namespace

void RegisterTokenize(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids and pieces of a text");
  AddSourceOptions(cmd, &opts->source);
  cmd->add_option("text", opts->text, "Text to tokenize (default: standard input)");
  cmd->add_flag("--json", opts->json, "Machine-readable output: {ids, pieces, n_tokens}");
  cmd->add_flag("--no-bos", opts->no_bos, "Do not add BOS/EOS even if the vocabulary asks for it");
  cmd->add_flag("--parse-special", opts->parse_special,
                "Recognise control-token text such as <｜User｜> in the text");
  cmd->callback([opts, cmd, exit_code] {
    opts->text_given = cmd->count("text") > 0;
    *exit_code = RunTokenize(*opts);
  });
}

void RegisterDetokenize(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<DetokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("detokenize", "Print the text of a list of token ids");
  AddSourceOptions(cmd, &opts->source);
  cmd->add_option("ids", opts->ids, "Token ids, comma or space separated")->required();
  cmd->add_flag("--json", opts->json, "Machine-readable output: {text, n_tokens}");
  cmd->add_flag("--skip-special", opts->skip_special,
                "Leave out control tokens such as <｜end▁of▁sentence｜>");
  cmd->callback([opts, exit_code] { *exit_code = RunDetokenize(*opts); });
}

}  // namespace dsinfer::cli
