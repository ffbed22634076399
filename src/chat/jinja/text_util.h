// Text helpers with Python semantics for the template interpreter: code-point views of UTF-8
// strings (Python indexes strings by code point), float formatting as Python's repr, and
// whitespace as str.split()/str.strip() see it. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dsinfer::jinja {

// Byte offsets of every code point of `s`, plus s.size() at the end (size = code points + 1).
// Invalid bytes count as one code point each, so any byte string can be indexed.
std::vector<size_t> CodePointOffsets(std::string_view s);

// Number of code points of `s` (invalid bytes count one each).
size_t CodePointCount(std::string_view s);

// Decodes the code point at s[pos] (advancing pos); invalid bytes decode as themselves.
uint32_t DecodeCodePoint(std::string_view s, size_t* pos);

// Appends the UTF-8 encoding of `cp` (code points above 0x10FFFF become U+FFFD).
void AppendUtf8(uint32_t cp, std::string* out);

// Python's repr()/str() of a float: shortest round-trip digits, "1.0", "1e+20", "1e-05",
// "inf", "-inf", "nan".
std::string FormatPythonFloat(double d);

// Python's str.isspace() for one ASCII-or-Unicode code point (the common whitespace set).
bool IsPythonWhitespace(uint32_t cp);

// str.strip()/lstrip()/rstrip(): with `chars` null, whitespace; else any code point in *chars.
std::string StripString(std::string_view s, const std::string* chars, bool left, bool right);

// str.split(sep, maxsplit) (sep null: runs of whitespace, no empty parts) and str.rsplit.
std::vector<std::string> SplitString(std::string_view s, const std::string* sep, int64_t maxsplit);
std::vector<std::string> RSplitString(std::string_view s, const std::string* sep, int64_t maxsplit);

// str.replace(old, new, count); count < 0 replaces all. An empty `from` inserts between code
// points as Python does.
std::string ReplaceString(std::string_view s, std::string_view from, std::string_view to,
                          int64_t count);

// ASCII-only case mapping (non-ASCII code points are left unchanged).
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);

// Python's repr() of a string: single quotes unless the text has ' and no ", with \\, \n, \r,
// \t and other control characters escaped.
std::string PythonStringRepr(std::string_view s);

}  // namespace dsinfer::jinja
