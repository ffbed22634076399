#include "chat/builtin_formats.h"

namespace dsinfer::chat {

namespace {

// DeepSeek-V3. Quirks of the original kept on purpose, because they define what the model saw:
// the tool-call block is closed only by the second and later calls of a conversation, and the
// "<｜tool▁outputs▁begin｜>" marker is written for the first tool result of a conversation only.
constexpr const char* kDeepSeek3 = R"JINJA(
{%- if add_generation_prompt is not defined -%}
  {%- set add_generation_prompt = false -%}
{%- endif -%}
{%- set state = namespace(system='', has_system=false, emitted_call=false, emitted_output=false, after_tool=false) -%}
{%- for message in messages if message['role'] == 'system' -%}
  {%- set state.system = state.system + ('\n\n' if state.has_system else '') + message['content'] -%}
  {%- set state.has_system = true -%}
{%- endfor -%}
{%- macro render_call(call) -%}
  {%- set arguments = call['function']['arguments'] -%}
<｜tool▁call▁begin｜>{{ call['type'] }}<｜tool▁sep｜>{{ call['function']['name'] }}
```json
{{ arguments if arguments is string else arguments | tojson }}
```<｜tool▁call▁end｜>
{%- endmacro -%}
{{- bos_token ~ state.system -}}
{%- for message in messages -%}
  {%- if message['role'] == 'user' -%}
    {%- set state.after_tool = false -%}
    {{- '<｜User｜>' + message['content'] -}}
  {%- elif message['role'] == 'assistant' and message['content'] is none -%}
    {%- set state.after_tool = false -%}
    {%- for call in message['tool_calls'] -%}
      {%- if not state.emitted_call -%}
        {{- '<｜Assistant｜><｜tool▁calls▁begin｜>' + render_call(call) -}}
        {%- set state.emitted_call = true -%}
      {%- else -%}
        {{- '\n' + render_call(call) + '<｜tool▁calls▁end｜><｜end▁of▁sentence｜>' -}}
      {%- endif -%}
    {%- endfor -%}
  {%- elif message['role'] == 'assistant' -%}
    {%- if state.after_tool -%}
      {{- '<｜tool▁outputs▁end｜>' + message['content'] + '<｜end▁of▁sentence｜>' -}}
      {%- set state.after_tool = false -%}
    {%- else -%}
      {{- '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' -}}
    {%- endif -%}
  {%- elif message['role'] == 'tool' -%}
    {%- set state.after_tool = true -%}
    {{- '\n' if state.emitted_output else '<｜tool▁outputs▁begin｜>' -}}
    {%- set state.emitted_output = true -%}
    {{- '<｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>' -}}
  {%- endif -%}
{%- endfor -%}
{%- if state.after_tool -%}
  {{- '<｜tool▁outputs▁end｜>' -}}
{%- elif add_generation_prompt -%}
  {{- '<｜Assistant｜>' -}}
{%- endif -%}
)JINJA";

// DeepSeek-R1 and its distills (the R1-Distill-Llama template): the V3 layout, the last system
// message only, answers stripped of their reasoning, and thinking opened by the prompt.
constexpr const char* kDeepSeekR1 = R"JINJA(
{%- if add_generation_prompt is not defined -%}
  {%- set add_generation_prompt = false -%}
{%- endif -%}
{%- set state = namespace(system='', emitted_call=false, emitted_output=false, after_tool=false) -%}
{%- for message in messages if message['role'] == 'system' -%}
  {%- set state.system = message['content'] -%}
{%- endfor -%}
{%- macro render_call(call) -%}
  {%- set arguments = call['function']['arguments'] -%}
<｜tool▁call▁begin｜>{{ call['type'] }}<｜tool▁sep｜>{{ call['function']['name'] }}
```json
{{ arguments if arguments is string else arguments | tojson }}
```<｜tool▁call▁end｜>
{%- endmacro -%}
{{- bos_token ~ state.system -}}
{%- for message in messages -%}
  {%- if message['role'] == 'user' -%}
    {%- set state.after_tool = false -%}
    {{- '<｜User｜>' + message['content'] -}}
  {%- elif message['role'] == 'assistant' and message['content'] is none -%}
    {%- set state.after_tool = false -%}
    {%- for call in message['tool_calls'] -%}
      {%- if not state.emitted_call -%}
        {{- '<｜Assistant｜><｜tool▁calls▁begin｜>' + render_call(call) -}}
        {%- set state.emitted_call = true -%}
      {%- else -%}
        {{- '\n' + render_call(call) + '<｜tool▁calls▁end｜><｜end▁of▁sentence｜>' -}}
      {%- endif -%}
    {%- endfor -%}
  {%- elif message['role'] == 'assistant' -%}
    {%- if state.after_tool -%}
      {{- '<｜tool▁outputs▁end｜>' + message['content'] + '<｜end▁of▁sentence｜>' -}}
      {%- set state.after_tool = false -%}
    {%- else -%}
      {%- set answer = message['content'].split('</think>') | last -%}
      {{- '<｜Assistant｜>' + answer + '<｜end▁of▁sentence｜>' -}}
    {%- endif -%}
  {%- elif message['role'] == 'tool' -%}
    {%- set state.after_tool = true -%}
    {{- '\n' if state.emitted_output else '<｜tool▁outputs▁begin｜>' -}}
    {%- set state.emitted_output = true -%}
    {{- '<｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>' -}}
  {%- endif -%}
{%- endfor -%}
{%- if state.after_tool -%}
  {{- '<｜tool▁outputs▁end｜>' -}}
{%- elif add_generation_prompt -%}
  {{- '<｜Assistant｜><think>\n' -}}
  {%- if enable_thinking is defined and not enable_thinking -%}
    {{- '</think>' -}}
  {%- endif -%}
{%- endif -%}
)JINJA";

// DeepSeek-V3.1: thinking per turn with <think></think> (off) or <think> (on), tool calls as
// NAME<｜tool▁sep｜>ARGUMENTS, and the text before the first </think> of past answers dropped.
constexpr const char* kDeepSeek31 = R"JINJA(
{%- if add_generation_prompt is not defined -%}
  {%- set add_generation_prompt = false -%}
{%- endif -%}
{%- if thinking is not defined -%}
  {%- set thinking = enable_thinking if enable_thinking is defined else false -%}
{%- endif -%}
{%- set state = namespace(system='', has_system=false, after_user=false, after_tool=false) -%}
{%- for message in messages if message['role'] == 'system' -%}
  {%- set state.system = state.system + ('\n\n' if state.has_system else '') + message['content'] -%}
  {%- set state.has_system = true -%}
{%- endfor -%}
{{- bos_token ~ state.system -}}
{%- for message in messages -%}
  {%- if message['role'] == 'user' -%}
    {%- set state.after_tool = false -%}
    {%- set state.after_user = true -%}
    {{- '<｜User｜>' + message['content'] -}}
  {%- elif message['role'] == 'assistant' and message['tool_calls'] -%}
    {%- if state.after_user -%}
      {{- '<｜Assistant｜><think></think>' -}}
    {%- endif -%}
    {%- set state.after_user = false -%}
    {%- set state.after_tool = false -%}
    {%- for call in message['tool_calls'] -%}
      {%- if loop.first -%}
        {{- (message['content'] if message['content'] else '') + '<｜tool▁calls▁begin｜>' -}}
      {%- endif -%}
      {{- '<｜tool▁call▁begin｜>' + call['function']['name'] + '<｜tool▁sep｜>' + call['function']['arguments'] | tojson + '<｜tool▁call▁end｜>' -}}
    {%- endfor -%}
    {{- '<｜tool▁calls▁end｜><｜end▁of▁sentence｜>' -}}
  {%- elif message['role'] == 'assistant' -%}
    {%- if state.after_user -%}
      {{- '<｜Assistant｜>' + ('<think>' if message['prefix'] is defined and message['prefix'] and thinking else '<think></think>') -}}
    {%- endif -%}
    {%- set state.after_user = false -%}
    {%- if state.after_tool -%}
      {{- message['content'] + '<｜end▁of▁sentence｜>' -}}
      {%- set state.after_tool = false -%}
    {%- else -%}
      {%- set answer = message['content'] -%}
      {%- if '</think>' in answer -%}
        {%- set answer = answer.split('</think>', 1)[1] -%}
      {%- endif -%}
      {{- answer + '<｜end▁of▁sentence｜>' -}}
    {%- endif -%}
  {%- elif message['role'] == 'tool' -%}
    {%- set state.after_user = false -%}
    {%- set state.after_tool = true -%}
    {{- '<｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>' -}}
  {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt and state.after_user and not state.after_tool -%}
  {{- '<｜Assistant｜>' + ('<think>' if thinking else '<think></think>') -}}
{%- endif -%}
)JINJA";

}  // namespace

const std::vector<std::string_view>& BuiltinChatFormatNames() {
  static const std::vector<std::string_view> names = {"deepseek3", "deepseek-r1", "deepseek3.1"};
  return names;
}

const char* BuiltinChatFormatSource(std::string_view name) {
  if (name == "deepseek3") return kDeepSeek3;
  if (name == "deepseek-r1") return kDeepSeekR1;
  if (name == "deepseek3.1") return kDeepSeek31;
  return nullptr;
}

}  // namespace dsinfer::chat
