// Expression evaluation of the Evaluator (see evaluator.h).
#include "chat/jinja/builtins.h"
#include "chat/jinja/evaluator.h"
#include "chat/jinja/value_ops.h"

namespace dsinfer::jinja::internal {

Expected<Value> Evaluator::Eval(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral:
      return expr.literal;
    case ExprKind::kName:
      return Lookup(expr.name);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      ValueList items;
      items.reserve(expr.operands.size());
      for (const auto& operand : expr.operands) {
        DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*operand));
        items.push_back(std::move(v));
      }
      return expr.kind == ExprKind::kTuple ? Value::Tuple(std::move(items))
                                           : Value::List(std::move(items));
    }
    case ExprKind::kDict: {
      ValueDict dict;
      for (size_t i = 0; i + 1 < expr.operands.size(); i += 2) {
        DSINFER_ASSIGN_OR_RETURN(Value key, Eval(*expr.operands[i]));
        if (!key.is_string()) {
          return ErrorAt(expr.operands[i]->pos, std::string("unsupported dict key of type '") +
                                                    key.TypeName() + "' (keys must be strings)");
        }
        DSINFER_ASSIGN_OR_RETURN(Value value, Eval(*expr.operands[i + 1]));
        dict.Set(key.as_string(), std::move(value));
      }
      return Value::Dict(std::move(dict));
    }
    case ExprKind::kGetAttr: {
      DSINFER_ASSIGN_OR_RETURN(Value object, Eval(*expr.operands[0]));
      Expected<Value> attr = GetAttribute(object, expr.name);
      if (!attr.ok()) return At(expr.pos, attr.status());
      return attr;
    }
    case ExprKind::kGetItem: {
      DSINFER_ASSIGN_OR_RETURN(Value object, Eval(*expr.operands[0]));
      DSINFER_ASSIGN_OR_RETURN(Value key, Eval(*expr.operands[1]));
      Expected<Value> item = GetItem(object, key);
      if (!item.ok()) return At(expr.pos, item.status());
      // jinja2 falls back to the attribute (e.g. a method) for a missing string key.
      if (item->is_undefined() && key.is_string()) {
        Expected<Value> attr = GetAttribute(object, key.as_string());
        if (attr.ok() && attr->is_callable()) return attr;
      }
      return item;
    }
    case ExprKind::kSlice: {
      DSINFER_ASSIGN_OR_RETURN(Value object, Eval(*expr.operands[0]));
      std::optional<Value> bounds[3];
      for (int i = 0; i < 3; ++i) {
        if (!expr.operands[i + 1]) continue;
        DSINFER_ASSIGN_OR_RETURN(Value b, Eval(*expr.operands[i + 1]));
        bounds[i] = std::move(b);
      }
      Expected<Value> sliced = GetSlice(object, bounds[0], bounds[1], bounds[2]);
      if (!sliced.ok()) return At(expr.pos, sliced.status());
      return sliced;
    }
    case ExprKind::kCall:
      return EvalCall(expr);
    case ExprKind::kFilter:
      return EvalFilter(expr, nullptr);
    case ExprKind::kTest:
      return EvalTest(expr);
    case ExprKind::kNegate:
    case ExprKind::kUnaryPlus: {
      DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*expr.operands[0]));
      Expected<Value> r = expr.kind == ExprKind::kNegate ? ApplyNegate(v) : ApplyUnaryPlus(v);
      if (!r.ok()) return At(expr.pos, r.status());
      return r;
    }
    case ExprKind::kNot: {
      DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*expr.operands[0]));
      return Value::Bool(!v.IsTruthy());
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      DSINFER_ASSIGN_OR_RETURN(Value left, Eval(*expr.operands[0]));
      bool short_circuit = expr.kind == ExprKind::kAnd ? !left.IsTruthy() : left.IsTruthy();
      if (short_circuit) return left;
      return Eval(*expr.operands[1]);
    }
    case ExprKind::kBinary: {
      DSINFER_ASSIGN_OR_RETURN(Value left, Eval(*expr.operands[0]));
      DSINFER_ASSIGN_OR_RETURN(Value right, Eval(*expr.operands[1]));
      Expected<Value> r = ApplyBinary(expr.binary_op, left, right);
      if (!r.ok()) return At(expr.pos, r.status());
      return r;
    }
    case ExprKind::kConcat: {
      std::string out;
      for (const auto& operand : expr.operands) {
        DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*operand));
        out += ToPythonStr(v);
      }
      return Value::String(std::move(out));
    }
    case ExprKind::kCompare:
      return EvalCompare(expr);
    case ExprKind::kCondition: {
      DSINFER_ASSIGN_OR_RETURN(Value cond, Eval(*expr.operands[1]));
      if (cond.IsTruthy()) return Eval(*expr.operands[0]);
      if (expr.operands[2]) return Eval(*expr.operands[2]);
      return Value::Undefined("the conditional expression had no else branch");
    }
  }
  return ErrorAt(expr.pos, "unknown expression");
}

Expected<Value> Evaluator::EvalCompare(const Expr& expr) {
  DSINFER_ASSIGN_OR_RETURN(Value left, Eval(*expr.operands[0]));
  for (size_t i = 0; i < expr.compare_ops.size(); ++i) {
    DSINFER_ASSIGN_OR_RETURN(Value right, Eval(*expr.operands[i + 1]));
    const std::string& op = expr.compare_ops[i];
    bool result;
    if (op == "==" || op == "!=") {
      result = ValuesEqual(left, right) == (op == "==");
    } else if (op == "in" || op == "not in") {
      Expected<bool> contained = ContainsValue(right, left);
      if (!contained.ok()) return At(expr.operands[i + 1]->pos, contained.status());
      result = *contained == (op == "in");
    } else {
      Expected<int> order = CompareValues(left, right);
      if (!order.ok()) {
        std::string message = order.status().message();
        size_t quote = message.find("'<'");
        if (quote != std::string::npos) message.replace(quote, 3, "'" + op + "'");
        return ErrorAt(expr.pos, message);
      }
      result = op == "<"    ? *order < 0
               : op == "<=" ? *order <= 0
               : op == ">"  ? *order > 0
                            : *order >= 0;
    }
    if (!result) return Value::Bool(false);
    left = std::move(right);
  }
  return Value::Bool(true);
}

Expected<CallArgs> Evaluator::EvalArgs(const Expr& expr, size_t first_positional) {
  CallArgs args;
  for (size_t i = first_positional; i < expr.operands.size(); ++i) {
    DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*expr.operands[i]));
    args.positional.push_back(std::move(v));
  }
  for (const auto& [key, value_expr] : expr.keyword_args) {
    DSINFER_ASSIGN_OR_RETURN(Value v, Eval(*value_expr));
    args.keyword.emplace_back(key, std::move(v));
  }
  return args;
}

Expected<Value> Evaluator::EvalCall(const Expr& expr) {
  DSINFER_ASSIGN_OR_RETURN(Value callee, Eval(*expr.operands[0]));
  if (callee.is_undefined()) return ErrorAt(expr.pos, UndefinedMessage(callee));
  if (!callee.is_callable()) {
    return ErrorAt(expr.pos, std::string("'") + callee.TypeName() + "' object is not callable");
  }
  DSINFER_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(expr, 1));
  Expected<Value> result = callee.as_function()(args);
  if (!result.ok()) return At(expr.pos, result.status());
  return result;
}

Expected<Value> Evaluator::EvalFilter(const Expr& expr, const Value* block_input) {
  Value input;
  if (expr.operands[0]) {
    // A chain `x | f | g` nests: g's input is the filter f.
    if (expr.operands[0]->kind == ExprKind::kFilter && block_input != nullptr) {
      DSINFER_ASSIGN_OR_RETURN(input, EvalFilter(*expr.operands[0], block_input));
    } else {
      DSINFER_ASSIGN_OR_RETURN(input, Eval(*expr.operands[0]));
    }
  } else if (block_input != nullptr) {
    input = *block_input;
  }
  DSINFER_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(expr, 1));
  Expected<Value> result = ApplyFilter(expr.name, input, args);
  if (!result.ok()) return At(expr.pos, result.status());
  return result;
}

Expected<Value> Evaluator::EvalTest(const Expr& expr) {
  DSINFER_ASSIGN_OR_RETURN(Value input, Eval(*expr.operands[0]));
  DSINFER_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(expr, 1));
  Expected<bool> result = ApplyTest(expr.name, input, args);
  if (!result.ok()) return At(expr.pos, result.status());
  return Value::Bool(*result != expr.negated);
}

}  // namespace dsinfer::jinja::internal
