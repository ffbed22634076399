// Jinja parser: tokens -> syntax tree (ast.h). Every construct the interpreter cannot run is
// rejected here, at load time, with the construct named: unknown tags ("unsupported tag
// 'include'"), filters ("unsupported filter 'wordcount'"), tests, `*args` calls, `break` outside
// a loop. Errors read "<source_name> line L, column C: <what>". Pure; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/jinja/ast.h"
#include "chat/jinja/lexer.h"

namespace dsinfer::jinja {

// Parses a whole template (tokens from Tokenize, ending in kEnd).
Expected<StmtList> ParseTemplate(const std::vector<Token>& tokens, std::string_view source_name);

}  // namespace dsinfer::jinja
