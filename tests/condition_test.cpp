// Conditions as a user writes them: config text -> parser -> compiler ->
// Condition::eval on events. Rules: LOGSTASH_CONFIG_FACTS.md §5.
#include "engine/config/condition.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"
#include "engine/text/json_reader.h"

namespace logpipe {
namespace {

using config::ConfigError;
using config::ConfigException;

const std::map<std::string, std::string> kEnv = {
    {"STATUS", "200"}, {"LEVEL", "error"}, {"PAT", "^err"}, {"SUB", "err"}, {"EMPTY", ""}, {"BAD", "("}};

config::CompileOptions options() {
  config::CompileOptions opts;
  opts.env = [](const std::string& name) -> std::optional<std::string> {
    auto it = kEnv.find(name);
    if (it == kEnv.end()) return std::nullopt;
    return it->second;
  };
  return opts;
}

std::shared_ptr<PipelineConfig> compile_text(const std::string& text) {
  config::SourceFile file{"test.conf", text};
  return config::compile(config::parse_config(file), options());
}

// Compiles `filter { if COND { } }` and returns the condition.
std::shared_ptr<const Condition> compile_condition(const std::string& cond) {
  auto cfg = compile_text("filter { if " + cond + " { } }");
  return cfg->filter_graph.at(0).branches.at(0).condition;
}

// The errors compile_text reports (none: empty).
std::vector<ConfigError> errors_of(const std::string& text) {
  try {
    compile_text(text);
  } catch (const ConfigException& e) {
    return e.errors;
  }
  return {};
}

Event event_from_json(const std::string& json) {
  Value v;
  std::string err;
  EXPECT_TRUE(parse_json(json, &v, &err)) << err << " in " << json;
  Event e;
  if (v.is_object()) e.fields() = v.as_object();
  return e;
}

// The event most cases run against.
Event standard_event() {
  Event e = event_from_json(R"({
    "s": "hello world", "s2": "hello", "other": "world", "empty": "", "sfalse": "false",
    "strue": "true", "zero": 0, "i": 200, "i2": 200, "f": 200.0, "fl": 1.5, "neg": -5,
    "s200": "200", "bt": true, "bf": false, "nul": null, "arr": ["a", "b", 200],
    "strs": ["a", "b"], "emptyarr": [], "obj": {"k": "v"}, "emptyobj": {},
    "multi": "first line\nsecond line", "trailing": "abc\n", "path": "/var/log/x",
    "a": {"b": {"c": "deep"}}, "lvl": "error", "lit": "x${LEVEL}", "tags": ["x", "error"]
  })");
  e.set_top("t1", Value(Timestamp{1000}));
  e.set_top("t2", Value(Timestamp{2000}));
  e.set_top("t1b", Value(Timestamp{1000}));
  e.metadata().set("idx", Value("logs"));
  e.metadata().set("n", Value(5));
  return e;
}

struct Case {
  const char* cond;
  bool expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << "if " << c.cond; }

class ConditionOnStandardEvent : public ::testing::TestWithParam<Case> {};

TEST_P(ConditionOnStandardEvent, Evaluates) {
  const Case& c = GetParam();
  std::shared_ptr<const Condition> cond;
  try {
    cond = compile_condition(c.cond);
  } catch (const ConfigException& e) {
    FAIL() << "does not compile: " << e.what();
  }
  ASSERT_NE(cond, nullptr);
  Event e = standard_event();
  EXPECT_EQ(cond->eval(e), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Truthiness, ConditionOnStandardEvent,
    ::testing::Values(Case{"[s]", true}, Case{"[missing]", false}, Case{"[nul]", false},
                      Case{"[bf]", false}, Case{"[bt]", true}, Case{"[empty]", false},
                      Case{"[sfalse]", false}, Case{"[strue]", true}, Case{"[zero]", true},
                      Case{"[neg]", true}, Case{"[arr]", true}, Case{"[obj]", true},
                      // Java's toString of an empty list/map is "[]"/"{}": truthy.
                      Case{"[emptyarr]", true}, Case{"[emptyobj]", true},
                      Case{"[t1]", true}, Case{"[a][b][c]", true}, Case{"[a][b][x]", false},
                      Case{"[arr][0]", true}, Case{"[arr][5]", false},
                      Case{"[@metadata][idx]", true}, Case{"[@metadata]", true}, Case{"[idx]", false},
                      Case{"[@metadata][missing]", false}, Case{"![missing]", true},
                      Case{"![s]", false}, Case{"![bf]", true}, Case{"![empty]", true}));

INSTANTIATE_TEST_SUITE_P(
    Equality, ConditionOnStandardEvent,
    ::testing::Values(
        // field vs constant: Ruby equality after converting the constant.
        Case{"[i] == 200", true}, Case{"[i] == 200.0", true}, Case{"[f] == 200", true},
        Case{"[fl] == 1.5", true}, Case{"[fl] == 1", false}, Case{"[neg] == -5", true},
        Case{"[s200] == 200", false}, Case{"[i] == \"200\"", false},
        Case{"[s200] == \"200\"", true}, Case{"[s] == \"hello world\"", true},
        Case{"[s] == 'hello world'", true}, Case{"[s] == \"Hello world\"", false},
        Case{"[s] == \"hello\"", false}, Case{"[bt] == \"true\"", false},
        Case{"[missing] == \"\"", false}, Case{"[missing] == 0", false},
        Case{"[empty] == \"\"", true}, Case{"[a][b][c] == \"deep\"", true},
        Case{"[@metadata][idx] == \"logs\"", true}, Case{"[@metadata][n] == 5", true},
        Case{"[arr][-1] == 200", true}, Case{"[arr][0] == \"a\"", true},
        // constant on the left
        Case{"\"hello world\" == [s]", true}, Case{"200 == [i]", true},
        Case{"\"200\" == [i]", false},
        // != is the negation of ==
        Case{"[i] != 200", false}, Case{"[i] != 200.0", false}, Case{"[s200] != 200", true},
        Case{"[i] != \"200\"", true}, Case{"[missing] != \"x\"", true},
        Case{"[missing] != \"\"", true}, Case{"[s] != \"hello world\"", false},
        // field vs field compares the stored values
        Case{"[i] == [i2]", true}, Case{"[i] == [f]", true}, Case{"[i] == [s200]", false},
        Case{"[s] == [s2]", false}, Case{"[t1] == [t1b]", true}, Case{"[t1] == [t2]", false},
        Case{"[a][b][c] == [a][b][c]", true}, Case{"[i] != [s200]", true},
        Case{"[i] != [f]", false}, Case{"[s] == [missing]", false},
        Case{"[s] != [missing]", true}));

INSTANTIATE_TEST_SUITE_P(
    Ordering, ConditionOnStandardEvent,
    ::testing::Values(
        Case{"[i] > 100", true}, Case{"[i] > 200", false}, Case{"[i] < 100", false},
        Case{"[i] < 200.5", true}, Case{"[i] >= 200", true}, Case{"[i] >= 200.0", true},
        Case{"[i] <= 200", true}, Case{"[i] <= 199", false}, Case{"[fl] > 1", true},
        Case{"[fl] < 2", true}, Case{"[fl] <= 1.5", true}, Case{"[neg] < 0", true},
        Case{"[neg] > -6", true}, Case{"[neg] >= -5.0", true},
        // strings: byte-wise lexicographic
        Case{"[s] > \"hello\"", true}, Case{"[s] < \"help\"", true},
        Case{"[s2] >= \"hello\"", true}, Case{"[s2] <= \"hello\"", true},
        Case{"[s2] < \"hello\"", false}, Case{"[s2] <= \"hellO\"", false},
        Case{"[s2] > \"hellO\"", true}, Case{"[s200] < \"3\"", true},
        Case{"[s200] > \"1000\"", true},
        // field vs field
        Case{"[i] >= [f]", true}, Case{"[i] > [f]", false}, Case{"[fl] < [i]", true},
        Case{"[s2] < [s]", true}, Case{"[other] > [s]", true},
        Case{"[t1] < [t2]", true}, Case{"[t2] > [t1]", true}, Case{"[t1] <= [t1b]", true},
        Case{"[t1] >= [t2]", false}, Case{"[t1] > [t2]", false}, Case{"[t2] <= [t1]", false},
        // constant on the left
        Case{"100 < [i]", true}, Case{"\"a\" < [s]", true},
        // incompatible types (logpipe: false, never an error), in both directions
        Case{"[s200] > 100", false}, Case{"[s200] <= 100", false},
        Case{"[s200] < 300", false}, Case{"[s200] >= 300", false},
        Case{"[i] < \"300\"", false}, Case{"[i] >= \"1\"", false},
        Case{"[i] > [s200]", false}, Case{"[i] <= [s200]", false},
        Case{"[t1] < \"2030-01-01\"", false}, Case{"[t1] >= \"1970\"", false},
        Case{"[t1] > 0", false}, Case{"[t1] <= 0", false},
        Case{"[bt] > 0", false}, Case{"[bt] <= 0", false},
        Case{"[arr] > 1", false}, Case{"[arr] <= 1", false},
        Case{"[obj] < \"z\"", false}, Case{"[obj] >= \"z\"", false},
        Case{"[missing] < 5", false}, Case{"[missing] >= 5", false},
        Case{"[nul] > 0", false}, Case{"[nul] <= 0", false}));

INSTANTIATE_TEST_SUITE_P(
    Regex, ConditionOnStandardEvent,
    ::testing::Values(
        // unanchored search
        Case{"[s] =~ /world/", true}, Case{"[s] =~ /o w/", true}, Case{"[s] =~ /^world/", false},
        Case{"[s] =~ /^hello/", true}, Case{"[s] =~ /world$/", true},
        Case{"[s] =~ /hello$/", false}, Case{"[s] =~ /HELLO/", false},
        Case{"[s] =~ /(?i)HELLO/", true}, Case{"[s] =~ /l{2}o\\s\\w+/", true},
        Case{"[s] =~ /^hello world$/", true}, Case{"[s] =~ /\\Ahello/", true},
        Case{"[s] =~ /world\\z/", true},
        // The Ruby dialect grok reads (engine/text/ruby_regex.h): \h was a config error.
        Case{"[s] =~ /\\h/", true}, Case{"[s2] =~ /^\\h+$/", false},
        Case{"[s] =~ /^[[:alpha:][:space:]]+$/", true}, Case{"[s] =~ /(?<w>wor)ld/", true},
        Case{"[multi] =~ /(?m)line.second/", true},  // Ruby's m is dot-all, not RE2's m
        // ^ and $ are line anchors; . does not match a newline
        Case{"[multi] =~ /^second/", true}, Case{"[multi] =~ /first line$/", true},
        Case{"[multi] =~ /^first line$/", true}, Case{"[multi] =~ /line$/", true},
        Case{"[multi] =~ /first.second/", false}, Case{"[multi] =~ /line.+line/", false},
        Case{"[multi] =~ /line\\nsecond/", true}, Case{"[multi] =~ /line\\ssecond/", true},
        Case{"[multi] =~ /\\Asecond/", false}, Case{"[multi] =~ /first line\\z/", false},
        Case{"[trailing] =~ /abc$/", true}, Case{"[empty] =~ /^$/", true},
        // a quoted string is compiled as a regex
        Case{"[s] =~ \"wor\"", true}, Case{"[s] =~ \"^w\"", false},
        Case{"[s] =~ 'o.w'", true}, Case{"[s] !~ \"^w\"", true},
        // `\/` inside a regexp literal
        Case{"[path] =~ /^\\/var\\/log\\//", true}, Case{"[path] =~ /\\/tmp/", false},
        // non-string fields never match, so !~ is true for them
        Case{"[i] =~ /200/", false}, Case{"[i] !~ /200/", true}, Case{"[f] =~ /./", false},
        Case{"[missing] =~ /.*/", false}, Case{"[missing] !~ /x/", true},
        Case{"[nul] =~ /.*/", false}, Case{"[nul] !~ /.*/", true},
        Case{"[arr] =~ /a/", false}, Case{"[arr] !~ /a/", true}, Case{"[obj] =~ /v/", false},
        Case{"[bt] =~ /true/", false}, Case{"[t1] =~ /1970/", false},
        Case{"[s] !~ /world/", false}, Case{"[s] !~ /xyz/", true},
        Case{"[a][b][c] =~ /ee/", true}, Case{"[@metadata][idx] =~ /^lo/", true},
        Case{"[arr][0] =~ /^a$/", true},
        // a constant string on the left
        Case{"\"abc\" =~ /b/", true}, Case{"\"abc\" !~ /b/", false},
        Case{"\"abc\" =~ /^b/", false}));

INSTANTIATE_TEST_SUITE_P(
    In, ConditionOnStandardEvent,
    ::testing::Values(
        // field in string constant: a string field contained in the constant
        Case{"[s2] in \"say hello there\"", true}, Case{"[s] in \"hello\"", false},
        Case{"[s2] in \"hello\"", true}, Case{"[empty] in \"abc\"", true},
        Case{"[i] in \"200\"", false}, Case{"[i] in \"x200x\"", false},
        Case{"[missing] in \"abc\"", false}, Case{"[strs] in \"a,b\"", false},
        // field in array literal: string forms equal
        Case{"[s] in [\"x\", \"hello world\"]", true}, Case{"[s] in [\"hello\", \"x\"]", false},
        Case{"[i] in [\"200\", \"x\"]", true}, Case{"[i] in [100, 200]", true},
        Case{"[s200] in [200, 300]", true}, Case{"[f] in [\"200.0\", \"x\"]", true},
        Case{"[f] in [\"200\", \"x\"]", false}, Case{"[fl] in [1.5, 2]", true},
        Case{"[bt] in [\"true\", \"x\"]", true}, Case{"[s] in []", false},
        Case{"[missing] in [\"\", \"x\"]", false}, Case{"[nul] in [\"\", \"x\"]", false},
        Case{"[a][b][c] in [\"deep\", \"x\"]", true},
        // Quirk: a one-element list is read as a selector first, so ["200"] is
        // the field named "200" (with quotes), which is missing here.
        Case{"[i] in [\"200\"]", false}, Case{"[s] in [\"hello world\"]", false},
        Case{"[lvl] in [warn, error]", true},
        // string constant in field: substring of a string, or element of an array
        Case{"\"ell\" in [s]", true}, Case{"\"hello world\" in [s]", true},
        Case{"\"xyz\" in [s]", false}, Case{"\"\" in [s]", true}, Case{"\"a\" in [arr]", true},
        Case{"\"c\" in [arr]", false}, Case{"\"error\" in [tags]", true},
        Case{"\"err\" in [tags]", false}, Case{"\"2\" in [i]", false},
        Case{"\"a\" in [missing]", false}, Case{"\"logs\" in [@metadata][idx]", true},
        Case{"\"v\" in [obj]", false},
        // number constant in field: an array containing it
        Case{"200 in [arr]", true}, Case{"201 in [arr]", false}, Case{"200.0 in [arr]", true},
        Case{"200 in [i]", false}, Case{"200 in [s200]", false}, Case{"2 in [s200]", false},
        Case{"200 in [missing]", false},
        // field in field
        Case{"[s2] in [s]", true}, Case{"[s] in [s2]", false}, Case{"[other] in [s]", true},
        Case{"[s2] in [strs]", false}, Case{"[arr][0] in [strs]", true},
        Case{"[i] in [arr]", true}, Case{"[i] in [i2]", true}, Case{"[i] in [f]", true},
        Case{"[i] in [s200]", false}, Case{"[s200] in [i]", false},
        Case{"[strs] in [arr]", false}, Case{"[strs] in [strs]", false},
        Case{"[obj] in [obj]", false}, Case{"[missing] in [arr]", false},
        Case{"[s] in [missing]", false},
        // constant in constant
        Case{"\"a\" in [\"a\", \"b\"]", true}, Case{"\"c\" in [\"a\", \"b\"]", false},
        Case{"\"ab\" in \"xaby\"", true}, Case{"\"ba\" in \"xaby\"", false},
        Case{"1 in [1, 2]", true}, Case{"3 in [1, 2]", false},
        // not in is the negation of in
        Case{"[s2] not in \"say hello there\"", false}, Case{"[s] not in [\"hello\"]", true},
        Case{"\"a\" not in [arr]", false}, Case{"\"c\" not in [arr]", true},
        Case{"200 not in [arr]", false}, Case{"[missing] not in [arr]", true},
        Case{"[missing] not in \"abc\"", true}, Case{"\"a\" not in [missing]", true},
        Case{"[strs] not in [arr]", true}, Case{"\"c\" not in [\"a\", \"b\"]", true},
        Case{"[i] not in [f]", false}));

INSTANTIATE_TEST_SUITE_P(
    Boolean, ConditionOnStandardEvent,
    ::testing::Values(
        Case{"[s] and [bt]", true}, Case{"[s] and [bf]", false}, Case{"[missing] and [s]", false},
        Case{"[bf] or [s]", true}, Case{"[bf] or [missing]", false},
        Case{"[s] xor [bt]", false}, Case{"[s] xor [bf]", true}, Case{"[bf] xor [s]", true},
        Case{"[bf] xor [missing]", false}, Case{"[s] nand [bt]", false},
        Case{"[s] nand [bf]", true}, Case{"[bf] nand [missing]", true},
        Case{"!([s] == \"x\")", true}, Case{"!([s] and [bf])", true},
        Case{"!([s] or [bf])", false}, Case{"!(![s])", true},
        Case{"([bf] or [s]) and [bt]", true}, Case{"[bf] or ([s] and [bt])", true},
        Case{"([bt] or [bf]) and [bf]", false},
        // and binds tighter than or
        Case{"[bt] or [bf] and [bf]", true}, Case{"[bf] and [bf] or [bt]", true},
        Case{"[bf] and [bt] or [bt] and [bf]", false},
        // xor/nand alone at their level, combined through parentheses
        Case{"([s] xor [bf]) and [bt]", true}, Case{"([s] nand [bt]) or [bf]", false},
        Case{"[s] xor ([bt] and [bf])", true},
        // comparisons as operands
        Case{"[i] == 200 and [s] =~ /world/", true},
        Case{"[i] > 300 or \"a\" in [arr]", true},
        Case{"[i] > 300 or \"c\" in [arr]", false},
        Case{"([i] == 200 and [lvl] == \"error\") and ![missing]", true},
        Case{"[a][b][c] == \"deep\" and [@metadata][n] > 3", true}));

INSTANTIATE_TEST_SUITE_P(
    EnvVars, ConditionOnStandardEvent,
    ::testing::Values(
        // A string operand that is exactly one placeholder is substituted...
        Case{"[s200] == \"${STATUS}\"", true}, Case{"[lvl] == \"${LEVEL}\"", true},
        Case{"\"${LEVEL}\" == [lvl]", true}, Case{"[lvl] == '${LEVEL}'", true},
        Case{"[lvl] == \"${UNSET:error}\"", true}, Case{"[empty] == \"${EMPTY}\"", true},
        Case{"[empty] == \"${UNSET:}\"", true}, Case{"[lvl] =~ \"${PAT}\"", true},
        Case{"\"${SUB}\" in [lvl]", true}, Case{"[lvl] in \"${LEVEL}\"", true},
        // ...a placeholder inside a longer string stays literal...
        Case{"[lit] == \"x${LEVEL}\"", true}, Case{"[lvl] == \"x${LEVEL}\"", false},
        Case{"[lvl] == \"${LEVEL}${LEVEL}\"", false},
        Case{"[lvl] == \"${LEVEL} \"", false},
        // ...and a regexp literal is never substituted (/err/ would match).
        Case{"[lvl] =~ /${SUB}/", false}));

// `A or B and C and D or E` is A or (B and ((C and D) or E)) in Logstash.
TEST(ConditionPrecedence, ShuntingYardQuirkOverAllInputs) {
  auto cond = compile_condition("[a] or [b] and [c] and [d] or [e]");
  bool some_differ_from_textbook = false;
  for (int bits = 0; bits < 32; ++bits) {
    bool a = bits & 1, b = bits & 2, c = bits & 4, d = bits & 8, e = bits & 16;
    Event ev;
    ev.set_top("a", Value(a));
    ev.set_top("b", Value(b));
    ev.set_top("c", Value(c));
    ev.set_top("d", Value(d));
    ev.set_top("e", Value(e));
    bool quirk = a || (b && ((c && d) || e));
    bool textbook = a || (b && c && d) || e;
    if (quirk != textbook) some_differ_from_textbook = true;
    EXPECT_EQ(cond->eval(ev), quirk) << "a=" << a << " b=" << b << " c=" << c << " d=" << d
                                     << " e=" << e;
  }
  EXPECT_TRUE(some_differ_from_textbook);
}

struct ChainCase {
  const char* cond;
  bool (*expected)(bool, bool, bool);
};

void PrintTo(const ChainCase& c, std::ostream* os) { *os << c.cond; }

class ConditionChains : public ::testing::TestWithParam<ChainCase> {};

TEST_P(ConditionChains, OverAllInputs) {
  auto cond = compile_condition(GetParam().cond);
  for (int bits = 0; bits < 8; ++bits) {
    bool a = bits & 1, b = bits & 2, c = bits & 4;
    Event ev;
    // Truthiness through several kinds of values.
    ev.set_top("a", a ? Value("yes") : Value(""));
    ev.set_top("b", b ? Value(0) : Value("false"));
    if (c) ev.set_top("c", Value(true));
    EXPECT_EQ(cond->eval(ev), GetParam().expected(a, b, c))
        << "a=" << a << " b=" << b << " c=" << c;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Simple, ConditionChains,
    ::testing::Values(
        ChainCase{"[a] and [b] or [c]", [](bool a, bool b, bool c) { return (a && b) || c; }},
        ChainCase{"[a] or [b] and [c]", [](bool a, bool b, bool c) { return a || (b && c); }},
        ChainCase{"[a] and [b] and [c]", [](bool a, bool b, bool c) { return a && b && c; }},
        ChainCase{"[a] or [b] or [c]", [](bool a, bool b, bool c) { return a || b || c; }},
        ChainCase{"[a] and ([b] or [c])", [](bool a, bool b, bool c) { return a && (b || c); }},
        ChainCase{"([a] or [b]) and [c]", [](bool a, bool b, bool c) { return (a || b) && c; }},
        ChainCase{"[a] xor [b]", [](bool a, bool b, bool) { return a != b; }},
        ChainCase{"[a] nand [b]", [](bool a, bool b, bool) { return !(a && b); }},
        ChainCase{"!([a] xor [c])", [](bool a, bool, bool c) { return a == c; }},
        ChainCase{"![a] and ![b]", [](bool a, bool b, bool) { return !a && !b; }}));

TEST(ConditionCompile, BranchesKeepTheirOrder) {
  auto cfg = compile_text(
      "filter {\n"
      "  if [a] == 1 { } else if [a] == 2 { } else if [a] == 3 { } else { }\n"
      "}\n");
  ASSERT_EQ(cfg->filter_graph.size(), 1u);
  const auto& node = cfg->filter_graph[0];
  ASSERT_EQ(node.branches.size(), 3u);
  for (int k = 1; k <= 3; ++k) {
    Event ev;
    ev.set_top("a", Value(k));
    for (int b = 0; b < 3; ++b) EXPECT_EQ(node.branches[b].condition->eval(ev), b + 1 == k);
  }
}

TEST(ConditionCompile, NestedIfsInOutputSection) {
  auto cfg = compile_text("output { if [x] { if [y] == \"z\" { } } }");
  ASSERT_EQ(cfg->output_graph.size(), 1u);
  const auto& outer = cfg->output_graph[0];
  ASSERT_EQ(outer.branches.size(), 1u);
  ASSERT_EQ(outer.branches[0].body.size(), 1u);
  const auto& inner = outer.branches[0].body[0];
  ASSERT_EQ(inner.kind, GraphNode::Kind::If);
  Event ev;
  ev.set_top("y", Value("z"));
  EXPECT_FALSE(outer.branches[0].condition->eval(ev));
  EXPECT_TRUE(inner.branches[0].condition->eval(ev));
}

struct ErrorCase {
  const char* what;
  std::string config;
  int line, column;         // where the (first) error must point
  const char* message_has;  // a piece of its message
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.what; }

class ConditionCompileError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConditionCompileError, ReportsWhereAndWhy) {
  const ErrorCase& c = GetParam();
  std::vector<ConfigError> errors = errors_of(c.config);
  ASSERT_FALSE(errors.empty()) << "compiled without error";
  EXPECT_EQ(errors[0].loc.file, "test.conf");
  EXPECT_EQ(errors[0].loc.line, c.line) << errors[0].message;
  EXPECT_EQ(errors[0].loc.column, c.column) << errors[0].message;
  EXPECT_NE(errors[0].message.find(c.message_has), std::string::npos) << errors[0].message;
}

INSTANTIATE_TEST_SUITE_P(
    Conditions, ConditionCompileError,
    ::testing::Values(
        ErrorCase{"unclosed group in a regexp literal", "filter {\n  if [s] =~ /(unclosed/ { }\n}",
                  2, 13, "regular expression"},
        ErrorCase{"stray paren in a regexp literal", "filter {\n  if [s] =~ /a)b/ { }\n}", 2, 13,
                  "regular expression"},
        ErrorCase{"stray paren balanced by a later group", "filter {\n\tif [s] !~ /a)|(b/ { }\n}",
                  2, 12, "regular expression"},
        ErrorCase{"invalid regex in a string", "filter {\n  if [s] =~ \"[z-a]\" { }\n}", 2, 13,
                  "regular expression"},
        ErrorCase{"invalid regex after an else if",
                  "filter {\n  if [s] { } else if [t] =~ /*/ { }\n}", 2, 29,
                  "regular expression"},
        ErrorCase{"invalid regex substituted from ${VAR}",
                  "filter { if [s] =~ \"${BAD}\" { } }", 1, 20, "regular expression"},
        ErrorCase{"method call on the right", "filter {\n  if [s] == length([t]) { }\n}", 2, 13,
                  "method call"},
        ErrorCase{"method call on the left", "filter {\n  if length([t]) > 1 { }\n}", 2, 6,
                  "method call"},
        ErrorCase{"method call alone", "filter { if now() { } }", 1, 13, "method call"},
        ErrorCase{"regexp on the left of ==", "filter {\n  if /abc/ == [s] { }\n}", 2, 6,
                  "regular expression"},
        ErrorCase{"regexp on the right of ==", "filter {\n  if [s] == /abc/ { }\n}", 2, 13,
                  "regular expression"},
        ErrorCase{"regexp on the left of =~", "filter {\n  if /abc/ =~ \"x\" { }\n}", 2, 6,
                  "regular expression"},
        ErrorCase{"regexp in `in`", "filter {\n  if /abc/ in [s] { }\n}", 2, 6,
                  "regular expression"},
        ErrorCase{"unset variable without default", "filter {\n  if [s] == \"${NOPE}\" { }\n}", 2,
                  13, "NOPE"},
        ErrorCase{"condition in the input section", "input {\n  if [s] { }\n}", 2, 3,
                  "input"}));

TEST(ConditionCompileErrors, XorMixedWithAnotherOperatorIsRefused) {
  for (const char* cond : {"[a] xor [b] and [c]", "[a] and [b] xor [c]", "[a] nand [b] or [c]",
                           "[a] xor [b] xor [c]", "[a] or [b] nand [c]"}) {
    EXPECT_THROW(compile_condition(cond), ConfigException) << cond;
  }
}

TEST(ConditionCompileErrors, EveryBadConditionIsReported) {
  std::vector<ConfigError> errors = errors_of(
      "filter {\n"
      "  if [a] =~ /(/ { }\n"
      "  if [b] == xx() { }\n"
      "  if [c] =~ /[/ { } else if [d] =~ /)/ { }\n"
      "}\n");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].loc.line, 2);
  EXPECT_EQ(errors[0].loc.column, 13);
  EXPECT_EQ(errors[1].loc.line, 3);
  EXPECT_EQ(errors[1].loc.column, 13);
  EXPECT_EQ(errors[2].loc.line, 4);
  EXPECT_EQ(errors[2].loc.column, 13);
  EXPECT_EQ(errors[3].loc.line, 4);
  EXPECT_EQ(errors[3].loc.column, 36);
}

TEST(ConditionCompile, RegexIsReportedAsWritten) {
  std::vector<ConfigError> errors = errors_of("filter { if [s] =~ /a(b/ { } }");
  ASSERT_EQ(errors.size(), 1u);
  // The user sees their own pattern, not an internal wrapper around it.
  EXPECT_NE(errors[0].message.find("/a(b/"), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[0].message.find("(?m"), std::string::npos) << errors[0].message;
}

TEST(ConditionCompileRegex, RubyFlagsCanBeTurnedOffInline) {
  // A pattern may carry its own flags; ours (multi-line anchors) must not
  // break them.
  auto cond = compile_condition("[m] =~ /(?s)a.b/");
  Event ev;
  ev.set_top("m", Value("a\nb"));
  EXPECT_TRUE(cond->eval(ev));
}

}  // namespace
}  // namespace logpipe
