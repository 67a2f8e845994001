// grok filter: every option, the Oniguruma -> RE2 translations and refusals,
// Logstash's store rules and coercions. Configs and events are JSON; the
// built-in pattern set is a small fake one so the tests do not depend on the
// shipped library (tests/grok_conformance_test.cpp covers that).
#include "filters/grok/grok_filter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "tests/subprocess.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

namespace fs = std::filesystem;

const GrokFilter::PatternFiles& fake_builtin() {
  static const GrokFilter::PatternFiles files = {
      {"legacy/base", "# comment\n\nWORD \\b\\w+\\b\nINT (?:[+-]?(?:[0-9]+))\n"
                      "NUMBER (?:[+-]?(?:[0-9]+(?:\\.[0-9]+)?))\nDATA .*?\nGREEDYDATA .*\n"
                      "SPACE \\s*\nFLAVOUR legacy\nHOSTNAME [a-z.]+\n"},
      {"ecs-v1/base", "WORD \\b\\w+\\b\nINT (?:[+-]?(?:[0-9]+))\nFLAVOUR ecs\n"},
  };
  return files;
}

Value json(const std::string& text) {
  Value v;
  std::string error;
  EXPECT_TRUE(parse_json(text, &v, &error)) << error << " in " << text;
  return v;
}

std::unique_ptr<GrokFilter> make_grok(const std::string& config_json) {
  PluginInfo info = grok_filter_info();
  Settings settings;
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  Value config = json(config_json);
  for (auto& [name, value] : config.as_object()) settings.set(name, value);
  PluginEnv env;
  return std::make_unique<GrokFilter>(PluginArgs{info.name, "grok_test", settings, env, nullptr},
                                      fake_builtin());
}

// The OptionError a config is rejected with ("" when it is accepted).
std::string rejection(const std::string& config_json) {
  try {
    make_grok(config_json);
  } catch (const OptionError& e) {
    return e.option + ": " + e.what();
  }
  return "";
}

struct NullContext : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

// Runs the filter on an event made of the given fields; returns the fields.
Value run(GrokFilter& filter, const std::string& fields_json) {
  Event e;
  Value fields = json(fields_json);
  for (auto& [name, value] : fields.as_object()) e.fields().set(name, value);
  NullContext ctx;
  filter.filter(e, ctx);
  Object out = e.fields();
  if (!e.metadata().empty()) out.set("@metadata", Value(e.metadata()));
  return Value(std::move(out));
}

Value run(const std::string& config_json, const std::string& fields_json) {
  return run(*make_grok(config_json), fields_json);
}

bool same(const Value& a, const Value& b) { return testing::same_value(a, b); }

void expect_fields(const std::string& config, const std::string& input, const std::string& want) {
  Value got = run(config, input);
  EXPECT_TRUE(same(got, json(want))) << "config " << config << "\ninput " << input
                                     << "\ngot   " << to_json(got) << "\nwant  " << want;
}

// ------------------------------------------------------------ translations

struct TranslationCase {
  const char* what;
  const char* pattern;  // raw grok expression (JSON-escaped)
  const char* message;  // JSON string
  const char* want;     // the whole resulting event
};

class GrokTranslation : public ::testing::TestWithParam<TranslationCase> {};

TEST_P(GrokTranslation, MeansWhatOnigurumaMeans) {
  const TranslationCase& c = GetParam();
  expect_fields(std::string(R"({"match": {"message": ")") + c.pattern + R"("}})",
                std::string(R"({"message": )") + c.message + "}", c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Oniguruma, GrokTranslation,
    ::testing::Values(
        TranslationCase{"hex digit \\h", "(?<h>\\\\h+)", R"("xyz 0aF9g")",
                        R"({"message": "xyz 0aF9g", "h": "0aF9"})"},
        TranslationCase{"\\h inside a class", "(?<h>[\\\\h-]+)", R"("zz 0a-f z")",
                        R"({"message": "zz 0a-f z", "h": "0a-f"})"},
        TranslationCase{"nested class is a union, [:alnum:] is Unicode", "(?<p>[[[:alnum:]]_/.-]+)",
                        R"("path /opt/Čierný_Peter/.中 x")",
                        R"({"message": "path /opt/Čierný_Peter/.中 x", "p": "path"})"},
        TranslationCase{"nested class with a dash at its end stays literal", "x(?<p>[a[-]]+)",
                        R"("xa-a-b")", R"({"message": "xa-a-b", "p": "a-a-"})"},
        TranslationCase{"(?m) is dot-all", "(?m)(?<all>a.b)", R"("a\nb")",
                        R"({"message": "a\nb", "all": "a\nb"})"},
        TranslationCase{"dot matches newline always", "(?<all>a.*c)", R"("a\nb\nc")",
                        R"({"message": "a\nb\nc", "all": "a\nb\nc"})"},
        TranslationCase{"^ and $ are line anchors", "^(?<w>\\\\w+)$", R"("foo bar\nbaz")",
                        R"({"message": "foo bar\nbaz", "w": "baz"})"},
        TranslationCase{"{,n} is {0,n}", "(?<x>ab{,2})c", R"("abbc")",
                        R"({"message": "abbc", "x": "abb"})"},
        TranslationCase{"stacked quantifier .?* is .*", "a(?<x>.?*)z", R"("abcz")",
                        R"({"message": "abcz", "x": "bc"})"},
        TranslationCase{"\\s includes vertical tab", "a(?<s>\\\\s)b", R"("a\u000bb")",
                        R"({"message": "a\u000bb", "s": "\u000b"})"},
        TranslationCase{"negative lookbehind guard", "(?<![a-z])(?<n>[0-9]{2})", R"("a12 45")",
                        R"({"message": "a12 45", "n": "45"})"},
        TranslationCase{"negative lookahead guard", "(?<n>[0-9]{2})(?![0-9])", R"("123 45")",
                        R"({"message": "123 45", "n": "23"})"},
        TranslationCase{"positive lookbehind guard", "(?<=x)(?<n>[0-9])", R"("a1 x2")",
                        R"({"message": "a1 x2", "n": "2"})"},
        TranslationCase{"two-character lookahead guard (TIME's typo)", "(?!<[0-9])(?<t>[<0-9]+)",
                        R"("<1 9")", R"({"message": "<1 9", "t": "1"})"},
        TranslationCase{"atomic group keeps its meaning", "(?<q>(?>a+)b|a+)", R"("aaa")",
                        R"({"message": "aaa", "q": "aaa"})"},
        TranslationCase{"possessive quantifier", "(?<q>a*+a|b)", R"("aab")",
                        R"({"message": "aab", "q": "b"})"},
        TranslationCase{"counted repetition beyond RE2's cap", "^(?<x>(?:a{1,62}\\\\.){0,63}b)$",
                        R"("aa.a.b")", R"({"message": "aa.a.b", "x": "aa.a.b"})"},
        TranslationCase{"an unknown letter escape is the letter", "(?<q>\\\\q)", R"("q")",
                        R"({"message": "q", "q": "q"})"},
        TranslationCase{"a lone brace is literal", "(?<b>{x})", R"("a{x}")",
                        R"({"message": "a{x}", "b": "{x}"})"},
        TranslationCase{"(?i) case-insensitive", "(?i)(?<w>abc)", R"("xABC")",
                        R"({"message": "xABC", "w": "ABC"})"},
        TranslationCase{"plain groups store nothing", "(a)(?<b>b)", R"("ab")",
                        R"({"message": "ab", "b": "b"})"},
        TranslationCase{"comment group", "a(?#note)(?<b>b)", R"("ab")",
                        R"({"message": "ab", "b": "b"})"}),
    [](const ::testing::TestParamInfo<TranslationCase>& info) {
      return "Case" + std::to_string(info.index);
    });

struct RefusalCase {
  const char* pattern;
  const char* message_part;
};

class GrokRefusal : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(GrokRefusal, NamesPatternConstructAndWhy) {
  const RefusalCase& c = GetParam();
  std::string config = std::string(R"({"match": {"message": ")") + c.pattern +
                       R"("}, "pattern_definitions": {"BAD": ")" + c.pattern + R"("}})";
  std::string why = rejection(config);
  EXPECT_NE(why.find("match: "), std::string::npos) << why;
  EXPECT_NE(why.find(c.message_part), std::string::npos) << why;
  // Through a pattern, the message names the pattern.
  std::string via = rejection(R"({"match": {"message": "%{BAD}"}, "pattern_definitions": {"BAD": ")" +
                              std::string(c.pattern) + R"("}})");
  EXPECT_NE(via.find("pattern %{BAD}"), std::string::npos) << via;
}

INSTANTIATE_TEST_SUITE_P(
    Oniguruma, GrokRefusal,
    ::testing::Values(
        RefusalCase{"(a)\\\\1", "backreference \\1 cannot be used: RE2 has no backreferences"},
        RefusalCase{"(?<x>a)\\\\k<x>", "backreference \\k<name> cannot be used"},
        RefusalCase{"a(?=bc+)", "lookahead (?=bc+) cannot be used: RE2 has no lookaround"},
        RefusalCase{"(?<=a|b)c", "lookbehind (?<=a|b) cannot be used"},
        RefusalCase{"(?x) a b", "(?x) cannot be used"},
        RefusalCase{"\\\\Ga", "\\G cannot be used"},
        RefusalCase{"a\\\\Kb", "\\K cannot be used"},
        RefusalCase{"a\\\\Z", "\\Z cannot be used"},
        RefusalCase{"(?(1)a|b)", "conditional group (?( cannot be used"},
        RefusalCase{"(?~abc)", "absent operator (?~ cannot be used"},
        RefusalCase{"[a-z&&[^aeiou]]", "class intersection && cannot be used"},
        RefusalCase{"[a[^b]]", "negated class nested in a class cannot be used"},
        RefusalCase{"(ab", "an opening ( cannot be used: it is never closed"},
        RefusalCase{"ab)", "a closing ) cannot be used: it has no opening ("},
        RefusalCase{"*a", "quantifier * cannot be used: it has nothing to repeat"},
        RefusalCase{"\\\\g<x>", "subexpression call \\g<name> cannot be used"}),
    [](const ::testing::TestParamInfo<RefusalCase>& info) {
      return "Case" + std::to_string(info.index);
    });

TEST(GrokFilter, UnknownPatternIsRefusedByName) {
  EXPECT_EQ(rejection(R"({"match": {"message": "%{NOPE:x}"}})"),
            "match: grok pattern \"%{NOPE:x}\": expression: pattern %{NOPE} not defined; searched "
            "the built-in patterns (legacy)");
}

TEST(GrokFilter, RecursiveDefinitionIsRefused) {
  std::string why = rejection(R"({"match": {"message": "%{A}"}, "pattern_definitions": {"A": "x%{A}"}})");
  EXPECT_NE(why.find("recursive"), std::string::npos) << why;
}

// ------------------------------------------------------------ expansion

TEST(GrokFilter, ExpansionForms) {
  // %{NAME} stores nothing; :field stores; :int/:float coerce; =regex defines inline.
  expect_fields(R"({"match": {"message": "%{WORD} %{INT:a:int} %{NUMBER:b:float} %{NUMBER:c} %{X:d=x+}"}})",
                R"({"message": "hi 12 3.5 7 xx"})",
                R"({"message": "hi 12 3.5 7 xx", "a": 12, "b": 3.5, "c": "7", "d": "xx"})");
  // Text after the name is ignored (the nagios spec's %{NAME - comment}).
  expect_fields(R"({"match": {"message": "%{INT:n - the number}"}})", R"({"message": "a 5"})",
                R"({"message": "a 5", "n": "5"})");
  // Nested field names, dashes, raw (?<[a][b]>) groups.
  expect_fields(R"({"match": {"message": "%{WORD:[a][b]} (?<[a][c]>\\d+) %{WORD:foo-bar}"}})",
                R"({"message": "x 1 y"})",
                R"({"message": "x 1 y", "a": {"b": "x", "c": "1"}, "foo-bar": "y"})");
}

TEST(GrokFilter, CoercionFollowsRubyToIAndToF) {
  expect_fields(R"j({"match": {"message": "(?<x>\\S+) (?<y>\\S+)", "other": "%{DATA:i:int}$"}, "break_on_match": false})j",
                R"({"message": "a b", "other": "12abc"})",
                R"({"message": "a b", "other": "12abc", "x": "a", "y": "b", "i": 12})");
  expect_fields(R"({"match": {"message": "%{DATA:f:float}$"}})", R"({"message": "1.5e3x"})",
                R"({"message": "1.5e3x", "f": 1500.0})");
  expect_fields(R"({"match": {"message": "%{DATA:f:float}$"}})", R"({"message": "abc"})",
                R"({"message": "abc", "f": 0.0})");
  // Beyond int64 or double (Ruby would make a Bignum or Infinity): the text as
  // captured, as mutate's convert keeps it, not a clamped number (it was 2^63-1).
  expect_fields(R"({"match": {"message": "%{INT:i:int} %{INT:j:int} %{DATA:f:float}$"}})",
                R"({"message": "99999999999999999999 -9223372036854775808 1e999"})",
                R"({"message": "99999999999999999999 -9223372036854775808 1e999", )"
                R"("i": "99999999999999999999", "j": -9223372036854775808, "f": "1e999"})");
  // An empty capture is skipped, but a coerced one is a number (Ruby "".to_i is 0)...
  expect_fields(R"({"match": {"message": "^x(?<s>y?)%{DATA:n:int}$"}})", R"({"message": "x"})",
                R"({"message": "x", "n": 0})");
  // ...and a group that took no part stays nil, so it is skipped.
  expect_fields(R"({"match": {"message": "^x(?:%{INT:n:int})?$"}})", R"({"message": "x"})",
                R"({"message": "x"})");
  // Same when the capture goes to the matched field itself (the copying path).
  expect_fields(R"({"match": {"message": "^x%{DATA:message:int}$"}})", R"({"message": "x"})",
                R"({"message": ["x", 0]})");
}

TEST(GrokFilter, DuplicateNamesCollectIntoAnArray) {
  expect_fields(R"({"match": {"message": "%{WORD:w} %{WORD:w}"}})", R"({"message": "a b"})",
                R"({"message": "a b", "w": ["a", "b"]})");
  // Only the side that matched is stored.
  expect_fields(R"({"match": {"message": "%{INT:foo}|%{WORD:foo}"}})", R"({"message": "hello"})",
                R"({"message": "hello", "foo": "hello"})");
}

// ------------------------------------------------------------ store rules

TEST(GrokFilter, StoreRulesForExistingFields) {
  std::string config = R"({"match": {"message": "%{WORD:f}"}})";
  expect_fields(config, R"({"message": "new", "f": "old"})", R"({"message": "new", "f": ["old", "new"]})");
  expect_fields(config, R"({"message": "new", "f": ["a"]})", R"({"message": "new", "f": ["a", "new"]})");
  expect_fields(config, R"({"message": "new", "f": 5})", R"({"message": "new", "f": 5})");
  expect_fields(config, R"({"message": "new", "f": {"k": 1}})", R"({"message": "new", "f": {"k": 1}})");
  expect_fields(config, R"({"message": "new", "f": null})", R"({"message": "new", "f": "new"})");
  // Capturing into the source field itself.
  expect_fields(R"({"match": {"message": "%{WORD} %{WORD:message}"}})", R"({"message": "a b"})",
                R"({"message": ["a b", "b"]})");
}

TEST(GrokFilter, OverwriteReplaces) {
  expect_fields(R"({"match": {"message": "%{WORD} %{GREEDYDATA:message}"}, "overwrite": ["message"]})",
                R"({"message": "a rest of it"})", R"({"message": "rest of it"})");
  expect_fields(R"({"match": {"message": "%{WORD:f}"}, "overwrite": ["f"]})",
                R"({"message": "x", "f": 5})", R"({"message": "x", "f": "x"})");
}

TEST(GrokFilter, Target) {
  expect_fields(R"({"match": {"message": "%{WORD:w} %{INT:[n][v]}"}, "target": "grok"})",
                R"({"message": "a 1"})", R"({"message": "a 1", "grok": {"w": "a", "n": {"v": "1"}}})");
  expect_fields(R"({"match": {"message": "%{WORD:w}"}, "target": "[@metadata][g]"})",
                R"({"message": "a"})", R"({"message": "a", "@metadata": {"g": {"w": "a"}}})");
}

TEST(GrokFilter, KeepEmptyCaptures) {
  std::string pattern = R"j("1=%{WORD:foo1} *(2=%{WORD:foo2})?(?<e>x?)")j";
  expect_fields(R"({"match": {"message": )" + pattern + "}}", R"({"message": "1=test"})",
                R"({"message": "1=test", "foo1": "test"})");
  expect_fields(R"({"match": {"message": )" + pattern + R"(}, "keep_empty_captures": true})",
                R"({"message": "1=test"})",
                R"({"message": "1=test", "foo1": "test", "foo2": null, "e": ""})");
}

TEST(GrokFilter, NamedCapturesOnlyOff) {
  expect_fields(R"({"match": {"message": "Hello %{WORD}. %{WORD:foo}"}, "named_captures_only": false})",
                R"({"message": "Hello World. yo"})",
                R"({"message": "Hello World. yo", "WORD": "World", "foo": "yo"})");
}

// ------------------------------------------------------------ matching flow

TEST(GrokFilter, SearchIsUnanchored) {
  expect_fields(R"({"match": {"message": "%{INT:n}"}})", R"({"message": "abc 42 def"})",
                R"({"message": "abc 42 def", "n": "42"})");
}

TEST(GrokFilter, FailureTagsAndNothingElse) {
  expect_fields(R"({"match": {"message": "^%{INT:n}$"}, "add_tag": ["ok"], "add_field": {"f": "v"}})",
                R"({"message": "abc"})", R"({"message": "abc", "tags": ["_grokparsefailure"]})");
  expect_fields(R"({"match": {"message": "^%{INT:n}$"}, "tag_on_failure": ["a", "b"]})",
                R"({"message": "abc"})", R"({"message": "abc", "tags": ["a", "b"]})");
  expect_fields(R"({"match": {"message": "^%{INT:n}$"}, "tag_on_failure": []})",
                R"({"message": "abc"})", R"({"message": "abc"})");
}

TEST(GrokFilter, CommonOptionsOnlyOnSuccess) {
  expect_fields(R"({"match": {"message": "%{INT:n}"}, "add_tag": ["ok"], "add_field": {"f": "%{n}!"}})",
                R"({"message": "7"})", R"({"message": "7", "n": "7", "f": "7!", "tags": ["ok"]})");
}

TEST(GrokFilter, BreakOnMatch) {
  std::string match = R"("match": {"message": ["%{INT:a}", "%{WORD:b}"], "other": "%{WORD:c}"})";
  expect_fields("{" + match + "}", R"({"message": "x 1", "other": "y"})",
                R"({"message": "x 1", "other": "y", "a": "1"})");
  expect_fields("{" + match + R"(, "break_on_match": false})", R"({"message": "x 1", "other": "y"})",
                R"({"message": "x 1", "other": "y", "a": "1", "b": "x", "c": "y"})");
  // The event matched when any field did, whichever comes last.
  expect_fields(R"({"match": {"message": "%{INT:a}", "other": "%{INT:c}"}, "break_on_match": false, "add_tag": "ok"})",
                R"({"message": "1", "other": "y"})",
                R"({"message": "1", "other": "y", "a": "1", "tags": ["ok"]})");
  expect_fields(R"({"match": {"message": "%{INT:a}", "other": "%{INT:c}"}})",
                R"({"message": "x", "other": "2"})", R"({"message": "x", "other": "2", "c": "2"})");
}

// Several patterns on one field: the result must be what trying each pattern
// alone, in order, gives: with break_on_match the first that matches,
// without it every one that matches, stored in order (short messages too,
// whose text lives inside the field entry while later stores add fields).
TEST(GrokFilter, SeveralPatternsGiveWhatTryingEachInOrderGives) {
  const std::vector<std::string> patterns = {
      "^%{INT:a} apples$",
      "(?<![0-9.])%{NUMBER:price} EUR",  // a guard: RE2 runs a superset
      "%{WORD:w1} %{WORD:w2} %{INT:count}",
      "id=%{INT:id}",
      "(?<tail>x+)$",
  };
  const std::vector<std::string> lines = {
      "12 apples", "pay 3.50 EUR now", "1.2.50 EUR", "red fox 7", "id=42", "xx",
      "", "id=9 12 apples", "12 apples id=3", "nothing here", "a b 3 id=4 xxx", "7 EUR id=1 x"};
  auto quoted = [](const std::string& text) { return to_json(Value(text)); };
  std::string all = "[";
  for (size_t i = 0; i < patterns.size(); ++i) all += (i ? "," : "") + quoted(patterns[i]);
  all += "]";
  for (bool break_on_match : {true, false}) {
    std::string flags = std::string(R"(, "tag_on_failure": [], "break_on_match": )") +
                        (break_on_match ? "true" : "false") + "}";
    auto together = make_grok(R"({"match": {"message": )" + all + "}" + flags);
    std::vector<std::unique_ptr<GrokFilter>> alone;
    for (auto& p : patterns)
      alone.push_back(make_grok(R"({"match": {"message": )" + quoted(p) + "}" + flags));
    for (auto& line : lines) {
      Event want;
      want.fields().set("message", Value(line));
      NullContext ctx;
      for (auto& single : alone) {
        size_t before = want.fields().size();
        single->filter(want, ctx);
        if (break_on_match && want.fields().size() != before) break;
      }
      Value got = run(*together, R"({"message": )" + quoted(line) + "}");
      EXPECT_TRUE(same(got, Value(want.fields())))
          << "line \"" << line << "\" break_on_match " << break_on_match << "\ngot  "
          << to_json(got) << "\nwant " << to_json(Value(want.fields()));
    }
  }
}

TEST(GrokFilter, ArrayValuedAndNonStringSources) {
  expect_fields(R"({"match": {"message": "%{INT:n}"}})", R"({"message": ["a 1", "b", "c 2"]})",
                R"({"message": ["a 1", "b", "c 2"], "n": ["1", "2"]})");
  expect_fields(R"({"match": {"status": "^403$"}, "add_tag": "t"})", R"({"status": 403})",
                R"({"status": 403, "tags": ["t"]})");
  expect_fields(R"({"match": {"version": "^1.0$"}, "add_tag": "t"})", R"({"version": 1.0})",
                R"({"version": 1.0, "tags": ["t"]})");
  // A missing field reads as "" (Ruby nil.to_s).
  expect_fields(R"({"match": {"missing": "^$"}, "add_tag": "t"})", R"({"message": "x"})",
                R"({"message": "x", "tags": ["t"]})");
}

TEST(GrokFilter, InvalidUtf8IsMatchedWithoutHarm) {
  Value got = run(R"({"match": {"message": "%{WORD:a} %{GREEDYDATA:rest}"}})",
                  "{\"message\": \"abc \\ufffd x\"}");
  EXPECT_EQ(got.as_object().find("rest")->as_string(), "\xEF\xBF\xBD x");
  auto filter = make_grok(R"j({"match": {"message": "%{WORD:a} (?<rest>.*)"}})j");
  Event e(std::string("abc \xff\xfe tail"), Timestamp{});
  NullContext ctx;
  filter->filter(e, ctx);
  EXPECT_FALSE(e.has_tag("_grokparsefailure"));
  EXPECT_EQ(e.get_top("a")->as_string(), "abc");
}

// ------------------------------------------------------------ pattern sources

TEST(GrokFilter, EcsCompatibilityPicksTheBuiltinSet) {
  expect_fields(R"j({"match": {"message": "(?<f>%{FLAVOUR})"}})j", R"({"message": "legacy ecs"})",
                R"({"message": "legacy ecs", "f": "legacy"})");
  for (const char* mode : {"v1", "v8"})
    expect_fields(std::string(R"j({"match": {"message": "(?<f>%{FLAVOUR})"}, "ecs_compatibility": ")j") +
                      mode + "\"}",
                  R"({"message": "legacy ecs"})", R"({"message": "legacy ecs", "f": "ecs"})");
}

TEST(GrokFilter, PatternDefinitionsOverrideTheLibrary) {
  expect_fields(R"({"match": {"message": "%{MINE:m} %{WORD:w}"}, "pattern_definitions": {"MINE": "%{INT}-%{INT}", "WORD": "[a-c]+"}})",
                R"({"message": "1-2 abcxyz"})", R"({"message": "1-2 abcxyz", "m": "1-2", "w": "abc"})");
}

TEST(GrokFilter, PatternsDirAndGlob) {
  fs::path dir = fs::temp_directory_path() / ("grok_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.pattern") << "# mine\nMYNUM [0-1]+\n";
  std::ofstream(dir / "b.old") << "MYNUM [2-5]+\n";
  std::string base = R"({"match": {"message": "%{MYNUM:n}"}, "patterns_dir": [")" + dir.string() + "\"]";
  // Every file, sorted: b.old wins.
  expect_fields(base + "}", R"({"message": "0123"})", R"({"message": "0123", "n": "23"})");
  expect_fields(base + R"(, "patterns_files_glob": "*.pattern"})", R"({"message": "0123"})",
                R"({"message": "0123", "n": "01"})");
  // pattern_definitions come after the files.
  expect_fields(base + R"(, "pattern_definitions": {"MYNUM": "3"}})", R"({"message": "0123"})",
                R"({"message": "0123", "n": "3"})");
  fs::remove_all(dir);
}

TEST(GrokFilter, UndefinedPatternNamesWhereItWasSought) {
  fs::path dir = fs::temp_directory_path() / ("grok_missing_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.pattern") << "MYNUM [0-1]+\n";
  std::ofstream(dir / "b.txt") << "OTHER x\n";
  fs::path absent = dir / "absent";
  std::string config = R"({"match": {"message": "%{MYNUM} %{NOPE:x}"}, "patterns_files_glob": "*.pattern", "patterns_dir": [")" +
                       dir.string() + R"(", ")" + absent.string() + "\"]}";
  EXPECT_EQ(rejection(config),
            "match: grok pattern \"%{MYNUM} %{NOPE:x}\": expression: pattern %{NOPE} not defined; searched the "
            "built-in patterns (legacy); patterns_dir " + dir.string() +
                " (1 file matching \"*.pattern\"), " + absent.string() + " (does not exist)");
  // Without patterns_dir only the built-in set is named.
  EXPECT_EQ(rejection(R"({"match": {"message": "%{NOPE}"}, "ecs_compatibility": "v8"})"),
            "match: grok pattern \"%{NOPE}\": expression: pattern %{NOPE} not defined; searched the "
            "built-in "
            "patterns (ecs-v1)");
  fs::remove_all(dir);
}

TEST(GrokFilter, TimeoutOptionsAreAcceptedAndNeverNeeded) {
  // Catastrophic for a backtracking engine; linear for RE2. No match, no hang.
  auto filter = make_grok(R"({"match": {"message": "(.*a){30}"}, "timeout_millis": 100, "timeout_scope": "event", "tag_on_timeout": "slow"})");
  // 29 a's: one short of a match.
  Value got = run(*filter, R"({"message": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"})");
  ASSERT_NE(got.as_object().find("tags"), nullptr);
  EXPECT_TRUE(same(*got.as_object().find("tags"), json(R"(["_grokparsefailure"])")));
  got = run(*filter, R"({"message": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})");
  EXPECT_EQ(got.as_object().find("tags"), nullptr);
}

TEST(GrokFilter, OptionDefaultsAreLogstashs) {
  PluginInfo info = grok_filter_info();
  auto find = [&](const std::string& name) -> const OptionSpec* {
    for (auto& spec : info.options)
      if (spec.name == name) return &spec;
    return nullptr;
  };
  struct Default {
    const char* name;
    const char* json;
  };
  for (auto d : {Default{"match", "{}"}, Default{"break_on_match", "true"},
                 Default{"named_captures_only", "true"}, Default{"keep_empty_captures", "false"},
                 Default{"overwrite", "[]"}, Default{"pattern_definitions", "{}"},
                 Default{"patterns_dir", "[]"}, Default{"patterns_files_glob", "\"*\""},
                 Default{"tag_on_failure", "[\"_grokparsefailure\"]"},
                 Default{"tag_on_timeout", "\"_groktimeout\""}, Default{"timeout_millis", "30000"},
                 Default{"timeout_scope", "\"pattern\""}, Default{"ecs_compatibility", "\"disabled\""}}) {
    const OptionSpec* spec = find(d.name);
    ASSERT_NE(spec, nullptr) << d.name;
    ASSERT_TRUE(spec->default_value.has_value()) << d.name;
    EXPECT_TRUE(same(*spec->default_value, json(d.json))) << d.name;
  }
  ASSERT_NE(find("target"), nullptr);
  EXPECT_FALSE(find("target")->default_value.has_value());
}

// ------------------------------------------------------------ the matcher

TEST(GrokMatcher, ExtractsWithPcreAndAgreesWithRe2) {
  PatternLibrary library;
  library.add("INT", "[0-9]+");
  GrokCompiler compiler(library, true);
  GrokMatcher matcher(compiler.compile("(?<a>%{INT})-(?<b>x)?(?<c>%{INT})"));
  ASSERT_TRUE(matcher.match("zz 12-34"));
  EXPECT_EQ(matcher.groups()[0], "12");
  EXPECT_EQ(matcher.groups()[1].data(), nullptr);  // did not take part
  EXPECT_EQ(matcher.groups()[2], "34");
  EXPECT_FALSE(matcher.match("zz 12"));
  EXPECT_EQ(matcher.stats().pcre + matcher.stats().fallback, 1u);
}

// Both orders of the engines (PCRE2 first on a budget, RE2 first) give the
// same groups, including where guards or over-cap repetitions make PCRE2 the
// judge, and where PCRE2's budget runs out.
TEST(GrokMatcher, BothEngineOrdersAgree) {
  PatternLibrary library;
  library.add("INT", "(?<![0-9])[+-]?[0-9]+(?![0-9])");
  library.add("WORD", "\\b\\w+\\b");
  GrokCompiler compiler(library, true);
  struct Case {
    const char* expression;
    const char* text;
  };
  for (auto c : {Case{"%{INT:a} %{WORD:b}", "x12 ab 34 cd"},
                 Case{"%{WORD:w}=%{INT:n}", "k=1 key=22 z=q"},
                 Case{"^(?<x>(?:a{1,62}\\.){0,63}b)$", "aa.a.b"},
                 Case{"(?<run>(.*a){12})", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"},
                 Case{"(?<run>(.*a){12})x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"},
                 Case{"%{INT:n}", "no digits here"}}) {
    GrokMatcher pcre_first(compiler.compile(c.expression), false);
    GrokMatcher re2_first(compiler.compile(c.expression), true);
    bool a = pcre_first.match(c.text);
    bool b = re2_first.match(c.text);
    ASSERT_EQ(a, b) << c.expression << " on " << c.text;
    if (a) {
      std::vector<std::string> ga(pcre_first.groups().begin(), pcre_first.groups().end());
      std::vector<std::string> gb(re2_first.groups().begin(), re2_first.groups().end());
      EXPECT_EQ(ga, gb) << c.expression << " on " << c.text;
    }
  }
}

// The shipped Apache patterns must fit PCRE2 (64 KB compiled): when PCRE2
// rejects an expression, RE2 extracts every line, about 50 times slower. ECS
// EMAILLOCALPART once wrote its counted class as %{EMAILATOM}{1,62}, a group
// that PCRE2 copied 62 times per part, and COMBINEDAPACHELOG went over.
TEST(GrokMatcher, ShippedApachePatternsExtractWithPcre) {
  const std::string line =
      "10.1.2.3 - jane.doe@example.com [26/Nov/2026:04:01:02 +0000] \"GET /a?b=1 HTTP/1.1\" "
      "200 6438 \"-\" \"curl/8.0\"";
  for (const char* set : {"legacy", "ecs-v1"}) {
    PatternLibrary library;
    library.add_builtin(builtin_pattern_files(), set);
    GrokCompiler compiler(library, true);
    for (const char* expression : {"%{COMBINEDAPACHELOG}", "%{HTTPD_COMMONLOG}"}) {
      GrokMatcher matcher(compiler.compile(expression));
      ASSERT_TRUE(matcher.match(line)) << set << " " << expression;
      EXPECT_EQ(matcher.groups()[2], "jane.doe@example.com") << set << " " << expression;
      EXPECT_EQ(matcher.stats().pcre, 1u) << set << " " << expression;
      EXPECT_EQ(matcher.stats().fallback, 0u) << set << " " << expression;
      EXPECT_EQ(matcher.pcre_error(), "") << set << " " << expression;
    }
  }
}

// An expression PCRE2 cannot hold still matches, through RE2, and says why.
TEST(GrokMatcher, ExpressionTooLargeForPcreIsExtractedByRe2) {
  PatternLibrary library;
  library.add("PART", "[a-c]|[x-z]");
  GrokCompiler compiler(library, true);
  GrokMatcher matcher(compiler.compile("=(?<parts>(?:%{PART}{1,50}\\.){0,19})="));
  EXPECT_NE(matcher.pcre_error(), "");
  ASSERT_TRUE(matcher.match("k =ab.zz.c.= v"));
  EXPECT_EQ(matcher.groups()[0], "ab.zz.c.");
  EXPECT_EQ(matcher.stats().fallback, 1u);
}

// ------------------------------------------------------------ the binary

// Through the real binary (needs grok registered): captures, types, the
// failure tag, and the built-in library compiled into the binary.
TEST(GrokFilterCli, ParsesAndTags) {
  const std::string config = R"(
input { stdin { } }
filter {
  grok { match => { "message" => "^%{WORD:verb} %{INT:code:int}$" } }
  mutate { remove_field => ["@timestamp", "@version", "host", "message"] }
}
output { stdout { codec => json_lines } }
)";
  testing::Subprocess p({LOGPIPE_BINARY, "-w", "1", "-e", config});
  p.write_stdin("GET 200\nnot a match\n");
  p.close_stdin();
  ASSERT_EQ(p.finish(), 0) << p.err();
  EXPECT_EQ(p.out(), "{\"verb\":\"GET\",\"code\":200}\n{\"tags\":[\"_grokparsefailure\"]}\n");
}

TEST(GrokFilterCli, UnknownPatternFailsValidation) {
  const std::string config =
      R"(input { stdin { } } filter { grok { match => { "message" => "%{NOPE:x}" } } } output { stdout { } })";
  testing::Subprocess p({LOGPIPE_BINARY, "-e", config});
  p.close_stdin();
  EXPECT_NE(p.finish(), 0);
  EXPECT_NE(p.err().find("pattern %{NOPE} not defined"), std::string::npos) << p.err();
}

}  // namespace
}  // namespace logpipe

namespace logpipe {
namespace {

// The prefilter: substrings every match contains, checked before any regex
// runs. It only ever rejects lines the regex would reject too.
TEST(GrokMatcherPrefilter, ApacheLineWithoutBracketsIsRejectedUnmatched) {
  PatternLibrary library;
  library.add_builtin(builtin_pattern_files(), "legacy");
  GrokCompiler compiler(library, true);
  GrokMatcher matcher(compiler.compile("%{COMBINEDAPACHELOG}"));
  ASSERT_FALSE(matcher.required_substrings().empty());
  const std::string good =
      "127.0.0.1 - - [01/Dec/2026:09:00:00 +0100] \"GET / HTTP/1.1\" 200 6438 \"-\" \"curl/8.0\"";
  EXPECT_TRUE(matcher.match(good));
  EXPECT_FALSE(matcher.match("127.0.0.1 - - 01/Dec/2026:09:00:00 +0100 GET / HTTP/1.1 200 6438"));
  EXPECT_FALSE(matcher.match("{\"level\":\"error\",\"msg\":\"upstream timed out\"}"));
  EXPECT_EQ(matcher.stats().prefiltered, 2u);
}

TEST(GrokMatcherPrefilter, LettersAndCaseFoldingAreNeverRequired) {
  PatternLibrary library;
  GrokCompiler compiler(library, true);
  GrokMatcher matcher(compiler.compile("(?i)user=(?<u>\\w+) <=> ok"));
  for (const std::string& r : matcher.required_substrings())
    for (char c : r) EXPECT_FALSE(std::isalpha(static_cast<unsigned char>(c))) << r;
  EXPECT_TRUE(matcher.match("USER=bob <=> OK"));
  EXPECT_FALSE(matcher.match("USER=bob <> OK"));
}

// Every line of the golden Apache holdout gets the same answer with the
// prefilter as the regexes alone give (the unfiltered matcher is the
// expression wrapped so that RE2 finds no atom in it).
TEST(GrokMatcherPrefilter, SameAnswersOnTheApacheHoldout) {
  PatternLibrary library;
  library.add_builtin(builtin_pattern_files(), "legacy");
  GrokCompiler compiler(library, true);
  GrokMatcher filtered(compiler.compile("%{COMBINEDAPACHELOG}"));
  GrokMatcher unfiltered(compiler.compile("(?:%{COMBINEDAPACHELOG}|\\A\\z(?:x)?)"));
  ASSERT_TRUE(unfiltered.required_substrings().empty());
  std::ifstream in(std::string(LOGPIPE_SOURCE_DIR) + "/tests/data/golden/apache.log");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_EQ(filtered.match(line), unfiltered.match(line)) << line;
  }
  EXPECT_GT(lines, 800);
}

}  // namespace
}  // namespace logpipe
