// Python semantics of template values as jinja2 evaluates them: str()/repr(), equality and
// ordering, arithmetic, membership, length, iteration, subscripts and slices. Errors are plain
// messages (Python's TypeError texts where there is one); the interpreter adds the position.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "chat/jinja/value.h"

namespace dsinfer::jinja {

// str(v) as jinja2 prints it: undefined -> "", None -> "None", True -> "True", floats as
// Python's repr, containers as Python's repr.
std::string ToPythonStr(const Value& v);
// repr(v): strings quoted; everything else as ToPythonStr.
std::string ToPythonRepr(const Value& v);

// Python ==: numbers compare by value across int/float/bool, containers element-wise,
// undefined equals only undefined.
bool ValuesEqual(const Value& a, const Value& b);

// Python ordering (<): numbers, strings (by code point), lists/tuples lexicographically.
// Returns -1, 0 or 1; a TypeError message for unorderable kinds.
Expected<int> CompareValues(const Value& a, const Value& b);

enum class BinaryOperator { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow };

// a OP b with Python's rules: str + str, list + list, str * int, int / int -> float, floor
// division and modulo rounding toward negative infinity; int overflow is an error.
Expected<Value> ApplyBinary(BinaryOperator op, const Value& a, const Value& b);
// -v and +v on numbers.
Expected<Value> ApplyNegate(const Value& v);
Expected<Value> ApplyUnaryPlus(const Value& v);

// `item in container`: substring of a string, element of a list, key of a dict; nothing is
// in undefined. TypeError for other containers.
Expected<bool> ContainsValue(const Value& container, const Value& item);

// len(v): code points of a string, items of a list or dict; undefined has length 0.
Expected<int64_t> LengthOf(const Value& v);

// The items that iterating over `v` visits: list items, dict keys, string code points;
// undefined iterates as empty. TypeError for other kinds ("'int' object is not iterable").
Expected<ValueList> IterateValue(const Value& v);

// v[key] as jinja2's getitem: list/string index (negative counts from the end), dict key,
// namespace attribute. Anything that cannot be found (missing key, index out of range, a value
// that cannot be subscripted) gives undefined; only an undefined `v` is an error.
Expected<Value> GetItem(const Value& v, const Value& key);

// v[start:stop:step] on strings and lists; each bound may be absent (nullopt or none).
Expected<Value> GetSlice(const Value& v, const std::optional<Value>& start,
                         const std::optional<Value>& stop, const std::optional<Value>& step);

// The message of an undefined value (generic text when it has none).
std::string UndefinedMessage(const Value& undefined);

}  // namespace dsinfer::jinja
