// jinja::Template: a Jinja template parsed once and rendered many times, with the semantics of
// the jinja2 environment Hugging Face's apply_chat_template uses (ImmutableSandboxedEnvironment
// with trim_blocks, lstrip_blocks and loopcontrols; `tojson` = json.dumps(ensure_ascii=False);
// `raise_exception` and `strftime_now` globals). The supported subset is listed in lexer.h,
// parser.h and builtins.h; anything else is rejected by Parse with the construct named.
//
// Errors are values: "<name> line L, column C: <what>", where <name> is the name given to
// Parse ("chat template" by default).
//
// Immutable after Parse; Render may be called from many threads at once. Move-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "chat/jinja/value.h"

namespace dsinfer::jinja {

struct Program;

// What a render may see of the world besides its variables.
struct RenderEnvironment {
  // The time strftime_now() formats (seconds since the epoch, shown in local time); unset
  // means the current time.
  std::optional<int64_t> now_unix_seconds;
  // A render that writes more than this many bytes (counting macro and block captures) fails
  // with ResourceExhausted instead of growing without bound.
  size_t max_output_bytes = size_t{256} << 20;
};

class Template {
 public:
  // Lexes and parses `source`; every syntax error or unsupported construct is reported here.
  static Expected<Template> Parse(std::string_view source, std::string name = "chat template");

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  Template(const Template&) = delete;
  Template& operator=(const Template&) = delete;
  ~Template();

  // Renders with `variables` as the template's globals (they shadow the built-in functions).
  // Runtime errors (type errors, undefined values used as values, raise_exception) come back
  // positioned at the construct that failed.
  Expected<std::string> Render(const ValueDict& variables,
                               const RenderEnvironment& environment = {}) const;

  const std::string& name() const { return name_; }

 private:
  Template(std::string name, std::unique_ptr<const Program> program);

  std::string name_;
  std::unique_ptr<const Program> program_;
};

}  // namespace dsinfer::jinja
