#include "chat/jinja/text_util.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace dsinfer::jinja {

uint32_t DecodeCodePoint(std::string_view s, size_t* pos) {
  size_t i = *pos;
  unsigned char lead = static_cast<unsigned char>(s[i]);
  int extra = lead < 0x80           ? 0
              : (lead >> 5) == 0x6  ? 1
              : (lead >> 4) == 0xE  ? 2
              : (lead >> 3) == 0x1E ? 3
                                    : -1;
  if (extra > 0 && i + static_cast<size_t>(extra) < s.size()) {
    uint32_t cp = lead & (0x3F >> extra);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      unsigned char c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (ok) {
      *pos = i + extra + 1;
      return cp;
    }
  }
  *pos = i + 1;
  return lead;
}

std::vector<size_t> CodePointOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  size_t pos = 0;
  while (pos < s.size()) {
    offsets.push_back(pos);
    DecodeCodePoint(s, &pos);
  }
  offsets.push_back(s.size());
  return offsets;
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    DecodeCodePoint(s, &pos);
    ++n;
  }
  return n;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string FormatPythonFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  // Shortest round-trip digits in scientific form, e.g. "1.2345e+02".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e_pos = sci.find('e');
  int exponent = std::atoi(sci.c_str() + e_pos + 1);
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof(exp_buf), "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    out += exp_buf;
  } else if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
  } else {
    size_t int_digits = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_digits) {
      out += digits + std::string(int_digits - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, int_digits) + "." + digits.substr(int_digits);
    }
  }
  return out;
}

bool IsPythonWhitespace(uint32_t cp) {
  switch (cp) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case 0x0B:
    case 0x0C:
    case 0x1C:
    case 0x1D:
    case 0x1E:
    case 0x1F:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

namespace {

bool InChars(uint32_t cp, const std::string* chars) {
  if (chars == nullptr) return IsPythonWhitespace(cp);
  size_t pos = 0;
  while (pos < chars->size()) {
    if (DecodeCodePoint(*chars, &pos) == cp) return true;
  }
  return false;
}

}  // namespace

std::string StripString(std::string_view s, const std::string* chars, bool left, bool right) {
  std::vector<size_t> offsets = CodePointOffsets(s);
  size_t n = offsets.size() - 1;
  size_t begin = 0;
  size_t end = n;
  const auto cp_at = [&](size_t i) {
    size_t pos = offsets[i];
    return DecodeCodePoint(s, &pos);
  };
  if (left) {
    while (begin < end && InChars(cp_at(begin), chars)) ++begin;
  }
  if (right) {
    while (end > begin && InChars(cp_at(end - 1), chars)) --end;
  }
  return std::string(s.substr(offsets[begin], offsets[end] - offsets[begin]));
}

namespace {

// Whitespace-separated words with their byte ranges.
std::vector<std::pair<size_t, size_t>> WhitespaceWords(std::string_view s) {
  std::vector<std::pair<size_t, size_t>> words;
  size_t pos = 0;
  size_t word_start = std::string_view::npos;
  while (pos < s.size()) {
    size_t cp_start = pos;
    uint32_t cp = DecodeCodePoint(s, &pos);
    if (IsPythonWhitespace(cp)) {
      if (word_start != std::string_view::npos) words.emplace_back(word_start, cp_start);
      word_start = std::string_view::npos;
    } else if (word_start == std::string_view::npos) {
      word_start = cp_start;
    }
  }
  if (word_start != std::string_view::npos) words.emplace_back(word_start, s.size());
  return words;
}

}  // namespace

std::vector<std::string> SplitString(std::string_view s, const std::string* sep, int64_t maxsplit) {
  std::vector<std::string> parts;
  if (sep == nullptr) {
    auto words = WhitespaceWords(s);
    for (size_t i = 0; i < words.size(); ++i) {
      if (maxsplit >= 0 && static_cast<int64_t>(i) == maxsplit) {
        parts.emplace_back(s.substr(words[i].first));
        break;
      }
      parts.emplace_back(s.substr(words[i].first, words[i].second - words[i].first));
    }
    return parts;
  }
  size_t start = 0;
  int64_t splits = 0;
  while (maxsplit < 0 || splits < maxsplit) {
    size_t found = s.find(*sep, start);
    if (found == std::string_view::npos) break;
    parts.emplace_back(s.substr(start, found - start));
    start = found + sep->size();
    ++splits;
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

std::vector<std::string> RSplitString(std::string_view s, const std::string* sep,
                                      int64_t maxsplit) {
  if (maxsplit < 0) return SplitString(s, sep, maxsplit);
  std::vector<std::string> parts;
  if (sep == nullptr) {
    auto words = WhitespaceWords(s);
    int64_t taken = 0;
    size_t i = words.size();
    while (i > 0 && taken < maxsplit) {
      --i;
      parts.emplace_back(s.substr(words[i].first, words[i].second - words[i].first));
      ++taken;
    }
    if (i > 0) {
      parts.emplace_back(s.substr(0, words[i - 1].second));
    }
    return {parts.rbegin(), parts.rend()};
  }
  size_t end = s.size();
  int64_t splits = 0;
  while (splits < maxsplit && end >= sep->size()) {
    size_t found = s.rfind(*sep, end - sep->size());
    if (found == std::string_view::npos) break;
    parts.emplace_back(s.substr(found + sep->size(), end - found - sep->size()));
    end = found;
    ++splits;
  }
  parts.emplace_back(s.substr(0, end));
  return {parts.rbegin(), parts.rend()};
}

std::string ReplaceString(std::string_view s, std::string_view from, std::string_view to,
                          int64_t count) {
  std::string out;
  if (from.empty()) {
    std::vector<size_t> offsets = CodePointOffsets(s);
    int64_t done = 0;
    for (size_t i = 0; i + 1 < offsets.size(); ++i) {
      if (count < 0 || done < count) {
        out.append(to);
        ++done;
      }
      out.append(s.substr(offsets[i], offsets[i + 1] - offsets[i]));
    }
    if (count < 0 || done < count) out.append(to);
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t found = s.find(from, start);
    if (found == std::string_view::npos) break;
    out.append(s.substr(start, found - start));
    out.append(to);
    start = found + from.size();
    ++done;
  }
  out.append(s.substr(start));
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string PythonStringRepr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = pos;
    uint32_t cp = DecodeCodePoint(s, &pos);
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", cp);
      out += buf;
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  out.push_back(quote);
  return out;
}

}  // namespace dsinfer::jinja
