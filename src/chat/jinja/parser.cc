#include "chat/jinja/parser.h"

#include <algorithm>

#include "chat/jinja/parser_internal.h"

namespace dsinfer::jinja {

namespace internal {

namespace {

// Deeper nesting of blocks or expressions is rejected before it can exhaust the stack.
constexpr int kMaxNesting = 200;

// Tags jinja2 knows but the interpreter does not run (rejected with their name).
constexpr std::string_view kUnsupportedTags[] = {
    "include", "import",   "from",          "extends", "block",     "call",
    "with",    "do",       "autoescape",    "trans",   "pluralize", "endcall",
    "endwith", "endblock", "endautoescape", "endtrans"};

}  // namespace

const Token& Parser::Next() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool Parser::AtOperator(std::string_view op) const {
  return Current().kind == TokenKind::kOperator && Current().text == op;
}

bool Parser::AtName(std::string_view name) const {
  return Current().kind == TokenKind::kName && Current().text == name;
}

bool Parser::SkipOperator(std::string_view op) {
  if (!AtOperator(op)) return false;
  Next();
  return true;
}

bool Parser::SkipName(std::string_view name) {
  if (!AtName(name)) return false;
  Next();
  return true;
}

Status Parser::ExpectOperator(std::string_view op) {
  if (SkipOperator(op)) return Status::Ok();
  return ErrorAt(Current(), "expected '" + std::string(op) + "', got " + Describe(Current()));
}

Status Parser::ExpectName(std::string_view name) {
  if (SkipName(name)) return Status::Ok();
  return ErrorAt(Current(), "expected '" + std::string(name) + "', got " + Describe(Current()));
}

Expected<std::string> Parser::ExpectIdentifier(std::string_view what) {
  if (Current().kind != TokenKind::kName) {
    return ErrorAt(Current(), "expected " + std::string(what) + ", got " + Describe(Current()));
  }
  return Next().text;
}

Status Parser::ExpectBlockEnd() {
  if (Current().kind == TokenKind::kBlockEnd) {
    Next();
    return Status::Ok();
  }
  return ErrorAt(Current(), "expected end of statement block, got " + Describe(Current()));
}

Status Parser::ErrorAt(const Token& token, std::string_view message) const {
  return InvalidArgument(PositionedMessage(name_, token.line, token.column, message));
}

std::string Parser::Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kText:
      return "template text";
    case TokenKind::kVariableBegin:
      return "'{{'";
    case TokenKind::kVariableEnd:
      return "end of print statement";
    case TokenKind::kBlockBegin:
      return "'{%'";
    case TokenKind::kBlockEnd:
      return "end of statement block";
    case TokenKind::kString:
      return "string literal";
    case TokenKind::kEnd:
      return "end of template";
    default:
      return "'" + token.text + "'";
  }
}

Status Parser::EnterNesting(const Token& at) {
  if (++nesting_ > kMaxNesting) {
    --nesting_;
    return ErrorAt(at, "template is nested too deeply");
  }
  return Status::Ok();
}

Expected<StmtList> Parser::ParseAll() {
  StmtList body;
  DSINFER_RETURN_IF_ERROR(ParseBody({}, "", &body));
  return body;
}

Status Parser::ParseBody(std::initializer_list<std::string_view> end_tags,
                         std::string_view opened_by, StmtList* out) {
  while (true) {
    const Token& token = Current();
    switch (token.kind) {
      case TokenKind::kText: {
        auto stmt = std::make_unique<Stmt>();
        stmt->kind = StmtKind::kText;
        stmt->pos = PosOf(token);
        stmt->text = token.text;
        out->push_back(std::move(stmt));
        Next();
        break;
      }
      case TokenKind::kVariableBegin: {
        Next();
        auto stmt = std::make_unique<Stmt>();
        stmt->kind = StmtKind::kOutput;
        stmt->pos = PosOf(token);
        DSINFER_ASSIGN_OR_RETURN(stmt->expr, ParseTuple(true, "", false));
        if (Current().kind != TokenKind::kVariableEnd) {
          return ErrorAt(Current(), "expected end of print statement, got " + Describe(Current()));
        }
        Next();
        out->push_back(std::move(stmt));
        break;
      }
      case TokenKind::kBlockBegin: {
        Next();
        if (Current().kind == TokenKind::kName &&
            std::find(end_tags.begin(), end_tags.end(), Current().text) != end_tags.end()) {
          return Status::Ok();
        }
        DSINFER_RETURN_IF_ERROR(EnterNesting(token));
        Status st = ParseStatement(out);
        LeaveNesting();
        DSINFER_RETURN_IF_ERROR(st);
        DSINFER_RETURN_IF_ERROR(ExpectBlockEnd());
        break;
      }
      case TokenKind::kEnd: {
        if (end_tags.size() == 0) return Status::Ok();
        std::string wanted;
        for (std::string_view tag : end_tags) {
          wanted += (wanted.empty() ? "'" : " or '") + std::string(tag) + "'";
        }
        return ErrorAt(token, "unexpected end of template: '" + std::string(opened_by) +
                                  "' is not closed (looking for " + wanted + ")");
      }
      default:
        return ErrorAt(token, "unexpected " + Describe(token));
    }
  }
}

Status Parser::ParseBlockBody(std::initializer_list<std::string_view> end_tags,
                              std::string_view opened_by, StmtList* out) {
  SkipOperator(":");
  DSINFER_RETURN_IF_ERROR(ExpectBlockEnd());
  return ParseBody(end_tags, opened_by, out);
}

Status Parser::ParseStatement(StmtList* out) {
  const Token& tag = Current();
  if (tag.kind != TokenKind::kName) {
    return ErrorAt(tag, "expected a tag name, got " + Describe(tag));
  }
  auto stmt = std::make_unique<Stmt>();
  stmt->pos = PosOf(tag);
  const std::string name = tag.text;
  Next();
  if (name == "if") {
    DSINFER_RETURN_IF_ERROR(ParseIf(stmt.get()));
  } else if (name == "for") {
    DSINFER_RETURN_IF_ERROR(ParseFor(stmt.get()));
  } else if (name == "set") {
    DSINFER_RETURN_IF_ERROR(ParseSet(stmt.get()));
  } else if (name == "macro") {
    DSINFER_RETURN_IF_ERROR(ParseMacro(stmt.get()));
  } else if (name == "filter") {
    DSINFER_RETURN_IF_ERROR(ParseFilterBlock(stmt.get()));
  } else if (name == "generation") {
    stmt->kind = StmtKind::kScope;
    stmt->bodies.emplace_back();
    DSINFER_RETURN_IF_ERROR(ParseBlockBody({"endgeneration"}, "generation", &stmt->bodies[0]));
    Next();
  } else if (name == "break" || name == "continue") {
    if (loop_depth_ == 0) return ErrorAt(tag, "'" + name + "' outside of a for loop");
    stmt->kind = name == "break" ? StmtKind::kBreak : StmtKind::kContinue;
  } else if (std::find(std::begin(kUnsupportedTags), std::end(kUnsupportedTags), name) !=
             std::end(kUnsupportedTags)) {
    return ErrorAt(tag, "unsupported tag '" + name + "'");
  } else if (name.rfind("end", 0) == 0 || name == "elif" || name == "else") {
    return ErrorAt(tag, "unexpected '" + name + "' (no open block it could close)");
  } else {
    return ErrorAt(tag, "unknown tag '" + name + "'");
  }
  out->push_back(std::move(stmt));
  return Status::Ok();
}

Status Parser::ParseIf(Stmt* stmt) {
  stmt->kind = StmtKind::kIf;
  while (true) {
    DSINFER_ASSIGN_OR_RETURN(ExprPtr condition, ParseTuple(false, "", false));
    stmt->conditions.push_back(std::move(condition));
    stmt->bodies.emplace_back();
    DSINFER_RETURN_IF_ERROR(ParseBlockBody({"elif", "else", "endif"}, "if", &stmt->bodies.back()));
    std::string tag = Next().text;
    if (tag == "elif") continue;
    if (tag == "else") {
      DSINFER_RETURN_IF_ERROR(ParseBlockBody({"endif"}, "if", &stmt->else_body));
      Next();
    }
    return Status::Ok();
  }
}

Expected<std::vector<std::string>> Parser::ParseTargetNames(std::string_view stop_name) {
  std::vector<std::string> names;
  bool parenthesized = SkipOperator("(");
  while (true) {
    DSINFER_ASSIGN_OR_RETURN(std::string name, ExpectIdentifier("a variable name"));
    names.push_back(std::move(name));
    if (!SkipOperator(",")) break;
    if (AtOperator(")") || AtName(stop_name)) break;
  }
  if (parenthesized) DSINFER_RETURN_IF_ERROR(ExpectOperator(")"));
  return names;
}

Status Parser::ParseFor(Stmt* stmt) {
  stmt->kind = StmtKind::kFor;
  DSINFER_ASSIGN_OR_RETURN(stmt->targets, ParseTargetNames("in"));
  DSINFER_RETURN_IF_ERROR(ExpectName("in"));
  DSINFER_ASSIGN_OR_RETURN(stmt->expr, ParseTuple(false, "recursive", false));
  if (SkipName("if")) {
    DSINFER_ASSIGN_OR_RETURN(stmt->condition, ParseExpression());
  }
  if (AtName("recursive")) return ErrorAt(Current(), "unsupported construct 'recursive' loop");
  stmt->bodies.emplace_back();
  ++loop_depth_;
  Status st = ParseBlockBody({"endfor", "else"}, "for", &stmt->bodies[0]);
  --loop_depth_;
  DSINFER_RETURN_IF_ERROR(st);
  if (Next().text == "else") {
    DSINFER_RETURN_IF_ERROR(ParseBlockBody({"endfor"}, "for", &stmt->else_body));
    Next();
  }
  return Status::Ok();
}

Status Parser::ParseSet(Stmt* stmt) {
  if (Current().kind == TokenKind::kName && Look().kind == TokenKind::kOperator &&
      Look().text == ".") {
    stmt->targets.push_back(Next().text);
    Next();
    DSINFER_ASSIGN_OR_RETURN(stmt->attribute, ExpectIdentifier("an attribute name"));
  } else {
    DSINFER_ASSIGN_OR_RETURN(stmt->targets, ParseTargetNames(""));
  }
  if (SkipOperator("=")) {
    stmt->kind = StmtKind::kSet;
    DSINFER_ASSIGN_OR_RETURN(stmt->expr, ParseTuple(true, "", false));
    return Status::Ok();
  }
  if (stmt->targets.size() != 1 || !stmt->attribute.empty()) {
    return ErrorAt(Current(), "expected '=' in set statement");
  }
  stmt->kind = StmtKind::kSetBlock;
  if (AtOperator("|")) {
    DSINFER_ASSIGN_OR_RETURN(stmt->expr, ParseFilter(nullptr, false));
  }
  stmt->bodies.emplace_back();
  DSINFER_RETURN_IF_ERROR(ParseBlockBody({"endset"}, "set", &stmt->bodies[0]));
  Next();
  return Status::Ok();
}

Status Parser::ParseMacro(Stmt* stmt) {
  stmt->kind = StmtKind::kMacro;
  DSINFER_ASSIGN_OR_RETURN(stmt->name, ExpectIdentifier("a macro name"));
  DSINFER_RETURN_IF_ERROR(ExpectOperator("("));
  while (!AtOperator(")")) {
    if (!stmt->targets.empty()) DSINFER_RETURN_IF_ERROR(ExpectOperator(","));
    if (AtOperator(")")) break;
    const Token& param = Current();
    DSINFER_ASSIGN_OR_RETURN(std::string name, ExpectIdentifier("a parameter name"));
    stmt->targets.push_back(std::move(name));
    if (SkipOperator("=")) {
      DSINFER_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      stmt->defaults.push_back(std::move(value));
    } else if (std::any_of(stmt->defaults.begin(), stmt->defaults.end(),
                           [](const ExprPtr& d) { return d != nullptr; })) {
      return ErrorAt(param, "non-default argument follows default argument");
    } else {
      stmt->defaults.push_back(nullptr);
    }
  }
  Next();
  const int saved_loop_depth = loop_depth_;
  loop_depth_ = 0;
  stmt->bodies.emplace_back();
  Status st = ParseBlockBody({"endmacro"}, "macro", &stmt->bodies[0]);
  loop_depth_ = saved_loop_depth;
  DSINFER_RETURN_IF_ERROR(st);
  Next();
  return Status::Ok();
}

Status Parser::ParseFilterBlock(Stmt* stmt) {
  stmt->kind = StmtKind::kFilterBlock;
  DSINFER_ASSIGN_OR_RETURN(stmt->expr, ParseFilter(nullptr, true));
  stmt->bodies.emplace_back();
  DSINFER_RETURN_IF_ERROR(ParseBlockBody({"endfilter"}, "filter", &stmt->bodies[0]));
  Next();
  return Status::Ok();
}

}  // namespace internal

Expected<StmtList> ParseTemplate(const std::vector<Token>& tokens, std::string_view source_name) {
  internal::Parser parser(tokens, source_name);
  return parser.ParseAll();
}

}  // namespace dsinfer::jinja
