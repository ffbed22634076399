// `dsinfer template (-m FILE.gguf | --chat-template FILE.jinja | --chat-format NAME)
//  --messages FILE.json [--tools FILE.json] [--add-generation-prompt] [--var key=value ...]`:
// prints the prompt a chat template renders for an OpenAI-style conversation, exactly as the
// server would build it (tool-call arguments adapted to what the template expects unless
// --arguments-as-given).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "chat/builtin_formats.h"
#include "chat/chat_template.h"
#include "chat/jinja/json.h"
#include "chat/openai_messages.h"
#include "cli/commands.h"
#include "gguf/reader.h"

namespace dsinfer::cli {

namespace {

// DeepSeek-V3's BOS/EOS texts, used when no GGUF says otherwise.
constexpr const char* kDefaultBosText = "<｜begin▁of▁sentence｜>";
constexpr const char* kDefaultEosText = "<｜end▁of▁sentence｜>";

struct TemplateOptions {
  std::string model;
  std::string template_file;
  std::string format;
  std::string messages_file;
  std::string tools_file;
  bool add_generation_prompt = false;
  bool arguments_as_given = false;
  std::vector<std::string> vars;
};

// The whole file, or stdin for "-".
Expected<std::string> ReadText(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open for reading");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return ss.str();
}

struct ModelChat {
  std::string chat_template;
  std::string bos_text;
  std::string eos_text;
};

// The text of token `id_key`'s id in tokenizer.ggml.tokens; empty when the model has none.
Expected<std::string> SpecialTokenText(const gguf::GgufFile& file, const std::string& id_key) {
  DSINFER_ASSIGN_OR_RETURN(uint32_t id,
                           file.GetU32Or(id_key, std::numeric_limits<uint32_t>::max()));
  if (id == std::numeric_limits<uint32_t>::max()) return std::string();
  const gguf::GgufValue* tokens = file.Find("tokenizer.ggml.tokens");
  if (tokens == nullptr || tokens->type() != gguf::ValueType::kArray ||
      tokens->elem_type() != gguf::ValueType::kString) {
    return DataLoss(file.path() + ": tokenizer.ggml.tokens is missing or not an array of strings");
  }
  if (id >= tokens->as_array().size()) {
    return DataLoss(file.path() + ": " + id_key + " " + std::to_string(id) + " is outside the " +
                    std::to_string(tokens->as_array().size()) + "-token vocabulary");
  }
  return tokens->as_array()[id].as_string();
}

Expected<ModelChat> ReadModelChat(const std::string& path) {
  DSINFER_ASSIGN_OR_RETURN(gguf::GgufFile file, gguf::GgufFile::Open(path));
  ModelChat chat;
  if (file.Find("tokenizer.chat_template") == nullptr) {
    return NotFound(path +
                    ": no tokenizer.chat_template in the model; use --chat-format or "
                    "--chat-template");
  }
  DSINFER_ASSIGN_OR_RETURN(chat.chat_template, file.GetString("tokenizer.chat_template"));
  DSINFER_ASSIGN_OR_RETURN(chat.bos_text, SpecialTokenText(file, "tokenizer.ggml.bos_token_id"));
  DSINFER_ASSIGN_OR_RETURN(chat.eos_text, SpecialTokenText(file, "tokenizer.ggml.eos_token_id"));
  return chat;
}

// key=value: the value as JSON when it parses (true, 3, "s", {...}), else as a plain string.
Status AddVariable(const std::string& assignment, jinja::ValueDict* vars) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return InvalidArgument("--var expects key=value, got '" + assignment + "'");
  }
  std::string value_text = assignment.substr(eq + 1);
  Expected<jinja::Value> parsed = jinja::ParseJson(value_text);
  vars->Set(assignment.substr(0, eq),
            parsed.ok() ? std::move(parsed).value() : jinja::Value::String(value_text));
  return Status::Ok();
}

int RunTemplate(const TemplateOptions& o) {
  int sources = !o.model.empty() + !o.template_file.empty() + !o.format.empty();
  if (sources != 1) {
    PrintError("give exactly one of -m, --chat-template, --chat-format");
    return 2;
  }
  chat::RenderOptions render;
  render.add_generation_prompt = o.add_generation_prompt;
  render.tool_arguments = o.arguments_as_given ? chat::ToolArgumentsMode::kAsGiven
                                               : chat::ToolArgumentsMode::kMatchTemplate;
  render.bos_token = kDefaultBosText;
  render.eos_token = kDefaultEosText;
  for (const std::string& assignment : o.vars) {
    Status st = AddVariable(assignment, &render.extra_variables);
    if (!st.ok()) {
      PrintError(st.message());
      return 2;
    }
  }

  std::unique_ptr<chat::ChatTemplate> tmpl;
  const auto load = [&](Expected<chat::ChatTemplate> loaded, const std::string& origin) {
    if (!loaded.ok()) {
      PrintError(origin.empty() ? loaded.status().message()
                                : origin + ": " + loaded.status().message());
      return false;
    }
    tmpl = std::make_unique<chat::ChatTemplate>(std::move(loaded).value());
    return true;
  };
  if (!o.model.empty()) {
    Expected<ModelChat> model = ReadModelChat(o.model);
    if (!model.ok()) {
      PrintError(model.status().message());
      return 1;
    }
    render.bos_token = model->bos_text;
    render.eos_token = model->eos_text;
    if (!load(chat::ChatTemplate::Parse(model->chat_template), o.model)) return 1;
  } else if (!o.template_file.empty()) {
    Expected<std::string> source = ReadText(o.template_file);
    if (!source.ok()) {
      PrintError(source.status().message());
      return 1;
    }
    if (!load(chat::ChatTemplate::Parse(*source), o.template_file)) return 1;
  } else if (!load(chat::ChatTemplate::Builtin(o.format), "")) {
    return 2;
  }

  Expected<std::string> messages_text = ReadText(o.messages_file);
  if (!messages_text.ok()) {
    PrintError(messages_text.status().message());
    return 1;
  }
  Expected<std::vector<chat::ChatMessage>> messages = chat::ParseOpenAiMessages(*messages_text);
  if (!messages.ok()) {
    PrintError(o.messages_file + ": " + messages.status().message());
    return 1;
  }
  if (!o.tools_file.empty()) {
    Expected<std::string> tools_text = ReadText(o.tools_file);
    if (!tools_text.ok()) {
      PrintError(tools_text.status().message());
      return 1;
    }
    Expected<std::vector<jinja::Value>> tools = chat::ParseOpenAiTools(*tools_text);
    if (!tools.ok()) {
      PrintError(o.tools_file + ": " + tools.status().message());
      return 1;
    }
    render.tools = std::move(tools).value();
  }

  Expected<std::string> prompt = tmpl->Render(*messages, render);
  if (!prompt.ok()) {
    PrintError(prompt.status().message());
    return 1;
  }
  std::fwrite(prompt->data(), 1, prompt->size(), stdout);
  if (isatty(STDOUT_FILENO)) std::fputc('\n', stdout);
  return 0;
}

}  // namespace

void RegisterTemplate(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<TemplateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "template", "Render a chat conversation into the prompt text a model's chat template gives");
  cmd->add_option("-m,--model", opts->model, "GGUF model whose tokenizer.chat_template to use");
  cmd->add_option("--chat-template", opts->template_file, "Jinja chat template file");
  std::string formats;
  for (std::string_view name : chat::BuiltinChatFormatNames()) {
    if (!formats.empty()) formats += ", ";
    formats += name;
  }
  cmd->add_option("--chat-format", opts->format, "Built-in chat format: " + formats);
  cmd->add_option("--messages", opts->messages_file,
                  "JSON array of OpenAI chat messages ('-' reads stdin)")
      ->required();
  cmd->add_option("--tools", opts->tools_file, "JSON array of OpenAI tool definitions");
  cmd->add_flag("--add-generation-prompt", opts->add_generation_prompt,
                "End with the prompt that starts the assistant's reply");
  cmd->add_flag("--arguments-as-given", opts->arguments_as_given,
                "Pass tool-call arguments as in the messages (as apply_chat_template does) "
                "instead of adapting strings/objects to the template");
  cmd->add_option("--var", opts->vars,
                  "Extra template variable key=value (value parsed as JSON when it is JSON, "
                  "e.g. enable_thinking=true); also overrides bos_token/eos_token")
      ->take_all();
  cmd->callback([opts, exit_code] { *exit_code = RunTemplate(*opts); });
}

}  // namespace dsinfer::cli
