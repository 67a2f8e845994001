// mutate filter: every operation, the fixed order of operations, the common
// options on success and tag_on_failure on failure. Configs and events are
// written as JSON; results are compared kind by kind (1 is not 1.0 here).
#include "filters/mutate/mutate_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

Value json(const std::string& text) {
  Value v;
  std::string error;
  EXPECT_TRUE(parse_json(text, &v, &error)) << error << " in " << text;
  return v;
}

// Builds a filter as the engine does: defaults of every option, then the
// given settings (already of the types the engine's coercions produce).
std::unique_ptr<Filter> make_mutate(const std::string& config_json) {
  PluginInfo info = mutate_filter_info();
  Settings settings;
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  Value config = json(config_json);
  for (auto& [name, value] : config.as_object()) settings.set(name, value);
  PluginEnv env;
  return info.make_filter(PluginArgs{info.name, "mutate_test", settings, env, nullptr});
}

class CollectingContext : public FilterContext {
 public:
  void emit(std::unique_ptr<Event> e) override { emitted.push_back(std::move(e)); }
  std::vector<std::unique_ptr<Event>> emitted;
};

Event event_with(const std::string& fields_json) {
  Event e;
  Value fields = json(fields_json);
  for (auto& [name, value] : fields.as_object()) e.fields().set(name, value);
  return e;
}

bool same(const Value& a, const Value& b) { return testing::same_value(a, b); }

std::string show(const Object& fields) { return to_json(Value(fields)); }

struct Case {
  const char* name;
  const char* config;  // mutate settings
  const char* before;  // event fields
  const char* after;   // every field afterwards, tags included
};

void run_cases(const std::vector<Case>& cases) {
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto filter = make_mutate(c.config);
    Event e = event_with(c.before);
    CollectingContext ctx;
    filter->filter(e, ctx);
    Value expected = json(c.after);
    EXPECT_TRUE(same(Value(e.fields()), expected))
        << "got      " << show(e.fields()) << "\nexpected " << c.after;
    EXPECT_TRUE(ctx.emitted.empty());
    EXPECT_FALSE(e.cancelled());
  }
}

TEST(MutateFilterTest, Coerce) {
  run_cases({
      {"null fields get the default, as strings",
       R"({"coerce": {"a": "Hello", "b": 5, "c": false}})",
       R"({"a": null, "b": null, "c": null, "d": 1})",
       R"({"a": "Hello", "b": "5", "c": "false", "d": 1})"},
      {"a field with a value is kept", R"({"coerce": {"a": "dflt"}})", R"({"a": true})", R"({"a": true})"},
      {"a missing field is not created", R"({"coerce": {"a": "dflt"}})", R"({"b": 1})", R"({"b": 1})"},
      {"the default is a sprintf template", R"({"coerce": {"[x][y]": "from %{d}"}})",
       R"({"x": {"y": null}, "d": "src"})", R"({"x": {"y": "from src"}, "d": "src"})"},
  });
}

TEST(MutateFilterTest, Rename) {
  run_cases({
      {"top-level", R"({"rename": {"old": "new"}})", R"({"old": [1], "x": 2})", R"({"new": [1], "x": 2})"},
      {"a missing source is a no-op, not a failure", R"({"rename": {"nosuchfield": "hello"}})",
       R"({"a": 1})", R"({"a": 1})"},
      {"nested to nested", R"({"rename": {"[a][b]": "[c][d]"}})", R"({"a": {"b": 1, "k": 2}})",
       R"({"a": {"k": 2}, "c": {"d": 1}})"},
      {"top-level into a nested field", R"({"rename": {"a": "[a][inner]"}})", R"({"a": "v"})",
       R"({"a": {"inner": "v"}})"},
      {"the destination is replaced", R"({"rename": {"a": "b"}})", R"({"a": 1, "b": 2})", R"({"b": 1})"},
      {"a null value is renamed too", R"({"rename": {"a": "b"}})", R"({"a": null})", R"({"b": null})"},
      {"source name with %{}", R"({"rename": {"field_%{x}": "destination"}})",
       R"({"field_one": "value", "x": "one"})", R"({"destination": "value", "x": "one"})"},
      {"destination name with %{}", R"({"rename": {"origin": "field_%{x}"}})",
       R"({"origin": "value", "x": "one"})", R"({"field_one": "value", "x": "one"})"},
      {"several renames", R"({"rename": {"a": "b", "c": "d"}})", R"({"a": 1, "c": 2})",
       R"({"b": 1, "d": 2})"},
  });
}

TEST(MutateFilterTest, RenameKeepsTheFieldPosition) {
  auto filter = make_mutate(R"({"rename": {"b": "renamed"}})");
  Event e = event_with(R"({"a": 1, "b": 2, "c": 3})");
  CollectingContext ctx;
  filter->filter(e, ctx);
  EXPECT_EQ(show(e.fields()), R"({"a":1,"renamed":2,"c":3})");
}

TEST(MutateFilterTest, UpdateAndReplace) {
  run_cases({
      {"update sets an existing field from a template", R"({"update": {"a": "new %{b}"}})",
       R"({"a": 1, "b": "x"})", R"({"a": "new x", "b": "x"})"},
      {"update leaves a missing field missing", R"({"update": {"nosuchfield": "weee"}})", R"({})",
       R"({})"},
      {"update of a nested field", R"({"update": {"[a][b]": "u"}})", R"({"a": {"b": 1}})",
       R"({"a": {"b": "u"}})"},
      {"update of a null field (it exists)", R"({"update": {"a": "u"}})", R"({"a": null})",
       R"({"a": "u"})"},
      {"replace sets existing and missing fields, in config order",
       R"({"replace": {"a": "v", "[n][m]": "%{a}!"}})", R"({"a": ["who cares"]})",
       R"({"a": "v", "n": {"m": "v!"}})"},
      {"replace with a number value gives a string", R"({"replace": {"a": 5}})", R"({})",
       R"({"a": "5"})"},
      {"a missing field in the template stays as written", R"({"replace": {"a": "%{nope} x"}})",
       R"({})", R"({"a": "%{nope} x"})"},
  });
}

TEST(MutateFilterTest, ReplaceCanWriteMetadata) {
  auto filter = make_mutate(R"({"replace": {"[@metadata][index]": "logs-%{app}"}})");
  Event e = event_with(R"({"app": "web"})");
  CollectingContext ctx;
  filter->filter(e, ctx);
  const Value* v = e.metadata().find("index");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->to_string(), "logs-web");
  EXPECT_EQ(e.fields().size(), 1u);
}

TEST(MutateFilterTest, ConvertInteger) {
  run_cases({
      {"strings, numbers and booleans", R"({"convert": {"v": "integer"}})",
       R"({"v": ["1234", "7890.4", "-7.9", "1,000", "1,234,567.8", " 42 ", "+5", "12abc", "abc", "",
                 "1_000", "1e3", "1.5e3", "-2.5e0", "0x1A", "-0x1a", true, false, 3.99, -2.7, 7, null]})",
       R"({"v": [1234, 7890, -7, 1000, 1234567, 42, 5, 12, 0, 0,
                 1000, 1000, 1500, -2, 26, -26, 1, 0, 3, -2, 7, null]})"},
      {"a single value", R"({"convert": {"v": "integer"}})", R"({"v": "1000"})", R"({"v": 1000})"},
      {"nested field", R"({"convert": {"[foo][bar]": "integer"}})", R"({"foo": {"bar": "1000"}})",
       R"({"foo": {"bar": 1000}})"},
      {"array element by index", R"({"convert": {"[foo][0]": "integer"}})", R"({"foo": ["100", "200"]})",
       R"({"foo": [100, "200"]})"},
      {"a hash is left alone", R"({"convert": {"v": "integer"}})", R"({"v": {"a": "1"}})",
       R"({"v": {"a": "1"}})"},
      {"missing and null fields are left alone", R"({"convert": {"v": "integer", "w": "integer"}})",
       R"({"w": null})", R"({"w": null})"},
      {"the largest and smallest 64-bit values", R"({"convert": {"v": "integer"}})",
       R"({"v": ["9223372036854775807", "-9223372036854775808"]})",
       R"({"v": [9223372036854775807, -9223372036854775808]})"},
  });
}

TEST(MutateFilterTest, ConvertIntegerEu) {
  run_cases({
      {"dot groups, comma decimals", R"({"convert": {"v": "integer_eu"}})",
       R"({"v": ["1.000", "1.234.567,8", "123,4", "42", 3.7, true]})",
       R"({"v": [1000, 1234567, 123, 42, 3, 1]})"},
  });
}

TEST(MutateFilterTest, ConvertFloat) {
  run_cases({
      {"strings, numbers and booleans", R"({"convert": {"v": "float"}})",
       R"({"v": ["3141.5926", "3,141.5926", "3,141", "3141", " 2.5 ", "-1e3", "1_000.5", "0x1A",
                 3.1415926, 3, true, false, null]})",
       R"({"v": [3141.5926, 3141.5926, 3141.0, 3141.0, 2.5, -1000.0, 1000.5, 26.0,
                 3.1415926, 3.0, 1.0, 0.0, null]})"},
      {"a single value", R"({"convert": {"v": "float"}})", R"({"v": "1,000.5"})", R"({"v": 1000.5})"},
  });
}

TEST(MutateFilterTest, ConvertFloatEu) {
  run_cases({
      {"dot groups, comma decimals", R"({"convert": {"v": "float_eu"}})",
       R"({"v": ["3141,5926", "3.141,5926", "3.141", "3141", "1.000,5", 3.5, 3]})",
       R"({"v": [3141.5926, 3141.5926, 3141.0, 3141.0, 1000.5, 3.5, 3.0]})"},
  });
}

TEST(MutateFilterTest, ConvertString) {
  run_cases({
      {"numbers and booleans to strings", R"({"convert": {"v": "string", "w": "string"}})",
       R"({"v": [1234, 1.5, 1.0, -3, true, false, "s"], "w": 1234})",
       R"({"v": ["1234", "1.5", "1.0", "-3", "true", "false", "s"], "w": "1234"})"},
  });
}

TEST(MutateFilterTest, ConvertBoolean) {
  run_cases({
      {"the true and false words, any case", R"({"convert": {"v": "boolean"}})",
       R"({"v": ["true", "false", "True", "FALSE", "1", "0", "yes", "no", "Y", "N", "t", "f",
                 "1.0", "0.0", ""]})",
       R"({"v": [true, false, true, false, true, false, true, false, true, false, true, false,
                 true, false, false]})"},
      {"other strings pass through", R"({"convert": {"v": "boolean"}})",
       R"({"v": ["none of the above", "truely", "2"]})", R"({"v": ["none of the above", "truely", "2"]})"},
      {"numbers: 0 and 1 only", R"({"convert": {"v": "boolean"}})",
       R"({"v": [0, 1, -1, 2, 1.0, 0.0, -1.0, 1.0123, 0.01, true, false]})",
       R"({"v": [false, true, -1, 2, true, false, -1.0, 1.0123, 0.01, true, false]})"},
      {"a hash is left alone", R"({"convert": {"v": "boolean"}})", R"({"v": {"a": 0}})",
       R"({"v": {"a": 0}})"},
      {"a single value", R"({"convert": {"v": "boolean"}})", R"({"v": "yes"})", R"({"v": true})"},
      {"Logstash's regex is line-anchored: any line may match", R"({"convert": {"v": "boolean"}})",
       R"({"v": "noise\ntrue"})", R"({"v": true})"},
  });
}

TEST(MutateFilterTest, ConvertFailuresTagTheEventAndKeepTheValue) {
  run_cases({
      {"float of a word", R"({"convert": {"v": "float"}})", R"({"v": "abc"})",
       R"({"v": "abc", "tags": ["_mutate_error"]})"},
      {"float of an empty string", R"({"convert": {"v": "float"}})", R"({"v": ""})",
       R"({"v": "", "tags": ["_mutate_error"]})"},
      {"float of a number with a trailing dot", R"({"convert": {"v": "float"}})", R"({"v": "1."})",
       R"({"v": "1.", "tags": ["_mutate_error"]})"},
      {"integer of a word with an e (BigDecimal refuses it)", R"({"convert": {"v": "integer"}})",
       R"({"v": "hello"})", R"({"v": "hello", "tags": ["_mutate_error"]})"},
      {"integer beyond 64 bits", R"({"convert": {"v": "integer"}})", R"({"v": "99999999999999999999"})",
       R"({"v": "99999999999999999999", "tags": ["_mutate_error"]})"},
      {"float beyond double (engine/text/ruby_number.h, as grok)", R"({"convert": {"v": "float"}})",
       R"({"v": "1e999"})", R"({"v": "1e999", "tags": ["_mutate_error"]})"},
      {"one bad element leaves the whole array unchanged", R"({"convert": {"v": "float"}})",
       R"({"v": ["1", "x", "2"]})", R"({"v": ["1", "x", "2"], "tags": ["_mutate_error"]})"},
      {"integer of a hash inside an array", R"({"convert": {"v": "integer"}})", R"({"v": ["1", {"a": 1}]})",
       R"({"v": ["1", {"a": 1}], "tags": ["_mutate_error"]})"},
  });
}

TEST(MutateFilterTest, Gsub) {
  run_cases({
      {"literal text", R"({"gsub": ["unicorns", "but extinct", "and common"]})",
       R"({"unicorns": "Magnificient, but extinct, animals"})",
       R"({"unicorns": "Magnificient, and common, animals"})"},
      {"every element of an array of strings; others kept", R"({"gsub": ["v", "-", "_"]})",
       R"({"v": ["a-b-c", 3, "d-e", null]})", R"({"v": ["a_b_c", 3, "d_e", null]})"},
      {"several triples", R"({"gsub": ["colors", "red", "blue", "shapes", "square", "circle"]})",
       R"({"colors": "One red car", "shapes": "Four red squares"})",
       R"({"colors": "One blue car", "shapes": "Four red circles"})"},
      {"regex with an anchor", R"({"gsub": ["colors", "\\d$", "blue"]})", R"({"colors": "red3"})",
       R"({"colors": "redblue"})"},
      // The constructs grok takes, through the same translator (engine/text/ruby_regex.h).
      {"a nested class is a union (was refused)", R"({"gsub": ["v", "[a[0-9]]", "_"]})",
       R"({"v": "a1b"})", R"({"v": "__b"})"},
      {"\\h and a Unicode POSIX class", R"({"gsub": ["v", "\\h+|[[:alpha:]]", "."]})",
       R"({"v": "ff zé"})", R"({"v": ". .."})"},
      {"{,n} and stacked quantifiers", R"({"gsub": ["v", "x{,2}y?*", "-"]})", R"({"v": "xxxyyz"})",
       R"({"v": "---z-"})"},
      {"^ and $ are line anchors, as in Ruby", R"({"gsub": ["v", "^\\w", "#"]})", R"({"v": "ab\ncd"})",
       R"({"v": "#b\n#d"})"},
      {"dot does not match a newline", R"({"gsub": ["v", "a.b", "X"]})", R"({"v": "a\nb axb"})",
       R"({"v": "a\nb X"})"},
      {"Ruby's (?m) lets the dot match newlines", R"({"gsub": ["v", "(?m)a.b", "X"]})", R"({"v": "a\nb"})",
       R"({"v": "X"})"},
      {"a character class", R"({"gsub": ["v", "[\\\\?#-]", "."]})", R"({"v": "a\\b?c#d-e"})",
       R"({"v": "a.b.c.d.e"})"},
      {"numbered groups", R"j({"gsub": ["v", "(\\w+) (\\w+)", "\\2, \\1"]})j", R"({"v": "john smith"})",
       R"({"v": "smith, john"})"},
      {"named groups", R"j({"gsub": ["v", "(?<first>\\w+) (?<last>\\w+)", "\\k<last> \\k<first>"]})j",
       R"({"v": "john smith"})", R"({"v": "smith john"})"},
      {"whole match, before and after", R"({"gsub": ["v", "b", "[\\0\\&|\\`|\\']"]})", R"({"v": "abc"})",
       R"({"v": "a[bb|a|c]c"})"},
      {"a group that did not take part is empty", R"({"gsub": ["v", "(x)?b", "<\\1>"]})", R"({"v": "ab"})",
       R"({"v": "a<>"})"},
      {"escaped backslash in the replacement", R"({"gsub": ["v", "/", "\\\\"]})", R"({"v": "a/b"})",
       R"({"v": "a\\b"})"},
      {"other backslash pairs stay as written", R"({"gsub": ["v", "/", "\\n"]})", R"({"v": "a/b"})",
       R"({"v": "a\\nb"})"},
      {"empty matches, as Ruby", R"({"gsub": ["v", "x*", "-", "w", "b*", "-"]})",
       R"({"v": "abc", "w": "abc"})", R"({"v": "-a-b-c-", "w": "-a--c-"})"},
      {"an empty match steps over a whole UTF-8 character", R"({"gsub": ["v", "x*", "-"]})",
       R"({"v": "é"})", R"({"v": "-é-"})"},
      {"\\h is a hex digit", R"({"gsub": ["v", "0x\\h+", "HEX"]})", R"({"v": "0x1f 0xzz"})",
       R"({"v": "HEX 0xzz"})"},
      {"no match leaves the value", R"({"gsub": ["v", "zzz", "y"]})", R"({"v": "abc"})", R"({"v": "abc"})"},
      {"pattern with %{}", R"({"gsub": ["unicorns", "of type %{unicorn_type}", "green"]})",
       R"({"unicorns": "Unicorns of type blue are common", "unicorn_type": "blue"})",
       R"({"unicorns": "Unicorns green are common", "unicorn_type": "blue"})"},
      {"pattern and replacement with %{}",
       R"({"gsub": ["unicorns2", "of type %{unicorn_color}", "%{unicorn_color} and green"]})",
       R"({"unicorns2": "Unicorns of type blue are common", "unicorn_color": "blue"})",
       R"({"unicorns2": "Unicorns blue and green are common", "unicorn_color": "blue"})"},
      {"array with a pattern with %{}", R"({"gsub": ["arr", "of type %{color}", "blue and green"]})",
       R"({"arr": ["Unicorns of type blue are found in Alaska", "Unicorns of type blue are extinct"],
           "color": "blue"})",
       R"({"arr": ["Unicorns blue and green are found in Alaska", "Unicorns blue and green are extinct"],
           "color": "blue"})"},
      {"non-string and missing fields are skipped", R"({"gsub": ["n", "1", "2", "missing", "a", "b"]})",
       R"({"n": 1, "h": {"a": "1"}})", R"({"n": 1, "h": {"a": "1"}})"},
      {"nested field", R"({"gsub": ["[a][b]", "o", "0"]})", R"({"a": {"b": "foo"}})",
       R"({"a": {"b": "f00"}})"},
      {"a pattern that formats to an invalid regex fails", R"({"gsub": ["v", "%{p}", "x"]})",
       R"({"v": "abc", "p": "("})", R"({"v": "abc", "p": "(", "tags": ["_mutate_error"]})"},
  });
}

TEST(MutateFilterTest, GsubReusesADynamicPatternAcrossEvents) {
  auto filter = make_mutate(R"({"gsub": ["v", "%{p}", "_"]})");
  CollectingContext ctx;
  const char* events[][2] = {{R"({"v": "a-b", "p": "-"})", "a_b"},
                             {R"({"v": "a-b", "p": "-"})", "a_b"},
                             {R"({"v": "a+b", "p": "\\+"})", "a_b"},
                             {R"({"v": "a-b", "p": "-"})", "a_b"}};
  for (auto& [fields, expected] : events) {
    Event e = event_with(fields);
    filter->filter(e, ctx);
    EXPECT_EQ(e.get_top("v")->to_string(), expected) << fields;
  }
}

TEST(MutateFilterTest, Case) {
  run_cases({
      {"uppercase, lowercase, capitalize",
       R"({"uppercase": ["upperme", "Upperme", "upperMe"], "lowercase": ["lowerme", "Lowerme", "lowerMe"],
           "capitalize": ["capme", "Capme", "capMe"]})",
       R"({"upperme": "EXAMPLE", "Upperme": "ExAmPlE", "upperMe": ["ExAmPlE", "EXAMPLE"],
           "lowerme": "example", "Lowerme": "ExAmPlE", "lowerMe": ["ExAmPlE", "example"],
           "capme": "Example", "Capme": "ExAmPlE", "capMe": ["ExAmPlE", "hELLO wORLD"]})",
       R"({"upperme": "EXAMPLE", "Upperme": "EXAMPLE", "upperMe": ["EXAMPLE", "EXAMPLE"],
           "lowerme": "example", "Lowerme": "example", "lowerMe": ["example", "example"],
           "capme": "Example", "Capme": "Example", "capMe": ["Example", "Hello world"]})"},
      {"only string elements change", R"({"uppercase": ["u"], "capitalize": ["c"], "lowercase": ["l"]})",
       R"({"u": ["a", 2, "C"], "c": ["ab", 2, "CDE"], "l": ["a", 2, "C"]})",
       R"({"u": ["A", 2, "C"], "c": ["Ab", 2, "Cde"], "l": ["a", 2, "c"]})"},
      {"missing fields are not created", R"({"uppercase": ["x"], "lowercase": ["y"], "capitalize": ["z"]})",
       R"({})", R"({})"},
      {"non-strings are left alone", R"({"uppercase": ["n", "h"]})", R"({"n": 1, "h": {"a": "b"}})",
       R"({"n": 1, "h": {"a": "b"}})"},
      {"common alphabets beyond ASCII", R"({"lowercase": ["l"], "uppercase": ["u"], "capitalize": ["c"]})",
       R"({"l": ["АБВГД\u0000MMM", "こにちわ", "XyZółć", "NÎcË GÛŸ", "ΣΟΦΊΑ"],
           "u": ["аБвгд\u0000mmm", "こにちわ", "xYzółć", "Nîcë gûÿ", "straße", "σοφία"],
           "c": ["АБВГД\u0000mmm", "こにちわ", "xyzółć", "nÎcË gÛŸ", "ßa"]})",
       R"({"l": ["абвгд\u0000mmm", "こにちわ", "xyzółć", "nîcë gûÿ", "σοφία"],
           "u": ["АБВГД\u0000MMM", "こにちわ", "XYZÓŁĆ", "NÎCË GÛŸ", "STRASSE", "ΣΟΦΊΑ"],
           "c": ["Абвгд\u0000mmm", "こにちわ", "Xyzółć", "Nîcë gûÿ", "Ssa"]})"},
      {"nested field", R"({"uppercase": ["[a][b]"]})", R"({"a": {"b": "x"}})", R"({"a": {"b": "X"}})"},
  });
}

TEST(MutateFilterTest, CaseKeepsInvalidUtf8Bytes) {
  auto filter = make_mutate(R"({"uppercase": ["v"]})");
  Event e;
  e.fields().set("v", Value(std::string("ab\xff\xc3z")));
  CollectingContext ctx;
  filter->filter(e, ctx);
  EXPECT_EQ(e.get_top("v")->as_string(), std::string("AB\xff\xc3Z"));
}

TEST(MutateFilterTest, Strip) {
  run_cases({
      {"leading and trailing whitespace", R"({"strip": ["path", "t"]})",
       R"({"path": " /store.php ", "t": "\t\n x y \r\n"})", R"({"path": "/store.php", "t": "x y"})"},
      {"every element of an array", R"({"strip": ["a"]})", R"({"a": [" a ", "b  ", ""]})",
       R"({"a": ["a", "b", ""]})"},
      {"a no-break space is not whitespace to Ruby", R"({"strip": ["a"]})", R"({"a": "\u00a0x "})",
       R"({"a": "\u00a0x"})"},
      {"numbers and missing fields are left alone", R"({"strip": ["n", "missing"]})", R"({"n": 1})",
       R"({"n": 1})"},
      {"an array holding a non-string fails, as in Logstash", R"({"strip": ["a"]})", R"({"a": [" a ", 1]})",
       R"({"a": [" a ", 1], "tags": ["_mutate_error"]})"},
  });
}

TEST(MutateFilterTest, Split) {
  run_cases({
      {"a string becomes an array", R"({"split": {"f": ","}})", R"({"f": "foo,bar,baz"})",
       R"({"f": ["foo", "bar", "baz"]})"},
      {"no separator: one element", R"({"split": {"f": ","}})", R"({"f": "foo"})", R"({"f": ["foo"]})"},
      {"trailing empty pieces are dropped, leading ones kept", R"({"split": {"f": ",", "g": ","}})",
       R"({"f": "foo,,", "g": ",a,,b"})", R"({"f": ["foo"], "g": ["", "a", "", "b"]})"},
      {"an empty string gives an empty array", R"({"split": {"f": ","}})", R"({"f": ""})", R"({"f": []})"},
      {"a space splits on runs of whitespace", R"({"split": {"f": " "}})", R"({"f": "  a \t b\n"})",
       R"({"f": ["a", "b"]})"},
      {"an empty separator splits characters", R"({"split": {"f": ""}})", R"({"f": "aé"})",
       R"({"f": ["a", "é"]})"},
      {"a multi-character separator", R"({"split": {"f": "::"}})", R"({"f": "a::b:c"})",
       R"({"f": ["a", "b:c"]})"},
      {"non-strings are left alone", R"({"split": {"a": ",", "h": ",", "n": ",", "m": ","}})",
       R"({"a": ["foo", "bar"], "h": {"foo": "bar,baz"}, "n": null})",
       R"({"a": ["foo", "bar"], "h": {"foo": "bar,baz"}, "n": null})"},
      {"nested field", R"({"split": {"[a][b]": "."}})", R"({"a": {"b": "x.y"}})",
       R"({"a": {"b": ["x", "y"]}})"},
  });
}

TEST(MutateFilterTest, Join) {
  run_cases({
      {"an array becomes a string", R"({"join": {"f": ","}})", R"({"f": ["a", "b", "c"]})",
       R"({"f": "a,b,c"})"},
      {"elements in their string form; null is empty", R"({"join": {"f": "-"}})",
       R"({"f": [1, 2.5, 1.0, true, null, "x"]})", R"({"f": "1-2.5-1.0-true--x"})"},
      {"nested arrays use the same separator", R"({"join": {"f": "|"}})", R"({"f": [["a", "b"], "c"]})",
       R"({"f": "a|b|c"})"},
      {"an empty array gives an empty string", R"({"join": {"f": ","}})", R"({"f": []})", R"({"f": ""})"},
      {"non-arrays are left alone", R"({"join": {"s": ",", "n": ",", "m": ","}})", R"({"s": "a b", "n": 3})",
       R"({"s": "a b", "n": 3})"},
  });
}

TEST(MutateFilterTest, Merge) {
  run_cases({
      {"string into a missing field", R"({"merge": {"list": "foo"}})", R"({"foo": "bar"})",
       R"({"foo": "bar", "list": ["bar"]})"},
      {"string into an empty array", R"({"merge": {"list": "foo"}})", R"({"foo": "bar", "list": []})",
       R"({"foo": "bar", "list": ["bar"]})"},
      {"string into an array", R"({"merge": {"list": "foo"}})", R"({"foo": "bar", "list": ["baz"]})",
       R"({"foo": "bar", "list": ["baz", "bar"]})"},
      {"array into an array", R"({"merge": {"list": "foo"}})", R"({"foo": ["bar"], "list": ["baz"]})",
       R"({"foo": ["bar"], "list": ["baz", "bar"]})"},
      {"empty array into an array", R"({"merge": {"list": "foo"}})", R"({"foo": [], "list": ["baz"]})",
       R"({"foo": [], "list": ["baz"]})"},
      {"array into a string", R"({"merge": {"list": "foo"}})", R"({"foo": ["bar"], "list": "baz"})",
       R"({"foo": ["bar"], "list": ["baz", "bar"]})"},
      {"string into a string", R"({"merge": {"list": "foo"}})", R"({"foo": "bar", "list": "baz"})",
       R"({"foo": "bar", "list": ["baz", "bar"]})"},
      {"number into an array", R"({"merge": {"list": "n"}})", R"({"n": 2, "list": [1]})",
       R"({"n": 2, "list": [1, 2]})"},
      {"hash into a hash: the source's keys win", R"({"merge": {"d": "s"}})",
       R"({"d": {"a": 1, "b": 2}, "s": {"b": 3, "c": 4}})",
       R"({"d": {"a": 1, "b": 3, "c": 4}, "s": {"b": 3, "c": 4}})"},
      {"hash and array do not merge, and it is no failure", R"({"merge": {"d": "s", "h": "a"}})",
       R"({"d": ["x"], "s": {"k": 1}, "h": {"k": 1}, "a": ["y"]})",
       R"({"d": ["x"], "s": {"k": 1}, "h": {"k": 1}, "a": ["y"]})"},
      {"several sources, in order", R"({"merge": {"list": ["a", "b"]}})",
       R"({"list": "x", "a": "y", "b": ["z"]})", R"({"list": ["x", "y", "z"], "a": "y", "b": ["z"]})"},
      {"a field merged into itself", R"({"merge": {"l": "l"}})", R"({"l": ["a"]})", R"({"l": ["a", "a"]})"},
      {"nested destination", R"({"merge": {"[a][list]": "s"}})", R"({"a": {"list": ["x"]}, "s": "y"})",
       R"({"a": {"list": ["x", "y"]}, "s": "y"})"},
  });
}

TEST(MutateFilterTest, Copy) {
  run_cases({
      {"a string", R"({"copy": {"field": "target"}})", R"({"field": "foobar"})",
       R"({"field": "foobar", "target": "foobar"})"},
      {"an array and a hash", R"({"copy": {"a": "a2", "h": "[deep][h2]"}})", R"({"a": [1, "b"], "h": {"k": [1]}})",
       R"({"a": [1, "b"], "h": {"k": [1]}, "a2": [1, "b"], "deep": {"h2": {"k": [1]}}})"},
      {"the target is replaced", R"({"copy": {"a": "b"}})", R"({"a": 1, "b": {"x": 2}})",
       R"({"a": 1, "b": 1})"},
      {"missing and null sources copy nothing", R"({"copy": {"missing": "t1", "n": "t2"}})", R"({"n": null})",
       R"({"n": null})"},
  });
}

TEST(MutateFilterTest, CopyIsDeep) {
  auto filter = make_mutate(R"({"copy": {"h": "h2"}})");
  Event e = event_with(R"({"h": {"k": ["v"]}})");
  CollectingContext ctx;
  filter->filter(e, ctx);
  e.set(FieldRef::must("[h][k][0]"), Value("changed"));
  EXPECT_EQ(e.get(FieldRef::must("[h2][k][0]"))->to_string(), "v");
}

TEST(MutateFilterTest, OperationsRunInLogstashOrder) {
  run_cases({
      {"coerce before rename", R"({"rename": {"a": "b"}, "coerce": {"a": "d"}})", R"({"a": null})",
       R"({"b": "d"})"},
      {"rename before uppercase of the new name", R"({"uppercase": ["b"], "rename": {"a": "b"}})",
       R"({"a": "x"})", R"({"b": "X"})"},
      {"update before replace: update does not see the replaced field",
       R"({"replace": {"z": "r"}, "update": {"z": "u"}})", R"({})", R"({"z": "r"})"},
      {"replace before convert", R"({"convert": {"n": "integer"}, "replace": {"n": "%{raw}"}})",
       R"({"raw": "42"})", R"({"raw": "42", "n": 42})"},
      {"convert before gsub", R"({"gsub": ["n", "1", "9"], "convert": {"n": "string"}})", R"({"n": 123})",
       R"({"n": "923"})"},
      {"gsub before uppercase", R"({"uppercase": ["a"], "gsub": ["a", "x", "y"]})", R"({"a": "x"})",
       R"({"a": "Y"})"},
      {"capitalize before lowercase", R"({"lowercase": ["a"], "capitalize": ["a"]})", R"({"a": "abc"})",
       R"({"a": "abc"})"},
      {"strip before split", R"({"split": {"a": ","}, "strip": ["a"]})", R"({"a": " a,b "})",
       R"({"a": ["a", "b"]})"},
      {"split before join", R"({"join": {"a": "|"}, "split": {"a": ","}})", R"({"a": "x,y"})",
       R"({"a": "x|y"})"},
      {"merge before copy", R"({"copy": {"l": "c"}, "merge": {"l": "s"}})", R"({"l": ["x"], "s": "y"})",
       R"({"l": ["x", "y"], "s": "y", "c": ["x", "y"]})"},
      {"copy last: the copy sees uppercase", R"({"copy": {"a": "b"}, "uppercase": ["a"]})", R"({"a": "x"})",
       R"({"a": "X", "b": "X"})"},
  });
}

TEST(MutateFilterTest, CommonOptionsApplyOnSuccess) {
  run_cases({
      {"add_field, add_tag, remove_field, remove_tag after the operations",
       R"({"replace": {"a": "new"}, "add_field": {"from_a": "%{a}"}, "add_tag": ["done", "t_%{a}"],
           "remove_field": ["gone"], "remove_tag": ["old"]})",
       R"({"a": "x", "gone": 1, "tags": ["old", "keep"]})",
       R"({"a": "new", "tags": ["keep", "done", "t_new"], "from_a": "new"})"},
      {"an event nothing applied to still counts as a success", R"({"rename": {"x": "y"}, "add_tag": ["seen"]})",
       R"({})", R"({"tags": ["seen"]})"},
  });
}

TEST(MutateFilterTest, FailureTagsSkipsTheRestAndTheCommonOptions) {
  run_cases({
      {"operations before the failure stay applied; later ones and add_tag do not run",
       R"({"rename": {"r": "renamed"}, "convert": {"a": "float"}, "uppercase": ["b"],
           "add_tag": ["ok"], "add_field": {"f": "1"}, "remove_field": ["b"]})",
       R"({"r": 1, "a": "abc", "b": "x"})",
       R"({"renamed": 1, "a": "abc", "b": "x", "tags": ["_mutate_error"]})"},
      {"custom tag_on_failure", R"({"convert": {"a": "float"}, "tag_on_failure": "my_custom_tag"})",
       R"({"a": "abc", "tags": ["t"]})", R"({"a": "abc", "tags": ["t", "my_custom_tag"]})"},
      {"a rename whose name formats to an invalid reference",
       R"({"rename": {"a": "[%{x}"}})", R"({"a": 1, "x": "y"})", R"({"a": 1, "x": "y", "tags": ["_mutate_error"]})"},
  });
}

TEST(MutateFilterTest, AFilterInstanceIsReusedAcrossEvents) {
  auto filter = make_mutate(R"j({"gsub": ["v", "(\\d+)", "<\\1>"], "lowercase": ["v"]})j");
  CollectingContext ctx;
  for (int i = 0; i < 3; ++i) {
    Event e = event_with(R"({"v": "A1b22Ö"})");
    filter->filter(e, ctx);
    EXPECT_EQ(e.get_top("v")->as_string(), "a<1>b<22>ö");
  }
}

struct BadConfig {
  const char* config;
  const char* option;       // the option the error names
  const char* message_part;  // text the message contains
};

TEST(MutateFilterTest, InvalidSettingsAreOptionErrors) {
  const BadConfig cases[] = {
      {R"({"convert": {"message": "int"}})", "convert", "Invalid conversion type 'int'"},
      {R"({"gsub": ["message", "toreplace"]})", "gsub", "3 elements"},
      {R"({"gsub": ["message", "(?<=a)b", "x"]})", "gsub", "(?<=a)b"},
      {R"({"gsub": ["message", "[a", "x"]})", "gsub", "invalid regex '[a'"},
      {R"({"gsub": ["message", "[a[^b]]", "x"]})", "gsub", "negated class nested in a class"},
      {R"({"gsub": ["message", "a\\Z", "x"]})", "gsub", "\\Z cannot be used"},
      {R"j({"gsub": ["message", "(a)", "\\k<nope>"]})j", "gsub", "<nope>"},
      {R"({"uppercase": ["[a"]})", "uppercase", "[a"},
      {R"({"rename": {"a]b[": "x"}})", "rename", "a]b["},
      {R"({"copy": {"a": "[b]c"}})", "copy", "[b]c"},
      {R"({"merge": {"a": ["b", "[]"]}})", "merge", "[]"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.config);
    try {
      make_mutate(c.config);
      ADD_FAILURE() << "no OptionError";
    } catch (const OptionError& e) {
      EXPECT_EQ(e.option, c.option);
      EXPECT_NE(std::string(e.what()).find(c.message_part), std::string::npos) << e.what();
    }
  }
}

TEST(MutateFilterTest, InfoDeclaresLogstashOptions) {
  PluginInfo info = mutate_filter_info();
  EXPECT_EQ(info.name, "mutate");
  EXPECT_EQ(info.kind, PluginKind::Filter);
  std::vector<std::string> names;
  for (auto& o : info.options) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"coerce", "rename", "update", "replace", "convert", "gsub",
                                             "uppercase", "capitalize", "lowercase", "strip", "split",
                                             "join", "merge", "copy", "tag_on_failure"}));
  for (auto& o : info.options) {
    if (o.name == "tag_on_failure") {
      ASSERT_TRUE(o.default_value);
      EXPECT_EQ(o.default_value->to_string(), "_mutate_error");
    } else {
      EXPECT_FALSE(o.default_value) << o.name;
    }
  }
}

}  // namespace
}  // namespace logpipe
