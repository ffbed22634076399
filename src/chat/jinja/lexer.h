// Jinja lexer: template source -> tokens, with whitespace control applied exactly as jinja2
// does it for Hugging Face chat templates (trim_blocks=True, lstrip_blocks=True,
// keep_trailing_newline=False):
//   * newlines are normalized to "\n" and one trailing newline of the source is dropped;
//   * `{%-`, `{{-`, `{#-` strip all whitespace before the tag, `-%}`, `-}}`, `-#}` all after it;
//   * trim_blocks: the first newline after `%}` or `#}` is removed (`+%}` keeps it);
//   * lstrip_blocks: spaces and tabs between the start of a line and `{%` or `{#` are removed
//     (`{%+` keeps them; `{{` is never affected);
//   * `{# ... #}` comments are dropped, `{% raw %}...{% endraw %}` becomes plain text.
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dsinfer::jinja {

enum class TokenKind {
  kText,           // template text between tags (whitespace control already applied)
  kVariableBegin,  // {{
  kVariableEnd,    // }}
  kBlockBegin,     // {%
  kBlockEnd,       // %}
  kName,           // identifier, also keywords (if, for, in, not, and, or, is, true, ...)
  kString,         // string literal; text is the unescaped value
  kInteger,        // integer literal; text is the digits without '_'
  kFloat,          // float literal; text is the literal without '_'
  kOperator,       // + - * / // % ** ~ == != < <= > >= = ( ) [ ] { } . : | ,
  kEnd,            // end of the template
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int line = 1;    // 1-based, in the newline-normalized source
  int column = 1;  // 1-based, counted in code points
};

// Tokenizes `source`. Errors (unterminated tags, comments or strings, stray characters,
// unbalanced brackets) are "<source_name> line L, column C: <what>".
Expected<std::vector<Token>> Tokenize(std::string_view source, std::string_view source_name);

// "<source_name> line L, column C: <message>": the prefix every template error carries.
std::string PositionedMessage(std::string_view source_name, int line, int column,
                              std::string_view message);

}  // namespace dsinfer::jinja
