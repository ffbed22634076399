// Jinja constructs rendered against expectations produced by Python jinja2 3.1 configured as
// transformers' apply_chat_template configures it (trim_blocks, lstrip_blocks, loopcontrols,
// tojson = json.dumps). One test per construct family; each case is named after what it shows.
#include <gtest/gtest.h>

#include "chat/jinja/jinja_test_util.h"

namespace dsinfer::jinja {
namespace {

TEST(JinjaWhitespaceTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"trim_blocks_eats_newline_after_block_tag", "{% if true %}\nyes\n{% endif %}\nafter", "",
       "yes\nafter"},
      {"trim_blocks_keeps_newline_after_variable", "{{ 'a' }}\n{{ 'b' }}", "", "a\nb"},
      {"lstrip_blocks_removes_indent_before_block_tag", "  {% if true %}\n  x\n  {% endif %}\n  y",
       "", "  x\n  y"},
      {"lstrip_blocks_keeps_text_before_tag_on_same_line", "a  {% if true %}b{% endif %}", "",
       "a  b"},
      {"lstrip_blocks_applies_to_comments", "line\n    {# note #}\nnext", "", "line\nnext"},
      {"comment_not_at_line_start", "a  {# c #}\n  b", "", "a    b"},
      {"minus_strips_before_and_after", "a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}\n  c", "",
       "abc"},
      {"minus_on_variable_tags", "x \n {{- 'v' -}} \n y", "", "xvy"},
      {"plus_disables_lstrip", "  {%+ if true %}x{% endif %}", "", "  x"},
      {"plus_disables_trim_blocks", "{% if true +%}\nx{% endif %}", "", "\nx"},
      {"trailing_newline_of_template_dropped", "text\n", "", "text"},
      {"only_one_trailing_newline_dropped", "text\n\n", "", "text\n"},
      {"crlf_normalized", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc", "", "a\nb\nc"},
      {"raw_block_is_verbatim", "{% raw %}{{ not evaluated }}{% endraw %}", "",
       "{{ not evaluated }}"},
      {"nested_blocks_indented",
       "{% for i in [1, 2] %}\n    {% if i > 1 %}\n        {{ i }}\n    {% endif %}\n{% endfor "
       "%}\n",
       "", "        2\n"},
      {"variable_then_block_line", "  {{ 'v' }}\n  {% if true %}\n  w\n  {% endif %}", "",
       "  v\n  w\n"},
      {"block_end_minus_eats_all_newlines", "{% if true -%}\n\n\n  x{% endif %}", "", "x"},
      {"comment_with_minus", "a {#- c -#} b", "", "ab"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaConditionalsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"if_elif_else",
       "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %};{% "
       "endfor %}",
       "", "one;two;many;"},
      {"if_undefined_is_false", "{% if missing %}yes{% else %}no{% endif %}", "", "no"},
      {"if_empty_containers_false",
       "{{ 'T' if [] else 'F' }}{{ 'T' if {} else 'F' }}{{ 'T' if '' else 'F' }}{{ 'T' if 0 else "
       "'F' }}{{ 'T' if 0.0 else 'F' }}{{ 'T' if none else 'F' }}",
       "", "FFFFFF"},
      {"ternary_without_else_is_undefined", "[{{ 'a' if false }}]", "", "[]"},
      {"and_or_return_operands",
       "{{ 0 or 'fallback' }} {{ 'x' and 'y' }} {{ none or 0 }} {{ '' and 1 }}", "",
       "fallback y 0 "},
      {"not_precedence_with_is", "{{ not x is defined }} {{ not 1 == 2 }}", "", "True True"},
      {"set_inside_if_is_visible_after", "{% if true %}{% set x = 5 %}{% endif %}{{ x }}", "", "5"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaLoopsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"loop_variables",
       "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ "
       "loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}",
       "", "1032TrueFalse3 2121FalseFalse3 3210FalseTrue3 "},
      {"loop_else_branch_on_empty", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", "",
       "empty"},
      {"loop_else_skipped_when_items", "{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}", "",
       "1"},
      {"break_and_continue",
       "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break "
       "%}{% endif %}{{ x }}{% endfor %}",
       "", "0134"},
      {"iterate_dict_keys", "{% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}", "", "ba"},
      {"iterate_string", "{% for ch in 'héllo' %}{{ ch }}.{% endfor %}", "", "h.é.l.l.o."},
      {"tuple_unpacking_items",
       "{% for k, v in {'x': 1, 'y': [2]}.items() %}{{ k }}={{ v }};{% endfor %}", "",
       "x=1;y=[2];"},
      {"tuple_unpacking_parenthesized",
       "{% for (a, b) in [[1, 2], [3, 4]] %}{{ a + b }},{% endfor %}", "", "3,7,"},
      {"loop_filter_condition",
       "{% for x in range(6) if x is odd %}{{ x }}{{ loop.last }} {% endfor %}", "",
       "1False 3False 5True "},
      {"nested_loops_inner_loop_shadows",
       "{% for a in [1, 2] %}{% for b in [1, 2, 3] %}{{ loop.index }}{% endfor %}|{{ loop.index }} "
       "{% endfor %}",
       "", "123|1 123|2 "},
      {"set_in_loop_does_not_leak",
       "{% set x = 0 %}{% for i in [1, 2, 3] %}{{ x }}{% set x = i %}{% endfor %}{{ x }}", "",
       "0000"},
      {"loop_previtem_nextitem",
       "{% for x in [1, 2, 3] %}{{ loop.previtem }}-{{ loop.nextitem }} {% endfor %}", "",
       "-2 1-3 2- "},
      {"loop_cycle", "{% for x in range(4) %}{{ loop.cycle('odd', 'even') }} {% endfor %}", "",
       "odd even odd even "},
      {"iterate_undefined_is_empty", "{% for x in missing %}{{ x }}{% else %}none{% endfor %}", "",
       "none"},
      {"range_forms", "{{ range(3) | list }}{{ range(1, 4) | list }}{{ range(10, 0, -3) | list }}",
       "", "[0, 1, 2][1, 2, 3][10, 7, 4, 1]"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaAssignmentTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"namespace_survives_loop",
       "{% set ns = namespace(count=0, seen='') %}{% for x in ['a', 'b'] %}{% set ns.count = "
       "ns.count + 1 %}{% set ns.seen = ns.seen ~ x %}{% endfor %}{{ ns.count }} {{ ns.seen }}",
       "", "2 ab"},
      {"namespace_new_attribute",
       "{% set ns = namespace() %}{% set ns.value = 'v' %}{{ ns.value }}{{ ns.missing is defined "
       "}}",
       "", "vFalse"},
      {"set_tuple_unpacking", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", "", "12"},
      {"set_block_captures_output", "{% set text %}Hello {{ 'World' }}{% endset %}[{{ text }}]", "",
       "[Hello World]"},
      {"set_block_with_filter", "{% set text | upper %}abc{% endset %}{{ text }}", "", "ABC"},
      {"set_shadows_variable", "{% set name = 'inner' %}{{ name }}", "{\"name\": \"outer\"}",
       "inner"},
      {"variable_overrides_global_function", "{{ range }}", "{\"range\": \"mine\"}", "mine"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaMacrosTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"macro_with_defaults_and_keywords",
       "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ "
       "greet('Ann') }} {{ greet('Bob', greeting='Hi') }} {{ greet(name='Cy') }}",
       "", "Hello, Ann! Hi, Bob! Hello, Cy!"},
      {"macro_missing_argument_is_undefined",
       "{% macro f(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}{{ f(1) }}", "", "[1|]"},
      {"macro_sees_top_level_variables",
       "{% set prefix = '>' %}{% macro f(x) %}{{ prefix }}{{ x }}{{ outer }}{% endmacro %}{{ f(1) "
       "}}",
       "{\"outer\": \"!\"}", ">1!"},
      {"macro_recursion",
       "{% macro count(n) %}{{ n }}{% if n > 0 %}{{ count(n - 1) }}{% endif %}{% endmacro %}{{ "
       "count(3) }}",
       "", "3210"},
      {"macro_result_concatenates",
       "{% macro tag(x) %}<{{ x }}>{% endmacro %}{{ tag('a') + tag('b') }}", "", "<a><b>"},
      {"macro_set_stays_local",
       "{% set x = 1 %}{% macro f() %}{% set x = 2 %}{{ x }}{% endmacro %}{{ f() }}{{ x }}", "",
       "21"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaFiltersTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"trim", "[{{ '  a b \n' | trim }}][{{ 'xxaxx' | trim('x') }}]", "", "[a b][a]"},
      {"length_and_count",
       "{{ 'héllo' | length }} {{ [1, 2] | count }} {{ {'a': 1} | length }} {{ missing | length }}",
       "", "5 2 1 0"},
      {"tojson_python_separators", "{{ data | tojson }}",
       "{\"data\": {\"b\": [1, 2.5, \"é\\n\\\"x\\\"\"], \"a\": null, \"c\": true, \"d\": {}}}",
       "{\"b\": [1, 2.5, \"é\\n\\\"x\\\"\"], \"a\": null, \"c\": true, \"d\": {}}"},
      {"tojson_indent_and_sort", "{{ data | tojson(indent=2, sort_keys=true) }}",
       "{\"data\": {\"b\": [1, 2], \"a\": {}}}",
       "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2\n  ]\n}"},
      {"tojson_ensure_ascii_and_separators",
       "{{ data | tojson(ensure_ascii=true, separators=(',', ':')) }}",
       "{\"data\": {\"k\": \"é😀\"}}", "{\"k\":\"\\u00e9\\ud83d\\ude00\"}"},
      {"tojson_string_and_numbers",
       "{{ 'a\"b' | tojson }} {{ 1.0 | tojson }} {{ 1e-7 | tojson }} {{ none | tojson }}", "",
       "\"a\\\"b\" 1.0 1e-07 null"},
      {"string_filter",
       "{{ none | string }}|{{ true | string }}|{{ [1, 'a'] | string }}|{{ missing | string }}|{{ "
       "2.50 | string }}",
       "", "None|True|[1, 'a']||2.5"},
      {"lower_upper_capitalize_title",
       "{{ 'HeLLo' | lower }} {{ 'HeLLo' | upper }} {{ 'hELLO wORLD' | capitalize }} {{ 'hello "
       "big-world' | title }}",
       "", "hello HELLO Hello world Hello Big-World"},
      {"default_filter",
       "{{ missing | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} {{ none "
       "| d('n') }} {{ missing | default }}.",
       "", "d  d None ."},
      {"join_filter",
       "{{ [1, 'a', none] | join(', ') }} {{ 'abc' | join('-') }} {{ users | join('/', "
       "attribute='name') }}",
       "{\"users\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", "1, a, None a-b-c a/b"},
      {"first_last",
       "{{ [1, 2, 3] | first }}{{ [1, 2, 3] | last }}{{ 'xyz' | first }}{{ 'xyz' | last }}[{{ [] | "
       "first }}]",
       "", "13xz[]"},
      {"list_and_items",
       "{{ 'ab' | list }} {{ {'a': 1} | list }} {{ {'a': 1, 'b': [2]} | items | list }}", "",
       "['a', 'b'] ['a'] [('a', 1), ('b', [2])]"},
      {"replace_filter", "{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }}", "",
       "bbb bba"},
      {"safe_is_identity", "{{ '<b>' | safe }}", "", "<b>"},
      {"int_filter",
       "{{ '42' | int }} {{ ' 7 ' | int }} {{ '3.9' | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ "
       "4.7 | int }} {{ true | int }}",
       "", "42 7 3 0 5 4 1"},
      {"float_abs_round",
       "{{ '2.5' | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.2 | "
       "round(0, 'ceil') }}",
       "", "2.5 3 2.57 2.0 4.0"},
      {"map_select_reject",
       "{{ users | map(attribute='name') | join(',') }} {{ [1, 2, 3, 4] | select('odd') | list }} "
       "{{ [1, 2, 3, 4] | reject('odd') | list }} {{ ['A', 'b'] | map('lower') | list }}",
       "{\"users\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", "a,b [1, 3] [2, 4] ['a', 'b']"},
      {"selectattr_rejectattr",
       "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ "
       "msgs | rejectattr('role', 'eq', 'user') | list | length }} {{ msgs | selectattr('content') "
       "| list | length }}",
       "{\"msgs\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", "
       "\"content\": \"\"}, {\"role\": \"user\", \"content\": \"c\"}]}",
       "['a', 'c'] 1 2"},
      {"sort_reverse_unique",
       "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} "
       "{{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }} {{ [1, 2, 1, 3] | unique | list }}",
       "", "[1, 2, 3] ['A', 'b', 'c'] [3, 2, 1] [3, 2, 1] cba [1, 2, 3]"},
      {"sort_by_attribute", "{{ items | sort(attribute='n') | map(attribute='n') | list }}",
       "{\"items\": [{\"n\": 2}, {\"n\": 1}]}", "[1, 2]"},
      {"dictsort_sum_min_max",
       "{{ {'b': 1, 'a': 2} | dictsort }} {{ [1, 2, 3] | sum }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] "
       "| max }}",
       "", "[('a', 2), ('b', 1)] 6 1 3"},
      {"indent_filter", "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}", "",
       "a\n  b\n\n  c|  a\n  b"},
      {"escape_filter", "{{ '<a href=\"x\">&\\'' | e }}", "",
       "&lt;a href=&#34;x&#34;&gt;&amp;&#39;"},
      {"filter_chain_and_block",
       "{{ ' Hi ' | trim | upper | replace('H', 'J') }}{% filter upper %}abc{{ 'd' }}{% endfilter "
       "%}",
       "", "JIABCD"},
      {"attr_filter", "{{ data | attr('items') is defined }}", "{\"data\": {\"a\": 1}}", "True"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaTestsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"defined_undefined_none",
       "{{ x is defined }}{{ missing is defined }}{{ missing is undefined }}{{ n is none }}{{ n is "
       "not none }}{{ missing is none }}",
       "{\"x\": 1, \"n\": null}", "TrueFalseTrueTrueFalseFalse"},
      {"type_tests",
       "{{ 's' is string }}{{ 1 is string }}{{ {} is mapping }}{{ [] is mapping }}{{ 1 is number "
       "}}{{ 1.5 is number }}{{ true is number }}{{ 's' is number }}{{ true is boolean }}{{ 1 is "
       "boolean }}{{ 1 is integer }}{{ 1.0 is float }}",
       "", "TrueFalseTrueFalseTrueTrueTrueFalseTrueFalseTrueTrue"},
      {"container_tests",
       "{{ [] is iterable }}{{ 'x' is iterable }}{{ {} is iterable }}{{ 1 is iterable }}{{ [] is "
       "sequence }}{{ 'x' is sequence }}{{ {} is sequence }}{{ 1 is sequence }}{{ missing is "
       "iterable }}",
       "", "TrueTrueTrueFalseTrueTrueTrueFalseTrue"},
      {"value_tests",
       "{{ 2 is even }}{{ 3 is odd }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(2) }}{{ 'a' is in "
       "'abc' }}{{ 1 is eq 1 }}{{ 1 is ne 1 }}{{ 2 is gt 1 }}{{ 2 is lt 1 }}{{ 'abc' is lower }}{{ "
       "'ABC' is upper }}{{ true is true }}{{ 1 is true }}{{ false is false }}",
       "", "TrueTrueTrueFalseTrueTrueFalseTrueFalseTrueTrueTrueFalseTrue"},
      {"callable_test",
       "{% macro m() %}{% endmacro %}{{ m is callable }}{{ 'x'.upper is callable }}{{ 1 is "
       "callable }}",
       "", "TrueTrueFalse"},
      {"is_not_forms", "{{ 1 is not string }}{{ 'a' is not string }}{{ x is not defined }}", "",
       "TrueFalseTrue"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaOperatorsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"arithmetic",
       "{{ 1 + 2 }} {{ 7 - 10 }} {{ 3 * 4 }} {{ 7 / 2 }} {{ 8 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ "
       "7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1.5 + 1 }} {{ 7.5 // 2 }}",
       "", "3 -3 12 3.5 4.0 3 -4 1 2 1024 0.5 2.5 3.0"},
      {"precedence",
       "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 10 - 2 - 3 }} {{ 'n' "
       "~ 2 * 3 }}",
       "", "7 9 64 4 5 n6"},
      {"string_ops",
       "{{ 'a' + 'b' }} {{ 'ab' * 3 }} {{ 2 * 'x' }} {{ 'n=' ~ 1 ~ none ~ true ~ missing }}", "",
       "ab ababab xx n=1NoneTrue"},
      {"list_ops", "{{ [1] + [2, 3] }} {{ [0] * 3 }}", "", "[1, 2, 3] [0, 0, 0]"},
      {"comparisons",
       "{{ 1 == 1.0 }} {{ 1 != 2 }} {{ 'a' < 'b' }} {{ 2 <= 2 }} {{ 3 > 2 > 1 }} {{ 1 < 2 > 3 }} "
       "{{ [1, 2] < [1, 3] }} {{ true == 1 }} {{ none == none }} {{ missing == missing }}",
       "", "True True True True True False True True True True"},
      {"membership",
       "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }} {{ 3 not "
       "in [1, 2] }} {{ 'x' in missing }}",
       "", "True True True True True False"},
      {"float_formatting",
       "{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ "
       "123456789.125 }} {{ -0.0 }} {{ 2.50 }}",
       "",
       "1.0 0.30000000000000004 1e+20 1e+16 1000000000000000.0 0.0001 1e-05 123456789.125 -0.0 "
       "2.5"},
      {"container_rendering",
       "{{ [1, 'a', none, true, 1.5] }} {{ {'k': 'v', 'n': [1]} }} {{ (1, 2) }} {{ (1,) }} {{ "
       "\"it's\" }} {{ ['it\\'s', 'q\"'] }}",
       "", "[1, 'a', None, True, 1.5] {'k': 'v', 'n': [1]} (1, 2) (1,) it's [\"it's\", 'q\"']"},
      {"unary_minus_and_filters", "{{ -3 | abs }} {{ -(2 + 1) }} {{ +5 }}", "", "3 -3 5"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaSubscriptsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"index_and_negative_index", "{{ items[0] }}{{ items[-1] }}[{{ items[10] }}]{{ 'héllo'[1] }}",
       "{\"items\": [1, 2, 3]}", "13[]é"},
      {"slices",
       "{{ s[1:] }} {{ s[:2] }} {{ s[::-1] }} {{ s[-3:] }} {{ s[::2] }} {{ items[1:] }} {{ "
       "items[::-1] }} {{ 'héllo'[1:3] }}",
       "{\"s\": \"abcdef\", \"items\": [1, 2, 3]}", "bcdef ab fedcba def ace [2, 3] [3, 2, 1] él"},
      {"attribute_and_item_access",
       "{{ m.role }} {{ m['role'] }} {{ m.missing is defined }} {{ m['missing'] is defined }} {{ "
       "m.content is none }}",
       "{\"m\": {\"role\": \"user\", \"content\": null}}", "user user False False True"},
      {"nested_access", "{{ d.a.b[1].c }}", "{\"d\": {\"a\": {\"b\": [0, {\"c\": \"deep\"}]}}}",
       "deep"},
      {"dotted_integer_index", "{{ items.1 }}", "{\"items\": [\"a\", \"b\"]}", "b"},
      {"subscript_of_none_is_undefined", "[{{ d['a']['b'] }}]", "{\"d\": {\"a\": null}}", "[]"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaMethodsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"string_methods",
       "{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith('bc') }}{{ 'abc'.startswith(('x', 'a')) }} "
       "{{ ' a b '.strip() }}|{{ 'xxaxx'.lstrip('x') }}|{{ 'xxaxx'.rstrip('x') }}| {{ "
       "'AbC'.lower() }}{{ 'AbC'.upper() }} {{ 'aXa'.replace('a', 'b') }} {{ 'hello'.find('l') "
       "}}{{ 'hello'.find('z') }}{{ 'héllo'.find('l') }} {{ 'hello world'.title() }} {{ "
       "'ab'.capitalize() }}",
       "", "TrueTrueTrue a b|axx|xxa| abcABC bXb 2-12 Hello World Ab"},
      {"split_methods",
       "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ "
       "'a,b,c'.rsplit(',', 1) }} {{ 'x</think>y</think>z'.split('</think>')[-1] }} {{ ' a b "
       "'.split(none, 1) }}",
       "", "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c'] ['a,b', 'c'] z ['a', 'b ']"},
      {"dict_methods",
       "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys() | list }} {{ "
       "d.values() | list }} {{ d.items() | list }}",
       "{\"d\": {\"a\": 1, \"b\": 2}}", "1 None dflt ['a', 'b'] [1, 2] [('a', 1), ('b', 2)]"},
      {"join_count_splitlines",
       "{{ ', '.join(['a', 'b']) }} {{ 'banana'.count('a') }} {{ 'a\nb\r\nc'.splitlines() }} {{ "
       "[1, 2, 1].count(1) }} {{ [1, 2].index(2) }}",
       "", "a, b 3 ['a', 'b', 'c'] 2 1"},
      {"dict_method_shadows_key", "{{ d.items is callable }} {{ d['items'] }}",
       "{\"d\": {\"items\": \"value\"}}", "True value"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaLiteralsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      {"string_escapes",
       "{{ 'a\\tb\\\\c\\'d' }}|{{ \"q\\\"q\" }}|{{ '\\u00e9\\x41' }}|{{ 'x\\qy' }}|{{ 'a' 'b' }}",
       "", "a\tb\\c'd|q\"q|éA|x\\qy|ab"},
      {"numbers", "{{ 1_000 }} {{ 1.5e3 }} {{ 0.5 }} {{ 42 }}", "", "1000 1500.0 0.5 42"},
      {"bool_none_spellings", "{{ true }}{{ True }}{{ false }}{{ False }}{{ none }}{{ None }}", "",
       "TrueTrueFalseFalseNoneNone"},
      {"list_dict_literals",
       "{{ [1, [2, 3], {'a': 'b'}] }} {{ {'x': 1, 'y': 2}['y'] }} {{ [] }} {{ {} }} {{ [1, 2,] }}",
       "", "[1, [2, 3], {'a': 'b'}] 2 [] {} [1, 2]"},
      {"none_renders_as_None", "{{ none }}|{{ x }}", "{\"x\": null}", "None|None"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

TEST(JinjaGlobalsTest, MatchesJinja2) {
  const RenderCase cases[] = {
      // jinja2: TemplateError: bad role
      {"raise_exception_is_error", "{{ raise_exception('bad role') }}", "", std::nullopt},
      {"namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}", "",
       "12"},
      {"dict_global", "{{ dict(a=1, b='x') }}", "", "{'a': 1, 'b': 'x'}"},
  };
  for (const RenderCase& c : cases) ExpectRender(c);
}

}  // namespace
}  // namespace dsinfer::jinja
