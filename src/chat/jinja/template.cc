#include "chat/jinja/template.h"

#include "chat/jinja/ast.h"
#include "chat/jinja/builtins.h"
#include "chat/jinja/evaluator.h"
#include "chat/jinja/lexer.h"
#include "chat/jinja/parser.h"

namespace dsinfer::jinja {

struct Program {
  StmtList body;
};

Template::Template(std::string name, std::unique_ptr<const Program> program)
    : name_(std::move(name)), program_(std::move(program)) {}
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

Expected<Template> Template::Parse(std::string_view source, std::string name) {
  DSINFER_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source, name));
  DSINFER_ASSIGN_OR_RETURN(StmtList body, ParseTemplate(tokens, name));
  auto program = std::make_unique<Program>();
  program->body = std::move(body);
  return Template(std::move(name), std::move(program));
}

Expected<std::string> Template::Render(const ValueDict& variables,
                                       const RenderEnvironment& environment) const {
  ValueDict globals = GlobalFunctions(environment.now_unix_seconds);
  for (const auto& [key, value] : variables) globals.Set(key, value);
  internal::Evaluator evaluator(name_, globals, environment.max_output_bytes);
  return evaluator.Render(program_->body);
}

}  // namespace dsinfer::jinja
