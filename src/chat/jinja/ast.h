// Syntax tree of a parsed Jinja template. Built once by the parser, then only read by the
// evaluator, so a parsed template can be rendered from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.h"
#include "chat/jinja/value_ops.h"

namespace dsinfer::jinja {

struct SourcePos {
  int line = 1;
  int column = 1;
};

enum class ExprKind {
  kLiteral,    // literal
  kName,       // name
  kList,       // operands: elements
  kTuple,      // operands: elements
  kDict,       // operands: key0, value0, key1, value1, ...
  kGetAttr,    // operands[0].name
  kGetItem,    // operands[0][operands[1]]
  kSlice,      // operands[0][operands[1]:operands[2]:operands[3]] (absent bounds are null)
  kCall,       // operands[0](operands[1..], keyword_args)
  kFilter,     // operands[0] | name(operands[1..], keyword_args); operands[0] is null in a
               // {% filter %} block, whose body is the input
  kTest,       // operands[0] is [not] name(operands[1..], keyword_args)
  kNegate,     // -operands[0]
  kUnaryPlus,  // +operands[0]
  kNot,        // not operands[0]
  kAnd,        // operands[0] and operands[1]
  kOr,         // operands[0] or operands[1]
  kBinary,     // operands[0] binary_op operands[1]
  kConcat,     // operands[0] ~ operands[1] ~ ...
  kCompare,    // operands[0] compare_ops[0] operands[1] compare_ops[1] ... (chained)
  kCondition,  // operands[0] if operands[1] else operands[2] (operands[2] null: undefined)
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  SourcePos pos;
  Value literal;
  std::string name;
  BinaryOperator binary_op = BinaryOperator::kAdd;
  std::vector<std::string> compare_ops;  // "==", "!=", "<", "<=", ">", ">=", "in", "not in"
  bool negated = false;
  std::vector<std::unique_ptr<Expr>> operands;
  std::vector<std::pair<std::string, std::unique_ptr<Expr>>> keyword_args;
};

struct Stmt;
using StmtList = std::vector<std::unique_ptr<Stmt>>;

enum class StmtKind {
  kText,         // text
  kOutput,       // {{ expr }}
  kIf,           // if conditions[0]: bodies[0] elif conditions[1]: bodies[1] ... else: else_body
  kFor,          // for targets in expr [if condition]: bodies[0] else: else_body
  kSet,          // set targets = expr, or set targets[0].attribute = expr (namespace)
  kSetBlock,     // set targets[0]: bodies[0] (captured output)
  kMacro,        // macro name(targets with defaults): bodies[0]
  kBreak,        // break
  kContinue,     // continue
  kFilterBlock,  // filter expr (a kFilter whose input is the rendered bodies[0])
  kScope,        // bodies[0] rendered as is ({% generation %} from transformers)
};

struct Stmt {
  StmtKind kind = StmtKind::kText;
  SourcePos pos;
  std::string text;
  std::string name;
  std::string attribute;
  std::unique_ptr<Expr> expr;
  std::unique_ptr<Expr> condition;
  std::vector<std::unique_ptr<Expr>> conditions;
  std::vector<std::string> targets;
  std::vector<std::unique_ptr<Expr>> defaults;  // kMacro: one per target, null when none
  std::vector<StmtList> bodies;
  StmtList else_body;
};

}  // namespace dsinfer::jinja
