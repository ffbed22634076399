// The recursive-descent parser behind ParseTemplate (parser.h), shared by parser.cc
// (statements) and parser_expr.cc (expressions). Follows jinja2's grammar and precedence
// (jinja2/parser.py). Internal to src/chat/jinja; one parser per template, single-threaded.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/jinja/ast.h"
#include "chat/jinja/lexer.h"

namespace dsinfer::jinja::internal {

using ExprPtr = std::unique_ptr<Expr>;

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, std::string_view source_name)
      : tokens_(tokens), name_(source_name) {}

  Expected<StmtList> ParseAll();

 private:
  // Token access. The token list always ends with kEnd, which Next() never moves past.
  const Token& Current() const { return tokens_[pos_]; }
  const Token& Look() const { return tokens_[pos_ + 1 < tokens_.size() ? pos_ + 1 : pos_]; }
  const Token& Next();
  bool AtOperator(std::string_view op) const;
  bool AtName(std::string_view name) const;
  bool SkipOperator(std::string_view op);
  bool SkipName(std::string_view name);
  Status ExpectOperator(std::string_view op);
  Status ExpectName(std::string_view name);
  Expected<std::string> ExpectIdentifier(std::string_view what);
  Status ExpectBlockEnd();
  Status ErrorAt(const Token& token, std::string_view message) const;
  // "'x'" / "end of statement block" / "end of template" for messages.
  static std::string Describe(const Token& token);
  static SourcePos PosOf(const Token& token) { return {token.line, token.column}; }
  Status EnterNesting(const Token& at);
  void LeaveNesting() { --nesting_; }

  // Statements (parser.cc).
  // Parses statements until a `{% <end tag> %}` with a tag in `end_tags` (which stays current,
  // on its name token) or the end of the template (an error when end_tags is non-empty).
  Status ParseBody(std::initializer_list<std::string_view> end_tags, std::string_view opened_by,
                   StmtList* out);
  // Expects the rest of the current tag (`%}`) then parses a body up to an end tag.
  Status ParseBlockBody(std::initializer_list<std::string_view> end_tags,
                        std::string_view opened_by, StmtList* out);
  Status ParseStatement(StmtList* out);
  Status ParseIf(Stmt* stmt);
  Status ParseFor(Stmt* stmt);
  Status ParseSet(Stmt* stmt);
  Status ParseMacro(Stmt* stmt);
  Status ParseFilterBlock(Stmt* stmt);
  Expected<std::vector<std::string>> ParseTargetNames(std::string_view stop_name);

  // Expressions (parser_expr.cc), from loosest to tightest binding.
  // A comma-separated list becomes a tuple; `stop_name` also ends it (e.g. "recursive").
  Expected<ExprPtr> ParseTuple(bool with_condexpr, std::string_view stop_name,
                               bool explicit_parentheses);
  Expected<ExprPtr> ParseExpression(bool with_condexpr = true);
  Expected<ExprPtr> ParseCondExpr();
  Expected<ExprPtr> ParseOr();
  Expected<ExprPtr> ParseAnd();
  Expected<ExprPtr> ParseNot();
  Expected<ExprPtr> ParseCompare();
  Expected<ExprPtr> ParseAddSub();
  Expected<ExprPtr> ParseConcat();
  Expected<ExprPtr> ParseMulDiv();
  Expected<ExprPtr> ParsePow();
  Expected<ExprPtr> ParseUnary(bool with_filter);
  Expected<ExprPtr> ParsePrimary();
  Expected<ExprPtr> ParsePostfix(ExprPtr node);
  Expected<ExprPtr> ParseFilterExpr(ExprPtr node);
  Expected<ExprPtr> ParseSubscript(ExprPtr node);
  // `| name(args)` chains; with `start_inline` the first filter has no leading pipe.
  Expected<ExprPtr> ParseFilter(ExprPtr node, bool start_inline);
  Expected<ExprPtr> ParseTest(ExprPtr node);
  Status ParseCallArgs(Expr* call);

  const std::vector<Token>& tokens_;
  std::string_view name_;
  size_t pos_ = 0;
  int nesting_ = 0;
  int loop_depth_ = 0;
};

}  // namespace dsinfer::jinja::internal
