// Expression grammar of the parser (see parser_internal.h), mirroring jinja2/parser.py:
//   condexpr := or ('if' or ('else' condexpr)?)*
//   or := and ('or' and)*          and := not ('and' not)*        not := 'not' not | compare
//   compare := addsub (cmp_op addsub | 'in' addsub | 'not' 'in' addsub)*
//   addsub := concat (('+'|'-') concat)*       concat := muldiv ('~' muldiv)*
//   muldiv := pow (('*'|'/'|'//'|'%') pow)*    pow := unary ('**' unary)*
//   unary := ('-'|'+') unary | primary postfix*, then filters '|f(...)' and tests 'is [not] t'
#include <cerrno>
#include <cstdlib>

#include "chat/jinja/builtins.h"
#include "chat/jinja/parser_internal.h"

namespace dsinfer::jinja::internal {

namespace {

ExprPtr MakeExpr(ExprKind kind, const Token& at) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->pos = {at.line, at.column};
  return e;
}

ExprPtr MakeBinary(ExprKind kind, const Token& at, ExprPtr left, ExprPtr right) {
  ExprPtr e = MakeExpr(kind, at);
  e->operands.push_back(std::move(left));
  e->operands.push_back(std::move(right));
  return e;
}

}  // namespace

Expected<ExprPtr> Parser::ParseTuple(bool with_condexpr, std::string_view stop_name,
                                     bool explicit_parentheses) {
  const Token& start = Current();
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  while (true) {
    if (!items.empty()) DSINFER_RETURN_IF_ERROR(ExpectOperator(","));
    const Token& t = Current();
    bool at_end = t.kind == TokenKind::kVariableEnd || t.kind == TokenKind::kBlockEnd ||
                  (t.kind == TokenKind::kOperator && t.text == ")") ||
                  (!stop_name.empty() && AtName(stop_name));
    if (at_end) break;
    DSINFER_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(with_condexpr));
    items.push_back(std::move(item));
    if (!AtOperator(",")) break;
    is_tuple = true;
  }
  if (!is_tuple) {
    if (!items.empty()) return std::move(items[0]);
    if (!explicit_parentheses) {
      return ErrorAt(Current(), "expected an expression, got " + Describe(Current()));
    }
  }
  ExprPtr tuple = MakeExpr(ExprKind::kTuple, start);
  tuple->operands = std::move(items);
  return tuple;
}

Expected<ExprPtr> Parser::ParseExpression(bool with_condexpr) {
  DSINFER_RETURN_IF_ERROR(EnterNesting(Current()));
  Expected<ExprPtr> result = with_condexpr ? ParseCondExpr() : ParseOr();
  LeaveNesting();
  return result;
}

Expected<ExprPtr> Parser::ParseCondExpr() {
  DSINFER_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
  while (AtName("if")) {
    const Token& at = Next();
    DSINFER_ASSIGN_OR_RETURN(ExprPtr condition, ParseOr());
    ExprPtr otherwise;
    if (SkipName("else")) {
      DSINFER_ASSIGN_OR_RETURN(otherwise, ParseCondExpr());
    }
    ExprPtr cond = MakeExpr(ExprKind::kCondition, at);
    cond->operands.push_back(std::move(expr));
    cond->operands.push_back(std::move(condition));
    cond->operands.push_back(std::move(otherwise));
    expr = std::move(cond);
  }
  return expr;
}

Expected<ExprPtr> Parser::ParseOr() {
  DSINFER_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (AtName("or")) {
    const Token& at = Next();
    DSINFER_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    left = MakeBinary(ExprKind::kOr, at, std::move(left), std::move(right));
  }
  return left;
}

Expected<ExprPtr> Parser::ParseAnd() {
  DSINFER_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  while (AtName("and")) {
    const Token& at = Next();
    DSINFER_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    left = MakeBinary(ExprKind::kAnd, at, std::move(left), std::move(right));
  }
  return left;
}

Expected<ExprPtr> Parser::ParseNot() {
  if (!AtName("not")) return ParseCompare();
  const Token& at = Next();
  DSINFER_RETURN_IF_ERROR(EnterNesting(at));
  Expected<ExprPtr> operand = ParseNot();
  LeaveNesting();
  if (!operand.ok()) return operand.status();
  ExprPtr e = MakeExpr(ExprKind::kNot, at);
  e->operands.push_back(std::move(operand).value());
  return e;
}

Expected<ExprPtr> Parser::ParseCompare() {
  const Token& start = Current();
  DSINFER_ASSIGN_OR_RETURN(ExprPtr first, ParseAddSub());
  ExprPtr compare;
  while (true) {
    std::string op;
    const Token& t = Current();
    if (t.kind == TokenKind::kOperator && (t.text == "==" || t.text == "!=" || t.text == "<" ||
                                           t.text == "<=" || t.text == ">" || t.text == ">=")) {
      op = t.text;
      Next();
    } else if (AtName("in")) {
      op = "in";
      Next();
    } else if (AtName("not") && Look().kind == TokenKind::kName && Look().text == "in") {
      op = "not in";
      Next();
      Next();
    } else {
      break;
    }
    if (!compare) {
      compare = MakeExpr(ExprKind::kCompare, start);
      compare->operands.push_back(std::move(first));
    }
    DSINFER_ASSIGN_OR_RETURN(ExprPtr right, ParseAddSub());
    compare->operands.push_back(std::move(right));
    compare->compare_ops.push_back(std::move(op));
  }
  return compare ? std::move(compare) : std::move(first);
}

Expected<ExprPtr> Parser::ParseAddSub() {
  DSINFER_ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
  while (AtOperator("+") || AtOperator("-")) {
    const Token& at = Next();
    DSINFER_ASSIGN_OR_RETURN(ExprPtr right, ParseConcat());
    left = MakeBinary(ExprKind::kBinary, at, std::move(left), std::move(right));
    left->binary_op = at.text == "+" ? BinaryOperator::kAdd : BinaryOperator::kSub;
  }
  return left;
}

Expected<ExprPtr> Parser::ParseConcat() {
  const Token& start = Current();
  DSINFER_ASSIGN_OR_RETURN(ExprPtr first, ParseMulDiv());
  if (!AtOperator("~")) return first;
  ExprPtr concat = MakeExpr(ExprKind::kConcat, start);
  concat->operands.push_back(std::move(first));
  while (SkipOperator("~")) {
    DSINFER_ASSIGN_OR_RETURN(ExprPtr next, ParseMulDiv());
    concat->operands.push_back(std::move(next));
  }
  return concat;
}

Expected<ExprPtr> Parser::ParseMulDiv() {
  DSINFER_ASSIGN_OR_RETURN(ExprPtr left, ParsePow());
  while (AtOperator("*") || AtOperator("/") || AtOperator("//") || AtOperator("%")) {
    const Token& at = Next();
    DSINFER_ASSIGN_OR_RETURN(ExprPtr right, ParsePow());
    left = MakeBinary(ExprKind::kBinary, at, std::move(left), std::move(right));
    left->binary_op = at.text == "*"    ? BinaryOperator::kMul
                      : at.text == "/"  ? BinaryOperator::kDiv
                      : at.text == "//" ? BinaryOperator::kFloorDiv
                                        : BinaryOperator::kMod;
  }
  return left;
}

Expected<ExprPtr> Parser::ParsePow() {
  DSINFER_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary(true));
  while (AtOperator("**")) {
    const Token& at = Next();
    DSINFER_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary(true));
    left = MakeBinary(ExprKind::kBinary, at, std::move(left), std::move(right));
    left->binary_op = BinaryOperator::kPow;
  }
  return left;
}

Expected<ExprPtr> Parser::ParseUnary(bool with_filter) {
  ExprPtr node;
  if (AtOperator("-") || AtOperator("+")) {
    const Token& at = Next();
    DSINFER_RETURN_IF_ERROR(EnterNesting(at));
    Expected<ExprPtr> operand = ParseUnary(false);
    LeaveNesting();
    if (!operand.ok()) return operand.status();
    node = MakeExpr(at.text == "-" ? ExprKind::kNegate : ExprKind::kUnaryPlus, at);
    node->operands.push_back(std::move(operand).value());
  } else {
    DSINFER_ASSIGN_OR_RETURN(node, ParsePrimary());
  }
  DSINFER_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
  if (with_filter) {
    DSINFER_ASSIGN_OR_RETURN(node, ParseFilterExpr(std::move(node)));
  }
  return node;
}

Expected<ExprPtr> Parser::ParsePrimary() {
  const Token& t = Current();
  switch (t.kind) {
    case TokenKind::kName: {
      Next();
      ExprPtr e = MakeExpr(ExprKind::kLiteral, t);
      if (t.text == "true" || t.text == "True") {
        e->literal = Value::Bool(true);
      } else if (t.text == "false" || t.text == "False") {
        e->literal = Value::Bool(false);
      } else if (t.text == "none" || t.text == "None") {
        e->literal = Value::None();
      } else {
        e->kind = ExprKind::kName;
        e->name = t.text;
      }
      return e;
    }
    case TokenKind::kString: {
      std::string text;
      while (Current().kind == TokenKind::kString) text += Next().text;
      ExprPtr e = MakeExpr(ExprKind::kLiteral, t);
      e->literal = Value::String(std::move(text));
      return e;
    }
    case TokenKind::kInteger:
    case TokenKind::kFloat: {
      Next();
      ExprPtr e = MakeExpr(ExprKind::kLiteral, t);
      errno = 0;
      if (t.kind == TokenKind::kInteger) {
        long long v = std::strtoll(t.text.c_str(), nullptr, 10);
        if (errno == ERANGE) return ErrorAt(t, "integer literal " + t.text + " is too large");
        e->literal = Value::Int(v);
      } else {
        e->literal = Value::Float(std::strtod(t.text.c_str(), nullptr));
      }
      return e;
    }
    case TokenKind::kOperator:
      if (t.text == "(") {
        Next();
        DSINFER_ASSIGN_OR_RETURN(ExprPtr inner, ParseTuple(true, "", true));
        DSINFER_RETURN_IF_ERROR(ExpectOperator(")"));
        return inner;
      }
      if (t.text == "[") {
        Next();
        ExprPtr list = MakeExpr(ExprKind::kList, t);
        while (!AtOperator("]")) {
          if (!list->operands.empty()) DSINFER_RETURN_IF_ERROR(ExpectOperator(","));
          if (AtOperator("]")) break;
          DSINFER_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression());
          list->operands.push_back(std::move(item));
        }
        Next();
        return list;
      }
      if (t.text == "{") {
        Next();
        ExprPtr dict = MakeExpr(ExprKind::kDict, t);
        while (!AtOperator("}")) {
          if (!dict->operands.empty()) DSINFER_RETURN_IF_ERROR(ExpectOperator(","));
          if (AtOperator("}")) break;
          DSINFER_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression());
          DSINFER_RETURN_IF_ERROR(ExpectOperator(":"));
          DSINFER_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
          dict->operands.push_back(std::move(key));
          dict->operands.push_back(std::move(value));
        }
        Next();
        return dict;
      }
      break;
    default:
      break;
  }
  return ErrorAt(t, "unexpected " + Describe(t));
}

Expected<ExprPtr> Parser::ParsePostfix(ExprPtr node) {
  while (true) {
    if (AtOperator(".") || AtOperator("[")) {
      DSINFER_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
    } else if (AtOperator("(")) {
      ExprPtr call = MakeExpr(ExprKind::kCall, Current());
      call->pos = node->pos;
      call->operands.push_back(std::move(node));
      DSINFER_RETURN_IF_ERROR(ParseCallArgs(call.get()));
      node = std::move(call);
    } else {
      return node;
    }
  }
}

Expected<ExprPtr> Parser::ParseFilterExpr(ExprPtr node) {
  while (true) {
    if (AtOperator("|")) {
      DSINFER_ASSIGN_OR_RETURN(node, ParseFilter(std::move(node), false));
    } else if (AtName("is")) {
      DSINFER_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
    } else if (AtOperator("(")) {
      ExprPtr call = MakeExpr(ExprKind::kCall, Current());
      call->pos = node->pos;
      call->operands.push_back(std::move(node));
      DSINFER_RETURN_IF_ERROR(ParseCallArgs(call.get()));
      node = std::move(call);
    } else {
      return node;
    }
  }
}

Expected<ExprPtr> Parser::ParseSubscript(ExprPtr node) {
  const Token& at = Next();
  if (at.text == ".") {
    const Token& attr = Current();
    if (attr.kind == TokenKind::kName) {
      Next();
      ExprPtr e = MakeExpr(ExprKind::kGetAttr, attr);
      e->operands.push_back(std::move(node));
      e->name = attr.text;
      return e;
    }
    if (attr.kind != TokenKind::kInteger) {
      return ErrorAt(attr, "expected an attribute name or number after '.', got " + Describe(attr));
    }
    DSINFER_ASSIGN_OR_RETURN(ExprPtr index, ParsePrimary());
    ExprPtr e = MakeExpr(ExprKind::kGetItem, attr);
    e->operands.push_back(std::move(node));
    e->operands.push_back(std::move(index));
    return e;
  }
  // '[' subscript: an expression or a slice start:stop:step with optional parts.
  ExprPtr parts[3];
  bool is_slice = false;
  if (!AtOperator(":")) {
    DSINFER_ASSIGN_OR_RETURN(parts[0], ParseExpression());
  }
  for (int part = 1; part < 3 && AtOperator(":"); ++part) {
    Next();
    is_slice = true;
    if (!AtOperator(":") && !AtOperator("]")) {
      DSINFER_ASSIGN_OR_RETURN(parts[part], ParseExpression());
    }
  }
  if (!is_slice && !parts[0]) return ErrorAt(Current(), "expected an expression in '[]'");
  if (AtOperator(",")) return ErrorAt(Current(), "unsupported construct: tuple subscript");
  DSINFER_RETURN_IF_ERROR(ExpectOperator("]"));
  ExprPtr e = MakeExpr(is_slice ? ExprKind::kSlice : ExprKind::kGetItem, at);
  e->operands.push_back(std::move(node));
  e->operands.push_back(std::move(parts[0]));
  if (is_slice) {
    e->operands.push_back(std::move(parts[1]));
    e->operands.push_back(std::move(parts[2]));
  }
  return e;
}

Expected<ExprPtr> Parser::ParseFilter(ExprPtr node, bool start_inline) {
  while (AtOperator("|") || start_inline) {
    if (!start_inline) Next();
    start_inline = false;
    const Token& name_token = Current();
    DSINFER_ASSIGN_OR_RETURN(std::string name, ExpectIdentifier("a filter name"));
    while (AtOperator(".")) {
      Next();
      DSINFER_ASSIGN_OR_RETURN(std::string part, ExpectIdentifier("a filter name"));
      name += "." + part;
    }
    if (!IsSupportedFilter(name)) return ErrorAt(name_token, "unsupported filter '" + name + "'");
    ExprPtr filter = MakeExpr(ExprKind::kFilter, name_token);
    filter->name = std::move(name);
    filter->operands.push_back(std::move(node));
    if (AtOperator("(")) DSINFER_RETURN_IF_ERROR(ParseCallArgs(filter.get()));
    node = std::move(filter);
  }
  return node;
}

Expected<ExprPtr> Parser::ParseTest(ExprPtr node) {
  const Token& is_token = Next();
  bool negated = SkipName("not");
  const Token& name_token = Current();
  DSINFER_ASSIGN_OR_RETURN(std::string name, ExpectIdentifier("a test name"));
  if (!IsSupportedTest(name)) return ErrorAt(name_token, "unsupported test '" + name + "'");
  ExprPtr test = MakeExpr(ExprKind::kTest, is_token);
  test->name = std::move(name);
  test->negated = negated;
  test->operands.push_back(std::move(node));
  const Token& t = Current();
  if (AtOperator("(")) {
    DSINFER_RETURN_IF_ERROR(ParseCallArgs(test.get()));
  } else if ((t.kind == TokenKind::kName && t.text != "else" && t.text != "or" &&
              t.text != "and") ||
             t.kind == TokenKind::kString || t.kind == TokenKind::kInteger ||
             t.kind == TokenKind::kFloat || AtOperator("[") || AtOperator("{")) {
    if (AtName("is")) return ErrorAt(t, "tests cannot be chained with 'is'");
    DSINFER_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
    DSINFER_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
    test->operands.push_back(std::move(arg));
  }
  return test;
}

Status Parser::ParseCallArgs(Expr* call) {
  const Token& open = Current();
  DSINFER_RETURN_IF_ERROR(ExpectOperator("("));
  bool need_comma = false;
  while (!AtOperator(")")) {
    if (need_comma) {
      DSINFER_RETURN_IF_ERROR(ExpectOperator(","));
      if (AtOperator(")")) break;
    }
    if (AtOperator("*") || AtOperator("**")) {
      return ErrorAt(Current(), "unsupported construct: '" + Current().text + "' arguments");
    }
    if (Current().kind == TokenKind::kName && Look().kind == TokenKind::kOperator &&
        Look().text == "=") {
      std::string key = Next().text;
      Next();
      DSINFER_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      call->keyword_args.emplace_back(std::move(key), std::move(value));
    } else {
      if (!call->keyword_args.empty()) {
        return ErrorAt(Current(), "positional argument follows keyword argument");
      }
      DSINFER_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      call->operands.push_back(std::move(value));
    }
    need_comma = true;
  }
  if (Current().kind == TokenKind::kEnd) return ErrorAt(open, "unclosed '('");
  Next();
  return Status::Ok();
}

}  // namespace dsinfer::jinja::internal
