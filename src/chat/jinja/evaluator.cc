#include "chat/jinja/evaluator.h"

#include "chat/jinja/lexer.h"
#include "chat/jinja/value_ops.h"

namespace dsinfer::jinja::internal {

namespace {

// Guards against templates that would recurse without end.
constexpr int kMaxCallDepth = 100;

Value MakeLoopObject(const ValueList& items, size_t index) {
  const size_t n = items.size();
  ValueDict loop;
  loop.Set("index", Value::Int(static_cast<int64_t>(index + 1)));
  loop.Set("index0", Value::Int(static_cast<int64_t>(index)));
  loop.Set("revindex", Value::Int(static_cast<int64_t>(n - index)));
  loop.Set("revindex0", Value::Int(static_cast<int64_t>(n - index - 1)));
  loop.Set("first", Value::Bool(index == 0));
  loop.Set("last", Value::Bool(index + 1 == n));
  loop.Set("length", Value::Int(static_cast<int64_t>(n)));
  loop.Set("depth", Value::Int(1));
  loop.Set("depth0", Value::Int(0));
  loop.Set("previtem",
           index > 0 ? items[index - 1] : Value::Undefined("there is no previous item"));
  loop.Set("nextitem",
           index + 1 < n ? items[index + 1] : Value::Undefined("there is no next item"));
  loop.Set("cycle", Value::Function("cycle", [index](const CallArgs& args) -> Expected<Value> {
             if (args.positional.empty()) {
               return InvalidArgument("no items for cycling given");
             }
             return args.positional[index % args.positional.size()];
           }));
  return Value::Dict(std::move(loop));
}

}  // namespace

Expected<std::string> Evaluator::Render(const StmtList& body) {
  std::string out;
  out_ = &out;
  frames_.clear();
  frames_.emplace_back();
  floor_ = 0;
  flow_ = Flow::kNormal;
  DSINFER_RETURN_IF_ERROR(Exec(body));
  return out;
}

Status Evaluator::Exec(const StmtList& body) {
  for (const auto& stmt : body) {
    DSINFER_RETURN_IF_ERROR(ExecStmt(*stmt));
    if (flow_ != Flow::kNormal) return Status::Ok();
  }
  return Status::Ok();
}

Status Evaluator::Append(std::string_view text, SourcePos pos) {
  total_output_ += text.size();
  if (total_output_ > max_output_bytes_) {
    return At(pos, ResourceExhausted("template output exceeds " +
                                     std::to_string(max_output_bytes_) + " bytes"));
  }
  out_->append(text);
  return Status::Ok();
}

Status Evaluator::ExecStmt(const Stmt& stmt) {
  switch (stmt.kind) {
    case StmtKind::kText:
      return Append(stmt.text, stmt.pos);
    case StmtKind::kOutput: {
      DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*stmt.expr));
      return Append(ToPythonStr(v), stmt.pos);
    }
    case StmtKind::kIf:
      for (size_t i = 0; i < stmt.conditions.size(); ++i) {
        DSINFER_ASSIGN_OR_RETURN(Value cond, Eval(*stmt.conditions[i]));
        if (cond.IsTruthy()) return Exec(stmt.bodies[i]);
      }
      return Exec(stmt.else_body);
    case StmtKind::kFor:
      return ExecFor(stmt);
    case StmtKind::kSet:
      return ExecSet(stmt);
    case StmtKind::kSetBlock: {
      DSINFER_ASSIGN_OR_RETURN(std::string text, Capture(stmt.bodies[0]));
      Value value = Value::String(std::move(text));
      if (stmt.expr) {
        DSINFER_ASSIGN_OR_RETURN(value, EvalFilter(*stmt.expr, &value));
      }
      Assign(stmt.targets[0], std::move(value));
      return Status::Ok();
    }
    case StmtKind::kMacro:
      return ExecMacroDefinition(stmt);
    case StmtKind::kBreak:
      flow_ = Flow::kBreak;
      return Status::Ok();
    case StmtKind::kContinue:
      flow_ = Flow::kContinue;
      return Status::Ok();
    case StmtKind::kFilterBlock: {
      DSINFER_ASSIGN_OR_RETURN(std::string text, Capture(stmt.bodies[0]));
      Value input = Value::String(std::move(text));
      DSINFER_ASSIGN_OR_RETURN(Value filtered, EvalFilter(*stmt.expr, &input));
      return Append(ToPythonStr(filtered), stmt.pos);
    }
    case StmtKind::kScope:
      return Exec(stmt.bodies[0]);
  }
  return ErrorAt(stmt.pos, "unknown statement");
}

Status Evaluator::ExecFor(const Stmt& stmt) {
  DSINFER_ASSIGN_OR_RETURN(Value iterable, Eval(*stmt.expr));
  Expected<ValueList> listed = IterateValue(iterable);
  if (!listed.ok()) return At(stmt.expr->pos, listed.status());
  ValueList items = std::move(listed).value();

  if (stmt.condition) {
    ValueList kept;
    for (const Value& item : items) {
      frames_.emplace_back();
      Status bound = BindTargets(stmt.targets, item, stmt.pos);
      Expected<Value> keep = bound.ok() ? Eval(*stmt.condition) : Expected<Value>(bound);
      frames_.pop_back();
      if (!keep.ok()) return keep.status();
      if (keep->IsTruthy()) kept.push_back(item);
    }
    items = std::move(kept);
  }
  if (items.empty()) return Exec(stmt.else_body);

  for (size_t i = 0; i < items.size(); ++i) {
    frames_.emplace_back();
    Status st = BindTargets(stmt.targets, items[i], stmt.pos);
    if (st.ok()) {
      frames_.back().Set("loop", MakeLoopObject(items, i));
      st = Exec(stmt.bodies[0]);
    }
    frames_.pop_back();
    DSINFER_RETURN_IF_ERROR(st);
    Flow flow = flow_;
    flow_ = Flow::kNormal;
    if (flow == Flow::kBreak) break;
  }
  return Status::Ok();
}

Status Evaluator::BindTargets(const std::vector<std::string>& targets, const Value& value,
                              SourcePos pos) {
  if (targets.size() == 1) {
    Assign(targets[0], value);
    return Status::Ok();
  }
  Expected<ValueList> parts =
      value.is_list() || value.is_string()
          ? IterateValue(value)
          : Expected<ValueList>(InvalidArgument(std::string("cannot unpack non-iterable ") +
                                                value.TypeName() + " object"));
  if (!parts.ok()) return At(pos, parts.status());
  if (parts->size() != targets.size()) {
    return ErrorAt(pos, (parts->size() > targets.size() ? "too many" : "not enough") +
                            std::string(" values to unpack (expected ") +
                            std::to_string(targets.size()) + ", got " +
                            std::to_string(parts->size()) + ")");
  }
  for (size_t i = 0; i < targets.size(); ++i) Assign(targets[i], (*parts)[i]);
  return Status::Ok();
}

Status Evaluator::ExecSet(const Stmt& stmt) {
  DSINFER_ASSIGN_OR_RETURN(Value value, Eval(*stmt.expr));
  if (stmt.attribute.empty()) return BindTargets(stmt.targets, value, stmt.pos);
  Value target = Lookup(stmt.targets[0]);
  if (!target.is_namespace()) {
    return ErrorAt(stmt.pos, "cannot assign attribute '" + stmt.attribute + "' on " +
                                 (target.is_undefined() ? "undefined '" + stmt.targets[0] + "'"
                                                        : std::string("a ") + target.TypeName() +
                                                              " (only namespace() objects)"));
  }
  target.namespace_attributes().Set(stmt.attribute, std::move(value));
  return Status::Ok();
}

Status Evaluator::ExecMacroDefinition(const Stmt& stmt) {
  const Stmt* macro = &stmt;
  Assign(stmt.name, Value::Function(stmt.name, [this, macro](const CallArgs& args) {
           return CallMacro(*macro, args);
         }));
  return Status::Ok();
}

Expected<Value> Evaluator::CallMacro(const Stmt& macro, const CallArgs& args) {
  if (call_depth_ >= kMaxCallDepth) {
    return ErrorAt(macro.pos, "macro '" + macro.name + "' is nested more than " +
                                  std::to_string(kMaxCallDepth) + " calls deep");
  }
  if (args.positional.size() > macro.targets.size()) {
    return InvalidArgument("macro '" + macro.name + "' takes not more than " +
                           std::to_string(macro.targets.size()) + " argument(s)");
  }
  ValueDict scope;
  for (size_t i = 0; i < macro.targets.size(); ++i) {
    const std::string& param = macro.targets[i];
    const Value* given = i < args.positional.size() ? &args.positional[i] : nullptr;
    for (const auto& [key, value] : args.keyword) {
      if (key == param) given = &value;
    }
    if (given != nullptr) {
      scope.Set(param, *given);
      continue;
    }
    if (macro.defaults[i]) {
      DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*macro.defaults[i]));
      scope.Set(param, std::move(v));
    } else {
      scope.Set(param, Value::Undefined("parameter '" + param + "' was not provided"));
    }
  }
  for (const auto& entry : args.keyword) {
    bool known = false;
    for (const std::string& param : macro.targets) known = known || param == entry.first;
    if (!known) {
      return InvalidArgument("macro '" + macro.name + "' takes no keyword argument '" +
                             entry.first + "'");
    }
  }
  const size_t saved_floor = floor_;
  const Flow saved_flow = flow_;
  frames_.push_back(std::move(scope));
  floor_ = frames_.size() - 1;
  ++call_depth_;
  Expected<std::string> text = Capture(macro.bodies[0]);
  --call_depth_;
  frames_.pop_back();
  floor_ = saved_floor;
  flow_ = saved_flow;
  if (!text.ok()) return text.status();
  return Value::String(std::move(text).value());
}

Expected<std::string> Evaluator::Capture(const StmtList& body) {
  std::string captured;
  std::string* saved = out_;
  out_ = &captured;
  Status st = Exec(body);
  out_ = saved;
  DSINFER_RETURN_IF_ERROR(st);
  return captured;
}

Value Evaluator::Lookup(const std::string& name) const {
  for (size_t i = frames_.size(); i-- > floor_;) {
    if (const Value* v = frames_[i].Find(name)) return *v;
  }
  if (floor_ > 0) {
    if (const Value* v = frames_[0].Find(name)) return *v;
  }
  if (const Value* v = globals_.Find(name)) return *v;
  return Value::Undefined("'" + name + "' is undefined");
}

void Evaluator::Assign(const std::string& name, Value value) {
  frames_.back().Set(name, std::move(value));
}

Status Evaluator::At(SourcePos pos, const Status& status) const {
  const std::string prefix = std::string(name_) + " line ";
  if (status.message().rfind(prefix, 0) == 0) return status;
  return Status(status.code(), PositionedMessage(name_, pos.line, pos.column, status.message()));
}

Status Evaluator::ErrorAt(SourcePos pos, std::string message) const {
  return InvalidArgument(PositionedMessage(name_, pos.line, pos.column, message));
}

}  // namespace dsinfer::jinja::internal
