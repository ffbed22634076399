#include "chat/jinja/lexer.h"

#include <algorithm>
#include <cstdio>

#include "chat/jinja/text_util.h"

namespace dsinfer::jinja {

std::string PositionedMessage(std::string_view source_name, int line, int column,
                              std::string_view message) {
  return std::string(source_name) + " line " + std::to_string(line) + ", column " +
         std::to_string(column) + ": " + std::string(message);
}

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c); }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Normalizes newlines to "\n" and drops one trailing newline (jinja2's keep_trailing_newline).
std::string NormalizeSource(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out.push_back(source[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(std::string source, std::string_view name) : src_(std::move(source)), name_(name) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  Expected<std::vector<Token>> Run() {
    bool line_starting = true;
    while (pos_ < src_.size()) {
      size_t tag = FindTagStart(pos_);
      if (tag == std::string::npos) {
        Emit(TokenKind::kText, src_.substr(pos_), pos_);
        pos_ = src_.size();
        break;
      }
      char kind = src_[tag + 1];
      size_t after = tag + 2;
      char sign =
          after < src_.size() && (src_[after] == '-' || src_[after] == '+') ? src_[after] : 0;
      std::string text = src_.substr(pos_, tag - pos_);
      ApplyLeadingControl(&text, sign, kind != '{', line_starting);
      if (!text.empty()) Emit(TokenKind::kText, std::move(text), pos_);
      pos_ = after + (sign ? 1 : 0);
      Status st;
      if (kind == '#') {
        st = LexComment(&line_starting);
      } else if (kind == '%' && IsRawBegin()) {
        st = LexRaw(tag, &line_starting);
      } else {
        st = LexTag(kind == '%', tag, &line_starting);
      }
      if (!st.ok()) return st;
    }
    Token end;
    end.kind = TokenKind::kEnd;
    Position(src_.size(), &end.line, &end.column);
    tokens_.push_back(end);
    return std::move(tokens_);
  }

 private:
  size_t FindTagStart(size_t from) const {
    size_t i = src_.find('{', from);
    while (i != std::string::npos && i + 1 < src_.size()) {
      char next = src_[i + 1];
      if (next == '{' || next == '%' || next == '#') return i;
      i = src_.find('{', i + 1);
    }
    return std::string::npos;
  }

  // Whitespace control on the text before a tag: `-` strips all whitespace; otherwise
  // lstrip_blocks removes the indentation of a block or comment tag that starts its line.
  static void ApplyLeadingControl(std::string* text, char sign, bool is_block_or_comment,
                                  bool line_starting) {
    if (sign == '-') {
      size_t end = text->size();
      while (end > 0 && IsSpace((*text)[end - 1])) --end;
      text->resize(end);
      return;
    }
    if (sign == '+' || !is_block_or_comment) return;
    size_t newline = text->rfind('\n');
    size_t line_pos = newline == std::string::npos ? 0 : newline + 1;
    if (line_pos == 0 && !line_starting) return;
    if (line_pos == text->size()) return;
    for (size_t i = line_pos; i < text->size(); ++i) {
      if (!IsSpace((*text)[i])) return;
    }
    text->resize(line_pos);
  }

  // After an end marker: `-` eats all following whitespace, otherwise trim_blocks eats one
  // newline (block and comment ends only). Updates line_starting as jinja2 does.
  void ApplyTrailingControl(char sign, bool trim_newline, bool* line_starting) {
    if (sign == '-') {
      size_t start = pos_;
      while (pos_ < src_.size() && IsSpace(src_[pos_])) ++pos_;
      *line_starting = pos_ > start && src_[pos_ - 1] == '\n';
      return;
    }
    if (sign != '+' && trim_newline && pos_ < src_.size() && src_[pos_] == '\n') {
      ++pos_;
      *line_starting = true;
      return;
    }
    *line_starting = false;
  }

  Status LexComment(bool* line_starting) {
    size_t end = src_.find("#}", pos_);
    if (end == std::string::npos) return Error(pos_, "unterminated comment: missing '#}'");
    char sign = 0;
    if (end > pos_ && (src_[end - 1] == '-' || src_[end - 1] == '+')) sign = src_[end - 1];
    pos_ = end + 2;
    ApplyTrailingControl(sign, true, line_starting);
    return Status::Ok();
  }

  // `{% raw %}` (optionally with - or + and -%}) at pos_ (just after `{%` and its sign).
  bool IsRawBegin() const {
    size_t i = pos_;
    while (i < src_.size() && IsSpace(src_[i])) ++i;
    if (src_.compare(i, 3, "raw") != 0) return false;
    i += 3;
    if (i < src_.size() && IsNameChar(src_[i])) return false;
    while (i < src_.size() && IsSpace(src_[i])) ++i;
    return src_.compare(i, 2, "%}") == 0 || src_.compare(i, 3, "-%}") == 0;
  }

  Status LexRaw(size_t tag_start, bool* line_starting) {
    size_t i = src_.find("raw", pos_) + 3;
    while (IsSpace(src_[i])) ++i;
    if (src_[i] == '-') {
      pos_ = i + 3;
      while (pos_ < src_.size() && IsSpace(src_[pos_])) ++pos_;
    } else {
      pos_ = i + 2;  // jinja2 applies no trim_blocks after the raw begin tag
    }
    *line_starting = pos_ > 0 && src_[pos_ - 1] == '\n';
    size_t search = pos_;
    while (true) {
      size_t end_tag = src_.find("{%", search);
      if (end_tag == std::string::npos) return Error(tag_start, "missing '{% endraw %}'");
      size_t j = end_tag + 2;
      char sign = j < src_.size() && (src_[j] == '-' || src_[j] == '+') ? src_[j] : 0;
      if (sign) ++j;
      while (j < src_.size() && IsSpace(src_[j])) ++j;
      if (src_.compare(j, 6, "endraw") != 0) {
        search = end_tag + 2;
        continue;
      }
      j += 6;
      while (j < src_.size() && IsSpace(src_[j])) ++j;
      char end_sign = 0;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) end_sign = src_[j++];
      if (src_.compare(j, 2, "%}") != 0) {
        search = end_tag + 2;
        continue;
      }
      std::string text = src_.substr(pos_, end_tag - pos_);
      ApplyLeadingControl(&text, sign, true, *line_starting);
      if (!text.empty()) Emit(TokenKind::kText, std::move(text), pos_);
      pos_ = j + 2;
      ApplyTrailingControl(end_sign, true, line_starting);
      return Status::Ok();
    }
  }

  Status LexTag(bool is_block, size_t tag_start, bool* line_starting) {
    Emit(is_block ? TokenKind::kBlockBegin : TokenKind::kVariableBegin, "", tag_start);
    std::vector<char> brackets;
    while (true) {
      while (pos_ < src_.size() && IsSpace(src_[pos_])) ++pos_;
      if (pos_ >= src_.size()) {
        return Error(tag_start, is_block ? "unexpected end of template: missing '%}'"
                                         : "unexpected end of template: missing '}}'");
      }
      if (brackets.empty()) {
        const char* close = is_block ? "%}" : "}}";
        char sign = 0;
        size_t marker = pos_;
        if (src_[pos_] == '-' || (is_block && src_[pos_] == '+')) {
          sign = src_[pos_];
          ++marker;
        }
        if (src_.compare(marker, 2, close) == 0) {
          Emit(is_block ? TokenKind::kBlockEnd : TokenKind::kVariableEnd, "", pos_);
          pos_ = marker + 2;
          ApplyTrailingControl(sign, is_block, line_starting);
          return Status::Ok();
        }
      }
      DSINFER_RETURN_IF_ERROR(LexExpressionToken(&brackets));
    }
  }

  Status LexExpressionToken(std::vector<char>* brackets) {
    size_t start = pos_;
    char c = src_[pos_];
    if (IsDigit(c)) return LexNumber();
    if (IsNameStart(c)) {
      while (pos_ < src_.size() && IsNameChar(src_[pos_])) ++pos_;
      Emit(TokenKind::kName, src_.substr(start, pos_ - start), start);
      return Status::Ok();
    }
    if (c == '\'' || c == '"') return LexString();
    static const char* const kTwoChar[] = {"//", "**", "==", "!=", "<=", ">="};
    for (const char* op : kTwoChar) {
      if (src_.compare(pos_, 2, op) == 0) {
        pos_ += 2;
        Emit(TokenKind::kOperator, op, start);
        return Status::Ok();
      }
    }
    static const std::string kSingle = "+-/*%~[](){}<>=.:|,;";
    if (kSingle.find(c) == std::string::npos) {
      size_t next = pos_;
      uint32_t cp = DecodeCodePoint(src_, &next);
      std::string shown = src_.substr(pos_, next - pos_);
      if (cp < 0x20 || cp == 0x7F) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02x", cp);
        shown = buf;
      }
      return Error(start, "unexpected character '" + shown + "'");
    }
    if (c == '(' || c == '[' || c == '{') {
      brackets->push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets->empty()) return Error(start, std::string("unexpected '") + c + "'");
      if (brackets->back() != c) {
        return Error(start,
                     std::string("unexpected '") + c + "', expected '" + brackets->back() + "'");
      }
      brackets->pop_back();
    }
    ++pos_;
    Emit(TokenKind::kOperator, std::string(1, c), start);
    return Status::Ok();
  }

  // Digits with optional '_' separators between them; returns false when none are here.
  bool ConsumeDigits(std::string* out) {
    if (pos_ >= src_.size() || !IsDigit(src_[pos_])) return false;
    while (pos_ < src_.size()) {
      if (IsDigit(src_[pos_])) {
        out->push_back(src_[pos_++]);
      } else if (src_[pos_] == '_' && pos_ + 1 < src_.size() && IsDigit(src_[pos_ + 1])) {
        ++pos_;
      } else {
        break;
      }
    }
    return true;
  }

  Status LexNumber() {
    size_t start = pos_;
    std::string text;
    ConsumeDigits(&text);
    bool is_float = false;
    // A fraction only follows a number that is not itself after '.' (jinja2: `x.0.1`).
    bool after_dot = start > 0 && src_[start - 1] == '.';
    if (!after_dot && pos_ + 1 < src_.size() && src_[pos_] == '.' && IsDigit(src_[pos_ + 1])) {
      ++pos_;
      text.push_back('.');
      ConsumeDigits(&text);
      is_float = true;
    }
    if (!after_dot && pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t save = pos_;
      std::string exp = "e";
      ++pos_;
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-'))
        exp.push_back(src_[pos_++]);
      if (ConsumeDigits(&exp)) {
        text += exp;
        is_float = true;
      } else {
        pos_ = save;
      }
    }
    Emit(is_float ? TokenKind::kFloat : TokenKind::kInteger, std::move(text), start);
    return Status::Ok();
  }

  // Python string-literal escapes, as jinja2 decodes them ("unicode-escape").
  Status LexString() {
    size_t start = pos_;
    char quote = src_[pos_++];
    std::string value;
    while (true) {
      if (pos_ >= src_.size()) return Error(start, "unterminated string literal");
      char c = src_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c != '\\') {
        value.push_back(c);
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= src_.size()) return Error(start, "unterminated string literal");
      char e = src_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '\n':
          break;
        case '\\':
          value.push_back('\\');
          break;
        case '\'':
          value.push_back('\'');
          break;
        case '"':
          value.push_back('"');
          break;
        case 'a':
          value.push_back('\a');
          break;
        case 'b':
          value.push_back('\b');
          break;
        case 'f':
          value.push_back('\f');
          break;
        case 'n':
          value.push_back('\n');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 't':
          value.push_back('\t');
          break;
        case 'v':
          value.push_back('\v');
          break;
        case 'x':
        case 'u':
        case 'U': {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t cp = 0;
          for (int k = 0; k < digits; ++k) {
            int h = pos_ < src_.size() ? HexValue(src_[pos_]) : -1;
            if (h < 0) return Error(start, std::string("truncated \\") + e + " escape in string");
            cp = cp * 16 + static_cast<uint32_t>(h);
            ++pos_;
          }
          if (cp > 0x10FFFF) return Error(start, "invalid \\U escape in string");
          AppendUtf8(cp, &value);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t cp = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7';
                 ++k) {
              cp = cp * 8 + static_cast<uint32_t>(src_[pos_++] - '0');
            }
            AppendUtf8(cp, &value);
          } else {
            value.push_back('\\');
            value.push_back(e);
          }
      }
    }
    Emit(TokenKind::kString, std::move(value), start);
    return Status::Ok();
  }

  // Line and column of `offset`. Tokens come in increasing offsets, so the column is counted
  // from the previous position on the same line (linear, even for one very long line).
  void Position(size_t offset, int* line, int* column) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t line_index = static_cast<size_t>(it - line_starts_.begin()) - 1;
    size_t line_start = line_starts_[line_index];
    size_t from = line_start;
    int base_column = 1;
    if (cached_line_ == line_index && cached_offset_ <= offset) {
      from = cached_offset_;
      base_column = cached_column_;
    }
    *line = static_cast<int>(line_index) + 1;
    *column = base_column +
              static_cast<int>(CodePointCount(std::string_view(src_).substr(from, offset - from)));
    cached_line_ = line_index;
    cached_offset_ = offset;
    cached_column_ = *column;
  }

  void Emit(TokenKind kind, std::string text, size_t offset) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    Position(offset, &t.line, &t.column);
    tokens_.push_back(std::move(t));
  }

  Status Error(size_t offset, std::string_view message) const {
    int line, column;
    Position(offset, &line, &column);
    return InvalidArgument(PositionedMessage(name_, line, column, message));
  }

  std::string src_;
  std::string_view name_;
  size_t pos_ = 0;
  std::vector<size_t> line_starts_;
  mutable size_t cached_line_ = 0;
  mutable size_t cached_offset_ = 0;
  mutable int cached_column_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

Expected<std::vector<Token>> Tokenize(std::string_view source, std::string_view source_name) {
  Lexer lexer(NormalizeSource(source), source_name);
  return lexer.Run();
}

}  // namespace dsinfer::jinja
