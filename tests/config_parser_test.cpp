// Tests for the config parser: AST shape of valid configs (compared through a
// compact text dump), exact error positions and messages of invalid ones, and
// the caret rendering of format_error.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/config/ast.h"
#include "engine/config/config_error.h"
#include "engine/config/parser.h"

namespace logpipe::config {
namespace {

// ---- AST dump ----
// Sections:  filter{STMT STMT}      Plugins:  name{attr=VALUE attr=VALUE}
// Values:    "string" 42 1.5 bareword [a, b] {key=value key=value} json{...}
// If:        if COND {..} elif COND {..} else {..}
// Conditions: (L and R)  !X  (L == R)  (L =~ R)  (L in R)  (L not in R)
// Operands:  "s" 1 [sel][ector] /regex/ [1, 2] name(arg, arg)

std::string dump(const AstValue& v);
std::string dump(const AstStatement& s);

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string dump(const AstPlugin& p) {
  std::vector<std::string> attrs;
  for (const AstAttribute& a : p.attributes) attrs.push_back(a.name + "=" + dump(a.value));
  return p.name + "{" + join(attrs, " ") + "}";
}

std::string dump(const AstValue& v) {
  switch (v.kind) {
    case AstValue::Kind::String:
      return "\"" + v.text + "\"";
    case AstValue::Kind::Integer:
      return std::to_string(v.integer);
    case AstValue::Kind::Float:
      EXPECT_EQ(v.number, std::stod(v.text)) << v.text;
      return v.text;
    case AstValue::Kind::Bareword:
      return v.text;
    case AstValue::Kind::Array: {
      std::vector<std::string> parts;
      for (const AstValue& e : v.elements) parts.push_back(dump(e));
      return "[" + join(parts, ", ") + "]";
    }
    case AstValue::Kind::Hash: {
      std::vector<std::string> parts;
      for (const auto& [k, val] : v.entries) parts.push_back(dump(k) + "=" + dump(val));
      return "{" + join(parts, " ") + "}";
    }
    case AstValue::Kind::Plugin:
      EXPECT_EQ(v.text, v.plugin->name);
      return dump(*v.plugin);
  }
  return "?";
}

std::string dump(const AstRValue& r) {
  switch (r.kind) {
    case AstRValue::Kind::String:
      return "\"" + r.text + "\"";
    case AstRValue::Kind::Integer:
      return std::to_string(r.integer);
    case AstRValue::Kind::Float:
      return r.text;
    case AstRValue::Kind::Selector:
      return r.text;
    case AstRValue::Kind::Regex:
      return "/" + r.text + "/";
    case AstRValue::Kind::Array:
    case AstRValue::Kind::MethodCall: {
      std::vector<std::string> parts;
      for (const AstRValue& e : r.elements) parts.push_back(dump(e));
      if (r.kind == AstRValue::Kind::Array) return "[" + join(parts, ", ") + "]";
      return r.text + "(" + join(parts, ", ") + ")";
    }
  }
  return "?";
}

std::string dump(const AstExpr& e) {
  switch (e.kind) {
    case AstExpr::Kind::And:
    case AstExpr::Kind::Or:
    case AstExpr::Kind::Xor:
    case AstExpr::Kind::Nand:
      EXPECT_EQ(e.children.size(), 2u);
      return "(" + dump(e.children[0]) + " " + e.op + " " + dump(e.children[1]) + ")";
    case AstExpr::Kind::Not:
      EXPECT_EQ(e.children.size(), 1u);
      return "!" + dump(e.children[0]);
    case AstExpr::Kind::Compare:
    case AstExpr::Kind::Match:
    case AstExpr::Kind::NotMatch:
    case AstExpr::Kind::In:
    case AstExpr::Kind::NotIn:
      EXPECT_EQ(e.operands.size(), 2u);
      return "(" + dump(e.operands[0]) + " " + e.op + " " + dump(e.operands[1]) + ")";
    case AstExpr::Kind::Truthy:
      EXPECT_EQ(e.operands.size(), 1u);
      return dump(e.operands[0]);
  }
  return "?";
}

std::string dump(const std::vector<AstStatement>& body) {
  std::vector<std::string> parts;
  for (const AstStatement& s : body) parts.push_back(dump(s));
  return join(parts, " ");
}

std::string dump(const AstStatement& s) {
  if (s.kind == AstStatement::Kind::Plugin) return dump(*s.plugin);
  const AstIf& node = *s.if_;
  std::string out;
  for (size_t i = 0; i < node.branches.size(); ++i) {
    const AstBranch& b = node.branches[i];
    out += (i ? " elif " : "if ") + dump(b.condition) + " {" + dump(b.body) + "}";
  }
  if (node.has_else) out += " else {" + dump(node.else_body) + "}";
  return out;
}

std::string dump(const AstConfig& cfg) {
  std::vector<std::string> parts;
  for (const AstSection& s : cfg.sections) {
    const char* kind = s.kind == SectionKind::Input    ? "input"
                       : s.kind == SectionKind::Filter ? "filter"
                                                       : "output";
    parts.push_back(std::string(kind) + "{" + dump(s.body) + "}");
  }
  return join(parts, " ");
}

SourceFile src(std::string text, std::string name = "test.conf") {
  return SourceFile{std::move(name), std::move(text)};
}

// ---- valid configs ----

struct ValidCase {
  const char* name;
  const char* config;
  const char* expected;
  bool support_escapes = false;
};
inline void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.name; }

const ValidCase kValid[] = {
    {"empty", "", ""},
    {"only_comments_and_whitespace", "# nothing here\n\n\t \r\n# still nothing", ""},
    {"minimal_plugin", "input { stdin { } }", "input{stdin{}}"},
    {"sections_repeated_any_order", "output { stdout {} } filter {} input {} filter { a {} }",
     "output{stdout{}} filter{} input{} filter{a{}}"},
    {"no_whitespace_needed_around_braces", "filter{mutate{id=>\"x\"}}output{stdout{}}",
     "filter{mutate{id=\"x\"}} output{stdout{}}"},
    {"crlf_and_tabs", "filter {\r\n\tmutate {\r\n\t\tid => \"x\"\r\n\t}\r\n}\r\n",
     "filter{mutate{id=\"x\"}}"},
    {"names_with_digits_hyphens_single_chars",
     "filter { my-plugin_2 { a => 1 some-opt => 2 9lives => 3 } x {} }",
     "filter{my-plugin_2{a=1 some-opt=2 9lives=3} x{}}"},
    {"quoted_plugin_and_attribute_names", "filter { \"my plugin\" { 'the attr' => 1 } }",
     "filter{my plugin{the attr=1}}"},
    {"strings_both_quote_styles", "filter { m { a => \"dq 'x'\" b => 'sq \"y\"' c => \"\" } }",
     "filter{m{a=\"dq 'x'\" b=\"sq \"y\"\" c=\"\"}}"},
    {"multiline_string", "filter { m { a => \"line1\n  line2\" } }",
     "filter{m{a=\"line1\n  line2\"}}"},
    {"backslashes_kept_by_default",
     R"(filter { grok { match => { "message" => "\[%{WORD:w}\] \"q\" \t \\ x" } } })",
     R"(filter{grok{match={"message"="\[%{WORD:w}\] \"q\" \t \\ x"}}})"},
    {"single_quote_escape_kept_by_default", R"(filter { m { a => 'it\'s' b => '\"' } })",
     R"(filter{m{a="it\'s" b="\""}})"},
    {"escapes_processed_when_enabled", R"(filter { m { a => "q\"s\'b\\n\nx\qy" b => 'it\'s' } })",
     "filter{m{a=\"q\"s'b\\n\nx\\qy\" b=\"it's\"}}", true},
    {"integers_and_floats", "filter { m { a => 42 b => -7 c => 3.14 d => -0.5 e => 10.0 } }",
     "filter{m{a=42 b=-7 c=3.14 d=-0.5 e=10.0}}"},
    {"barewords", "output { s { enabled => true codec => json_lines x => _a y => A1 } }",
     "output{s{enabled=true codec=json_lines x=_a y=A1}}"},
    {"arrays_of_every_kind",
     "filter { m { tags => [\"a\", 'b', 1, 2.5, foo, [x1, \"y\"], [], {k1 => 1}] } }",
     "filter{m{tags=[\"a\", \"b\", 1, 2.5, foo, [x1, \"y\"], [], {k1=1}]}}"},
    {"array_with_comments_and_newlines",
     "filter { m { tags => [ # first\n  \"a\" # after a\n  , # comma\n  \"b\"\n] } }",
     "filter{m{tags=[\"a\", \"b\"]}}"},
    {"hash_keys_of_every_kind",
     "filter { m { h => { \"a\" => \"b\" foo => 1 2 => bar -1.5 => 'x' } } }",
     "filter{m{h={\"a\"=\"b\" foo=1 2=bar -1.5=\"x\"}}}"},
    {"hash_nested_and_empty", "filter { m { h => { \"a\" => { \"b\" => [1, {}] } \"c\" => {} } } }",
     "filter{m{h={\"a\"={\"b\"=[1, {}]} \"c\"={}}}}"},
    {"hash_same_key_different_quotes_allowed", "filter { m { h => { \"a\" => 1 'a' => 2 } } }",
     "filter{m{h={\"a\"=1 \"a\"=2}}}"},
    {"hash_multiline_with_comments",
     "filter {\n  mutate {\n    convert => {\n      # types\n      \"a\" => \"integer\" # int\n"
     "      \"b\" => \"float\"\n    }\n  }\n}\n",
     "filter{mutate{convert={\"a\"=\"integer\" \"b\"=\"float\"}}}"},
    {"plugin_valued_codec", "input { tcp { codec => json { charset => \"UTF-8\" } port => 1 } }",
     "input{tcp{codec=json{charset=\"UTF-8\"} port=1}}"},
    {"plugin_valued_codec_brace_on_next_line", "input { tcp { codec => json # c\n {\n } } }",
     "input{tcp{codec=json{}}}"},
    {"plugin_valued_with_quoted_name", "input { tcp { codec => \"json\" {} } }",
     "input{tcp{codec=json{}}}"},
    {"codec_bareword_then_closing_brace", "output { stdout { codec => rubydebug } }",
     "output{stdout{codec=rubydebug}}"},
    {"repeated_attributes_kept_separate",
     "filter { mutate { add_tag => \"a\" add_tag => \"b\" convert => {a1 => 1} convert => {b1 => "
     "2} } }",
     "filter{mutate{add_tag=\"a\" add_tag=\"b\" convert={a1=1} convert={b1=2}}}"},
    {"comments_everywhere",
     "# head\ninput # after section name\n{ # after brace\n  stdin # after name\n  { # open\n"
     "    id # before arrow\n    => # after arrow\n    \"x\" # after value\n  } # closed\n"
     "} # end\nfilter {\n  if # c\n  [a] # c\n  == # c\n  1 # c\n  and # c\n  [b] # c\n  { # c\n"
     "  } # c\n  else # c\n  { }\n}\n# trailing comment without newline",
     "input{stdin{id=\"x\"}} filter{if (([a] == 1) and [b]) {} else {}}"},
    {"comment_directly_after_value", "filter { m { a => 1# c\n b => 2 } }", "filter{m{a=1 b=2}}"},
    {"if_compare_string", "filter { if [type] == \"apache\" { grok {} } }",
     "filter{if ([type] == \"apache\") {grok{}}}"},
    {"if_else_if_chain",
     "filter { if [a] { x {} } else if [b] { y {} } else if [c] {} else { z {} } w {} }",
     "filter{if [a] {x{}} elif [b] {y{}} elif [c] {} else {z{}} w{}}"},
    {"elseif_without_space", "filter { if [a] {} elseif [b] {} }", "filter{if [a] {} elif [b] {}}"},
    {"nested_ifs_in_output", "output { if [a] { if [b] { s1 {} } else { if [c] { s2 {} } } } }",
     "output{if [a] {if [b] {s1{}} else {if [c] {s2{}}}}}"},
    {"all_compare_operators",
     "filter { if [a] == 1 and [b] != \"x\" and [c] < 2 and [d] > 3.5 and [e] <= -1 and [f] >= [g] "
     "{} }",
     "filter{if (([a] == 1) and (([b] != \"x\") and (([c] < 2) and (([d] > 3.5) and "
     "(([e] <= -1) and ([f] >= [g])))))) {}}"},
    {"regex_operators", R"(filter { if [m] =~ /^a\/b\d+$/ or [m] !~ "s\d" or "x" =~ /x/ {} })",
     R"(filter{if (([m] =~ /^a\/b\d+$/) or (([m] !~ "s\d") or ("x" =~ /x/))) {}})"},
    {"in_and_not_in",
     "filter { if \"x\" in [tags] and [a] not in [\"b\", \"c\"] and [d] in [x1, 2] {} }",
     "filter{if ((\"x\" in [tags]) and (([a] not in [\"b\", \"c\"]) and ([d] in [\"x1\", 2]))) "
     "{}}"},
    {"not_in_with_comment_between", "filter { if [a] not # c\n in [b] {} }",
     "filter{if ([a] not in [b]) {}}"},
    {"negation", "filter { if !(\"a\" in [tags]) and ! [b] and !([c] or [d]) {} }",
     "filter{if (!(\"a\" in [tags]) and (![b] and !([c] or [d]))) {}}"},
    {"parentheses_group", "filter { if ([a] or [b]) and ([c]) {} }",
     "filter{if (([a] or [b]) and [c]) {}}"},
    {"and_binds_tighter_than_or", "filter { if [a] or [b] and [c] {} if [a] and [b] or [c] {} }",
     "filter{if ([a] or ([b] and [c])) {} if (([a] and [b]) or [c]) {}}"},
    {"shunting_yard_quirk", "filter { if [a] or [b] and [c] and [d] or [e] {} }",
     "filter{if ([a] or ([b] and (([c] and [d]) or [e]))) {}}"},
    {"chains_nest_right", "filter { if [a] and [b] and [c] {} if [a] or [b] or [c] {} }",
     "filter{if ([a] and ([b] and [c])) {} if ([a] or ([b] or [c])) {}}"},
    {"xor_and_nand_alone_or_parenthesised",
     "filter { if [a] xor [b] {} if [a] nand [b] {} if ([a] xor [b]) and ([c] nand [d]) {} }",
     "filter{if ([a] xor [b]) {} if ([a] nand [b]) {} if (([a] xor [b]) and ([c] nand [d])) {}}"},
    {"selectors_with_spaces_and_nesting",
     "filter { if [my field][sub key] and [@metadata][x] and [a-b.c] {} }",
     "filter{if ([my field][sub key] and ([@metadata][x] and [a-b.c])) {}}"},
    {"method_calls", "filter { if f1([a], \"b\", 1) and [x] == len ( [y] ) and now() {} }",
     "filter{if (f1([a], \"b\", 1) and (([x] == len([y])) and now())) {}}"},
    {"no_space_after_if", "filter { if[a]{} if!([a]){} if\"x\"in[a]{} }",
     "filter{if [a] {} if ![a] {} if (\"x\" in [a]) {}}"},
    {"negative_and_float_operands", "filter { if [a] > -1.5 and [b] < -2 {} }",
     "filter{if (([a] > -1.5) and ([b] < -2)) {}}"},
    {"condition_strings_escaped_when_enabled", R"(filter { if [a] == "x\ty" {} })",
     "filter{if ([a] == \"x\ty\") {}}", true},
    {"plugin_names_starting_with_if_or_else", "filter { ifconfig { } if [a] {} elsewhere { } }",
     "filter{ifconfig{} if [a] {} elsewhere{}}"},
    {"conditions_in_input_section", "input { if [a] { stdin {} } }", "input{if [a] {stdin{}}}"},
    {"utf8_in_strings_and_selectors", "filter { if [ünï] == \"é\" { m { a => \"日本\" } } }",
     "filter{if ([ünï] == \"é\") {m{a=\"日本\"}}}"},
    {"utf8_bom_skipped",
     "\xEF\xBB\xBF"
     "filter {}",
     "filter{}"},
};

class ValidConfigTest : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidConfigTest, ParsesToExpectedTree) {
  const ValidCase& c = GetParam();
  ParseOptions opts;
  opts.support_escapes = c.support_escapes;
  try {
    AstConfig cfg = parse_config(src(c.config), opts);
    EXPECT_EQ(dump(cfg), c.expected);
  } catch (const ConfigException& e) {
    FAIL() << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Parser, ValidConfigTest, testing::ValuesIn(kValid),
                         [](const testing::TestParamInfo<ValidCase>& info) {
                           return std::string(info.param.name);
                         });

// ---- invalid configs ----

struct InvalidCase {
  const char* name;
  const char* config;
  int line;
  int column;
  const char* message;  // a substring of the error message
};
inline void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

const InvalidCase kInvalid[] = {
    {"comma_between_attributes",
     "filter {\n  mutate {\n    add_tag => \"a\", remove_tag => \"b\"\n  }\n}\n", 3, 19,
     "unexpected ',' : attributes are separated by whitespace, not commas"},
    {"comma_after_space_between_attributes", "filter { m { a => \"a\" , b => \"b\" } }", 1, 23,
     "attributes are separated by whitespace, not commas"},
    {"missing_arrow", "filter {\n  grok { match { \"message\" => \"x\" } }\n}", 2, 16,
     "expected '=>' after attribute name \"match\""},
    {"unterminated_string", "filter {\n  mutate {\n    add_tag => \"abc\n  }\n}\n", 3, 16,
     "unterminated string starting here"},
    {"string_ending_in_backslash", "input {\n  file { path => \"C:\\logs\\\" }\n}\n", 2, 18,
     "does not end a string"},
    {"unterminated_single_quoted_string", "filter { m { a => 'abc } }", 1, 19,
     "unterminated string starting here"},
    {"unclosed_plugin_at_eof", "filter {\n  mutate {\n    add_tag => \"a\"\n", 2, 3,
     "expected '}' to close plugin \"mutate\" opened at 2:3"},
    {"unclosed_section_at_eof", "filter {\n  mutate {}\n", 1, 1,
     "expected '}' to close section \"filter\" opened at 1:1"},
    {"missing_brace_before_next_plugin",
     "filter {\n  mutate {\n    add_tag => \"a\"\n  grok { }\n}\n", 4, 8,
     "is a '}' missing to close plugin \"mutate\" opened at 2:3?"},
    {"unknown_section", "filters {}", 1, 1, "unknown section 'filters'"},
    {"stray_closing_brace", "filter {}\n}", 2, 1, "unexpected '}'"},
    {"garbage_in_section", "filter { ; }", 1, 10, "expected a plugin name, 'if' or '}'"},
    {"missing_brace_after_plugin_name", "filter { mutate add_tag => 1 }", 1, 17,
     "expected '{' after plugin name \"mutate\""},
    {"single_character_bareword", "filter { m { a => b } }", 1, 19, "too short for a bareword"},
    {"bareword_with_hyphen", "filter { m { x => foo-bar } }", 1, 22,
     "barewords hold only letters, digits and '_'"},
    {"values_not_separated", "filter { m { a => \"x\"b => 1 } }", 1, 22,
     "expected whitespace or '}' after the value of attribute \"a\""},
    {"number_with_dot_only", "filter { m { x => 1. } }", 1, 19, "invalid number"},
    {"number_followed_by_letters", "input { tcp { port => 5044x } }", 1, 27, "after number 5044"},
    {"integer_out_of_range", "filter { m { x => 99999999999999999999 } }", 1, 19, "64-bit range"},
    {"unquoted_env_var", "input { tcp { port => ${PORT} } }", 1, 23,
     "environment variable references must be quoted"},
    {"missing_value", "filter { m { x => } }", 1, 19, "expected a value"},
    {"array_trailing_comma", "filter { m { x => [1, 2, ] } }", 1, 26, "trailing comma"},
    {"array_missing_comma", "filter { m { x => [1 2] } }", 1, 22, "expected ',' or ']'"},
    {"unclosed_array_at_eof", "filter { m { x => [1, 2\n", 1, 19,
     "expected ']' to close array opened at 1:19"},
    {"comma_in_hash", "filter { m { x => { \"a\" => 1, \"b\" => 2 } } }", 1, 29,
     "hash entries are separated by whitespace, not commas"},
    {"duplicate_hash_key",
     "filter {\n  m {\n    x => {\n      \"a\" => 1\n      \"b\" => 2\n      \"a\" => 3\n    }\n  "
     "}\n}\n",
     6, 7, "duplicate key \"a\" in hash (first at 4:7)"},
    {"single_character_hash_key", "filter { m { x => { a => 1 } } }", 1, 21,
     "too short for a bareword"},
    {"hash_missing_arrow", "filter { m { x => { \"a\" \"b\" } } }", 1, 25,
     "expected '=>' after hash key \"a\""},
    {"unclosed_hash_at_eof", "filter { m { x => { \"a\" => 1\n", 1, 19,
     "expected '}' to close hash opened at 1:19"},
    {"single_equals_in_condition", "filter { if [a] = \"b\" {} }", 1, 17, "use '==' to compare"},
    {"xor_after_and", "filter { if [a] and [b] xor [c] {} }", 1, 25,
     "xor/nand cannot be mixed with other boolean operators without parentheses"},
    {"and_after_xor", "filter { if [a] xor [b] and [c] {} }", 1, 25,
     "xor/nand cannot be mixed with other boolean operators"},
    {"nand_after_nand", "filter { if [a] nand [b] nand [c] {} }", 1, 26,
     "xor/nand cannot be mixed"},
    {"negated_comparison", "filter { if ![a] == 1 {} }", 1, 18, "'!' negates only the field"},
    {"negated_string", "filter { if !\"x\" {} }", 1, 14,
     "expected '(' or a field reference such as [field] after '!'"},
    {"regex_operator_with_selector", "filter { if [a] =~ [b] {} }", 1, 20,
     "expected a regular expression (/.../) or a quoted string after '=~'"},
    {"unterminated_regex", "filter { if [a] =~ /abc {} }\n", 1, 20,
     "unterminated regular expression starting here"},
    {"not_in_without_space", "filter { if [a] notin [b] {} }", 1, 17, "write 'not in'"},
    {"not_without_in", "filter { if [a] not [b] {} }", 1, 21, "expected 'in' after 'not'"},
    {"boolean_literal_in_condition", "filter { if [a] == true {} }", 1, 20,
     "conditions have no boolean literals"},
    {"bare_word_in_condition", "filter { if type == \"x\" {} }", 1, 13,
     "a field reference is written in brackets: [type]"},
    {"missing_condition", "filter { if {} }", 1, 13, "expected a condition after 'if'"},
    {"unclosed_parenthesis", "filter { if ([a] or [b] {} }", 1, 25,
     "expected ')' to close '(' opened at 1:13"},
    {"c_style_and", "filter { if [a] && [b] {} }", 1, 17, "the boolean operator is 'and'"},
    {"elsif_is_not_a_keyword", "filter { if [a] {} elsif [b] {} }", 1, 20,
     "'elsif' is not a keyword"},
    {"else_without_if", "filter { m {} else {} }", 1, 15, "'else' without a matching 'if'"},
    {"else_followed_by_garbage", "filter { if [a] {} else [b] {} }", 1, 25,
     "expected '{' or 'if' after 'else'"},
    {"method_call_trailing_comma", "filter { if f1([a],) {} }", 1, 20,
     "expected a method argument"},
    {"hash_inside_condition_array", "filter { if [a] in [{b1 => 1}, 2] {} }", 1, 21,
     "an array in a condition may hold only"},
    {"unclosed_if_block_at_eof", "filter {\n  if [a] {\n    m {}\n", 2, 3,
     "expected '}' to close 'if' block opened at 2:3"},
    {"error_after_multibyte_text", "filter { m { a => \"é\" , } }", 1, 24,
     "attributes are separated by whitespace"},
};

class InvalidConfigTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidConfigTest, ReportsPositionAndMessage) {
  const InvalidCase& c = GetParam();
  try {
    AstConfig cfg = parse_config(src(c.config, "bad.conf"));
    FAIL() << "parsed without error: " << dump(cfg);
  } catch (const ConfigException& e) {
    ASSERT_EQ(e.errors.size(), 1u) << e.what();
    const ConfigError& err = e.errors[0];
    EXPECT_EQ(err.loc.file, "bad.conf");
    EXPECT_EQ(err.loc.line, c.line) << e.what();
    EXPECT_EQ(err.loc.column, c.column) << e.what();
    EXPECT_NE(err.message.find(c.message), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Parser, InvalidConfigTest, testing::ValuesIn(kInvalid),
                         [](const testing::TestParamInfo<InvalidCase>& info) {
                           return std::string(info.param.name);
                         });

// ---- details a table cannot show ----

TEST(ConfigParser, ValueKindsAndFields) {
  AstConfig cfg = parse_config(src("filter { m { i => -12 f => 2.50 w => yes s => 'x' } }"));
  const auto& attrs = cfg.sections.at(0).body.at(0).plugin->attributes;
  ASSERT_EQ(attrs.size(), 4u);
  EXPECT_EQ(attrs[0].value.kind, AstValue::Kind::Integer);
  EXPECT_EQ(attrs[0].value.integer, -12);
  EXPECT_EQ(attrs[0].value.text, "-12");
  EXPECT_EQ(attrs[1].value.kind, AstValue::Kind::Float);
  EXPECT_EQ(attrs[1].value.number, 2.5);
  EXPECT_EQ(attrs[1].value.text, "2.50");
  EXPECT_EQ(attrs[2].value.kind, AstValue::Kind::Bareword);
  EXPECT_EQ(attrs[2].value.text, "yes");
  EXPECT_EQ(attrs[3].value.kind, AstValue::Kind::String);
}

TEST(ConfigParser, EveryEscapeWhenEnabled) {
  ParseOptions opts;
  opts.support_escapes = true;
  AstConfig cfg = parse_config(src(R"(filter { m { a => "1\"2\'3\\4\n5\r6\t7\08\q9" } })"), opts);
  std::string expected = "1\"2'3\\4\n5\r6\t7";
  expected += '\0';
  expected += "8\\q9";
  EXPECT_EQ(cfg.sections[0].body[0].plugin->attributes[0].value.text, expected);
}

TEST(ConfigParser, SelectorVersusArrayInConditions) {
  // Logstash tries a selector first: ["x"] and [1] are field references.
  AstConfig cfg = parse_config(src("filter { if [a] in [\"x\"] and [a] in [1] and [a] in [] {} }"));
  const AstExpr& top = cfg.sections[0].body[0].if_->branches[0].condition;
  const AstRValue& first = top.children[0].operands[1];
  EXPECT_EQ(first.kind, AstRValue::Kind::Selector);
  EXPECT_EQ(first.text, "[\"x\"]");
  const AstExpr& rest = top.children[1];
  EXPECT_EQ(rest.children[0].operands[1].kind, AstRValue::Kind::Selector);
  EXPECT_EQ(rest.children[1].operands[1].kind, AstRValue::Kind::Array);
  EXPECT_TRUE(rest.children[1].operands[1].elements.empty());
}

TEST(ConfigParser, SourceLocations) {
  const char* text =
      "input { stdin {} }\n"
      "filter {\n"
      "  mutate {\n"
      "    add_tag => [\"a\"]\n"
      "  }\n"
      "  if [x] == 1 or [y] {\n"
      "  } else if [z] {\n"
      "  }\n"
      "}\n";
  AstConfig cfg = parse_config(src(text, "p.conf"));
  ASSERT_EQ(cfg.sections.size(), 2u);
  const AstSection& filter = cfg.sections[1];
  EXPECT_EQ(filter.loc.file, "p.conf");
  EXPECT_EQ(filter.loc.line, 2);
  EXPECT_EQ(filter.loc.column, 1);
  const AstPlugin& mutate = *filter.body[0].plugin;
  EXPECT_EQ(mutate.loc.line, 3);
  EXPECT_EQ(mutate.loc.column, 3);
  const AstAttribute& attr = mutate.attributes[0];
  EXPECT_EQ(attr.loc.line, 4);
  EXPECT_EQ(attr.loc.column, 5);
  EXPECT_EQ(attr.value.loc.column, 16);
  EXPECT_EQ(attr.value.elements[0].loc.column, 17);
  const AstIf& node = *filter.body[1].if_;
  EXPECT_EQ(node.loc.line, 6);
  EXPECT_EQ(node.loc.column, 3);
  const AstExpr& cond = node.branches[0].condition;
  EXPECT_EQ(cond.kind, AstExpr::Kind::Or);
  EXPECT_EQ(cond.loc.column, 6);                  // [x]
  EXPECT_EQ(cond.op_loc.column, 15);              // or
  EXPECT_EQ(cond.children[0].op_loc.column, 10);  // ==
  EXPECT_EQ(cond.children[0].operands[1].loc.column, 13);
  ASSERT_EQ(node.branches.size(), 2u);
  EXPECT_EQ(node.branches[1].loc.line, 7);
  EXPECT_EQ(node.branches[1].loc.column, 5);  // else
  EXPECT_FALSE(node.has_else);
}

TEST(ConfigParser, ParseConfigsJoinsSectionsInFileOrder) {
  std::vector<SourceFile> files = {src("input { a1 {} } filter { f1 {} }", "01.conf"),
                                   src("", "02.conf"),
                                   src("filter { f2 {} } output { o1 {} }", "03.conf")};
  AstConfig cfg = parse_configs(files);
  EXPECT_EQ(dump(cfg), "input{a1{}} filter{f1{}} filter{f2{}} output{o1{}}");
  EXPECT_EQ(cfg.sections[2].loc.file, "03.conf");
}

TEST(ConfigParser, ParseConfigsReportsFirstErrorOfEveryFile) {
  std::vector<SourceFile> files = {src("filter { m { a => 1, b => 2 } x => }", "01.conf"),
                                   src("filter { ok {} }", "02.conf"),
                                   src("\noutput { s { a => \"x } }", "03.conf")};
  try {
    parse_configs(files);
    FAIL() << "expected errors";
  } catch (const ConfigException& e) {
    ASSERT_EQ(e.errors.size(), 2u) << e.what();
    EXPECT_EQ(e.errors[0].loc.file, "01.conf");
    EXPECT_EQ(e.errors[0].loc.line, 1);
    EXPECT_EQ(e.errors[0].loc.column, 20);
    EXPECT_EQ(e.errors[1].loc.file, "03.conf");
    EXPECT_EQ(e.errors[1].loc.line, 2);
    EXPECT_EQ(e.errors[1].loc.column, 19);
    std::string what = e.what();
    EXPECT_NE(what.find("01.conf:1:20: "), std::string::npos) << what;
    EXPECT_NE(what.find("03.conf:2:19: unterminated string"), std::string::npos) << what;
  }
}

TEST(ConfigParser, DeepNestingIsAnErrorNotACrash) {
  std::string deep =
      "filter { m { a => " + std::string(5000, '[') + std::string(5000, ']') + " } }";
  try {
    parse_config(src(deep));
    FAIL() << "expected an error";
  } catch (const ConfigException& e) {
    EXPECT_NE(e.errors[0].message.find("nesting too deep"), std::string::npos);
  }
}

// ---- format_error ----

TEST(FormatError, CaretUnderColumnKeepingTabs) {
  std::vector<SourceFile> sources = {
      src("filter {\n\tmutate {\n\t\tadd_tag => \"a\", x => 1\n\t}\n}\n", "pipeline.conf")};
  try {
    parse_config(sources[0]);
    FAIL() << "expected an error";
  } catch (const ConfigException& e) {
    ASSERT_EQ(e.errors.size(), 1u);
    EXPECT_EQ(format_error(e.errors[0], sources),
              "pipeline.conf:3:17: unexpected ',' : attributes are separated by whitespace, not "
              "commas\n"
              "\t\tadd_tag => \"a\", x => 1\n"
              "\t\t              ^");
    EXPECT_EQ(std::string(e.what()), format_error(e.errors[0], sources));
  }
}

TEST(FormatError, CaretAtFirstColumnAndCrlfStripped) {
  ConfigError err{SourceLoc{"a.conf", 2, 1}, "unexpected '}'"};
  std::vector<SourceFile> sources = {src("filter {}\r\n}\r\n", "a.conf")};
  EXPECT_EQ(format_error(err, sources), "a.conf:2:1: unexpected '}'\n}\n^");
}

TEST(FormatError, CaretPastEndOfLine) {
  ConfigError err{SourceLoc{"a.conf", 1, 5}, "x"};
  std::vector<SourceFile> sources = {src("abc", "a.conf")};
  EXPECT_EQ(format_error(err, sources), "a.conf:1:5: x\nabc\n    ^");
}

TEST(FormatError, MultiByteCharactersTakeOneColumn) {
  // "é" is two bytes: the ',' is at byte column 11 but under the 10th character.
  ConfigError err{SourceLoc{"u.conf", 1, 11}, "here"};
  std::vector<SourceFile> sources = {src("a => \"é\" ,", "u.conf")};
  EXPECT_EQ(format_error(err, sources), "u.conf:1:11: here\na => \"é\" ,\n         ^");
}

TEST(FormatError, UnknownSourceGivesOnlyTheHeadline) {
  ConfigError err{SourceLoc{"missing.conf", 3, 4}, "boom"};
  EXPECT_EQ(format_error(err, {}), "missing.conf:3:4: boom");
  std::vector<SourceFile> sources = {src("one line", "missing.conf")};
  EXPECT_EQ(format_error(err, sources), "missing.conf:3:4: boom");
}

TEST(FormatError, ExceptionWithoutSourcesListsHeadlines) {
  ConfigException e(
      {ConfigError{SourceLoc{"a", 1, 2}, "m1"}, ConfigError{SourceLoc{"b", 3, 4}, "m2"}});
  EXPECT_EQ(std::string(e.what()), "a:1:2: m1\nb:3:4: m2");
}

}  // namespace
}  // namespace logpipe::config
