// The tree-walking evaluator behind Template::Render. Scoping follows jinja2: each for-loop
// iteration and each macro call gets a fresh scope; `set` writes the innermost scope (so a set
// inside a loop does not leak out of it, while a set inside an `if` does); macros see their
// own scope, the template's top level and the globals. Internal to src/chat/jinja; one
// evaluator per render call, single-threaded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/jinja/ast.h"

namespace dsinfer::jinja::internal {

class Evaluator {
 public:
  // `globals` (variables and global functions) must outlive the evaluator.
  Evaluator(std::string_view source_name, const ValueDict& globals, size_t max_output_bytes)
      : name_(source_name), globals_(globals), max_output_bytes_(max_output_bytes) {}

  // Renders `body` and returns the text, or the first error, positioned at its construct.
  Expected<std::string> Render(const StmtList& body);

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  // Statements (evaluator.cc).
  Status Exec(const StmtList& body);
  Status ExecStmt(const Stmt& stmt);
  Status ExecFor(const Stmt& stmt);
  Status ExecSet(const Stmt& stmt);
  Status ExecMacroDefinition(const Stmt& stmt);
  // Renders `body` into a string instead of the current output.
  Expected<std::string> Capture(const StmtList& body);
  Expected<Value> CallMacro(const Stmt& macro, const CallArgs& args);
  Status BindTargets(const std::vector<std::string>& targets, const Value& value, SourcePos pos);
  Status Append(std::string_view text, SourcePos pos);

  // Expressions (evaluator_expr.cc).
  Expected<Value> Eval(const Expr& expr);
  Expected<Value> EvalCompare(const Expr& expr);
  Expected<Value> EvalCall(const Expr& expr);
  Expected<CallArgs> EvalArgs(const Expr& expr, size_t first_positional);
  Expected<Value> EvalFilter(const Expr& expr, const Value* block_input);
  Expected<Value> EvalTest(const Expr& expr);

  // Variables.
  Value Lookup(const std::string& name) const;
  void Assign(const std::string& name, Value value);

  // Errors: `status` prefixed with "<source> line L, column C: " unless it already is.
  Status At(SourcePos pos, const Status& status) const;
  Status ErrorAt(SourcePos pos, std::string message) const;

  std::string_view name_;
  const ValueDict& globals_;
  std::string* out_ = nullptr;
  // frames_[0] is the template's top level; lookups search frames_[floor_..] then frames_[0].
  std::vector<ValueDict> frames_;
  size_t floor_ = 0;
  Flow flow_ = Flow::kNormal;
  int call_depth_ = 0;
  size_t max_output_bytes_;
  size_t total_output_ = 0;
};

}  // namespace dsinfer::jinja::internal
