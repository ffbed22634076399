// Built-in filters, tests, methods and global functions of the template interpreter: the
// subset of jinja2 (plus transformers' `tojson`, `raise_exception`, `strftime_now`) that chat
// templates use. The parser rejects any filter or test name not listed here, so a template that
// needs an unsupported one fails at load time. Errors are plain messages; the interpreter adds
// the template position. All functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "chat/jinja/value.h"

namespace dsinfer::jinja {

// Filters: abs, attr, capitalize, count, d, default, dictsort, e, escape, first, float, indent,
// int, items, join, last, length, list, lower, map, max, min, reject, rejectattr, replace,
// reverse, round, safe, select, selectattr, sort, string, sum, title, tojson, trim, unique,
// upper.
bool IsSupportedFilter(std::string_view name);
Expected<Value> ApplyFilter(std::string_view name, const Value& input, const CallArgs& args);

// Tests: boolean, callable, defined, divisibleby, eq, equalto, even, false, float, ge,
// greaterthan, gt, in, integer, iterable, le, lessthan, lower, lt, mapping, ne, none, number,
// odd, sameas, sequence, string, true, undefined, upper, and the operator aliases
// ==, !=, <, <=, >, >=.
bool IsSupportedTest(std::string_view name);
Expected<bool> ApplyTest(std::string_view name, const Value& input, const CallArgs& args);

// obj.name as jinja2 resolves it: a method of a string (startswith, endswith, split, rsplit,
// strip, lstrip, rstrip, lower, upper, title, capitalize, replace, find, rfind, count, join,
// splitlines, isdigit, isalpha, isspace, islower, isupper), dict (get, items, keys, values) or
// list (index, count) as a bound callable; otherwise the dict key / namespace attribute; else
// undefined. Only an undefined `obj` is an error.
Expected<Value> GetAttribute(const Value& obj, std::string_view name);

// Global functions every template sees: range, namespace, dict, raise_exception, and
// strftime_now (formats `now_unix_seconds` in local time, or the current time when unset).
ValueDict GlobalFunctions(std::optional<int64_t> now_unix_seconds);

}  // namespace dsinfer::jinja
