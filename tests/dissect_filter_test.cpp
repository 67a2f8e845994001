// dissect filter: every field notation, conversions, failure tagging, and
// that a failed match leaves the event as it was.
#include "filters/dissect_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "tests/subprocess.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using NullContext = testing::NullFilterContext;

std::unique_ptr<Filter> make_filter(const Object& overrides) {
  return testing::make_test_filter(dissect_filter_info(), overrides);
}

Object mapping(std::string field, std::string pattern) {
  Object m;
  m.set(field, Value(std::move(pattern)));
  Object o;
  o.set("mapping", Value(std::move(m)));
  return o;
}

// The event's fields other than @timestamp/@version, as JSON.
std::string fields_json(const Event& e) {
  return testing::fields_json_without(e, {"@timestamp", "@version"});
}

std::string run(const Object& settings, const std::string& message) {
  auto filter = make_filter(settings);
  NullContext ctx;
  Event e(message);
  filter->filter(e, ctx);
  return fields_json(e);
}

TEST(DissectFilterTest, Notations) {
  struct Case {
    const char* pattern;
    const char* text;
    const char* expected;  // fields as JSON (message first)
  };
  const Case cases[] = {
      {"%{a} %{b}", "x y", R"({"message":"x y","a":"x","b":"y"})"},
      {"%{a} %{b}", "x y z", R"({"message":"x y z","a":"x","b":"y z"})"},
      {"%{a},%{b},%{c}", "1,,3", R"({"message":"1,,3","a":"1","b":"","c":"3"})"},
      {"%{a} %{b}", "x ", R"({"message":"x ","a":"x","b":""})"},
      // skip fields
      {"%{a} %{} %{c}", "1 2 3", R"({"message":"1 2 3","a":"1","c":"3"})"},
      {"%{a} %{?b} %{c}", "1 2 3", R"({"message":"1 2 3","a":"1","c":"3"})"},
      // append: joined with the delimiter before the field
      {"%{ts} %{+ts} %{+ts} %{src}", "Mar 16 00:01:25 host",
       R"({"message":"Mar 16 00:01:25 host","ts":"Mar 16 00:01:25","src":"host"})"},
      {"%{a}-%{+a}:%{+a}", "x-y:z", R"({"message":"x-y:z","a":"x-y:z"})"},
      {"%{a} %{b} %{+a}", "1 2 3 go", R"({"message":"1 2 3 go","a":"1 3 go","b":"2"})"},
      {"%{+a/2} %{+a/1} %{+a/4} %{+a/3}", "1 2 3 go", R"({"message":"1 2 3 go","a":"2 1 go 3"})"},
      {"%{+a} %{+a}", "x y", R"({"message":"x y","a":"x y"})"},
      {"%{+a/1} %{+a} %{+a}", "1 2 3", R"({"message":"1 2 3","a":"2 3 1"})"},
      // indirect
      {"%{?a}: %{&a}", "google: 77.98", R"({"message":"google: 77.98","google":"77.98"})"},
      {"error: %{?err}, %{&err}", "error: some_error, some_description",
       R"({"message":"error: some_error, some_description","some_error":"some_description"})"},
      // right padding
      {"%{id} %{function->} %{server}", "00000043 ViewReceive     machine-321",
       R"({"message":"00000043 ViewReceive     machine-321","id":"00000043","function":"ViewReceive","server":"machine-321"})"},
      {"%{id->} %{function} %{server}", "f3000a3b            Calc machine-123",
       R"({"message":"f3000a3b            Calc machine-123","id":"f3000a3b","function":"Calc","server":"machine-123"})"},
      {"%{a} %{b}", "x   y", R"({"message":"x   y","a":"x","b":"  y"})"},
      {"%{a},%{?->},%{c}", "1,2,,,3", R"({"message":"1,2,,,3","a":"1","c":"3"})"},
      // leading and trailing delimiters, multi-character delimiters
      {"[%{a}] %{b}", "[x] y", R"({"message":"[x] y","a":"x","b":"y"})"},
      {"<%{pri}>%{rest}", "<13>hello", R"({"message":"<13>hello","pri":"13","rest":"hello"})"},
      {"%{a}]", "x]tail", R"({"message":"x]tail","a":"x"})"},
      {"%{a} :: %{b} :: %{c}", "1 :: 2 :: 3", R"({"message":"1 :: 2 :: 3","a":"1","b":"2","c":"3"})"},
      // nested destination, dots kept in names
      {"%{[http][verb]} %{url.path}", "GET /x",
       R"({"message":"GET /x","http":{"verb":"GET"},"url.path":"/x"})"},
      // a field named like the source replaces it
      {"%{a} %{message}", "x y", R"({"message":"y","a":"x"})"},
      // an unterminated %{ is literal text
      {"%{a} %{b", "x %{b", R"({"message":"x %{b","a":"x"})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " | " + c.text);
    EXPECT_EQ(run(mapping("message", c.pattern), c.text), c.expected);
  }
}

TEST(DissectFilterTest, FailureLeavesEventUnchangedAndTags) {
  struct Case {
    const char* pattern;
    const char* text;
  };
  const Case cases[] = {
      {"%{a} %{b} %{c}", "x y"},
      {"[%{a}]", "no brackets"},
      {"[%{a}]", "x[abc]"},  // the leading text is anchored
      {"%{a}", ""},          // an empty source never matches
      {"no fields", "no fields"},
      {"%{a}|%{b}", ""},
      {"%{a} - %{b}", "x -y"},
      {"%{a} :: %{b}", "x :"},
      {"%{a} :: %{b}", ""},
      {"%{a} :: %{b} :: %{c}", "1 :: 2 ::"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.pattern);
    auto filter = make_filter(mapping("message", c.pattern));
    NullContext ctx;
    Event e(c.text);
    Object before = e.fields();
    filter->filter(e, ctx);
    ASSERT_TRUE(e.has_tag("_dissectfailure"));
    e.remove_tag("_dissectfailure");
    Object after = e.fields();
    after.erase("tags");
    EXPECT_EQ(after, before);
  }
}

TEST(DissectFilterTest, MalformedSourcesAreTaggedNotCrashed) {
  auto filter = make_filter(mapping("message", "%{a} %{b}"));
  NullContext ctx;
  std::vector<Value> sources = {Value(),  Value(int64_t{42}), Value(Array{Value("x y")}),
                                Value(Object()), Value(std::string("\xff\xfe\x00 \x01", 5))};
  for (size_t i = 0; i < sources.size(); ++i) {
    SCOPED_TRACE(i);
    Event e("");
    e.set_top("message", sources[i]);
    filter->filter(e, ctx);
    if (i + 1 == sources.size()) {  // binary text with the delimiter: splits
      EXPECT_FALSE(e.has_tag("_dissectfailure"));
      EXPECT_EQ(e.get_top("a")->as_string(), std::string("\xff\xfe\x00", 3));
    } else {
      EXPECT_TRUE(e.has_tag("_dissectfailure"));
      EXPECT_EQ(e.get_top("a"), nullptr);
    }
  }
  Event missing;
  filter->filter(missing, ctx);
  EXPECT_TRUE(missing.has_tag("_dissectfailure"));

  // A huge line with no delimiter: tagged.
  Event huge(std::string(4 << 20, 'x'));
  filter->filter(huge, ctx);
  EXPECT_TRUE(huge.has_tag("_dissectfailure"));
}

TEST(DissectFilterTest, CustomTagsAndCommonOptionsOnSuccessOnly) {
  Object o = mapping("message", "%{a} %{b}");
  o.set("tag_on_failure", Value(Array{Value("bad"), Value("worse")}));
  o.set("add_tag", Value(Array{Value("ok")}));
  auto filter = make_filter(o);
  NullContext ctx;
  Event good("1 2");
  filter->filter(good, ctx);
  EXPECT_TRUE(good.has_tag("ok"));
  EXPECT_FALSE(good.has_tag("bad"));
  Event bad("12");
  filter->filter(bad, ctx);
  EXPECT_TRUE(bad.has_tag("bad"));
  EXPECT_TRUE(bad.has_tag("worse"));
  EXPECT_FALSE(bad.has_tag("ok"));
}

TEST(DissectFilterTest, SeveralMappingsRunInOrder) {
  Object m;
  m.set("message", Value("%{a} %{rest}"));
  m.set("rest", Value("%{b}-%{c}"));
  Object o;
  o.set("mapping", Value(m));
  EXPECT_EQ(run(o, "x y-z"), R"({"message":"x y-z","a":"x","rest":"y-z","b":"y","c":"z"})");
  // The second fails: the first one's fields stay, the event is tagged.
  auto filter = make_filter(o);
  NullContext ctx;
  Event e("x yz");
  filter->filter(e, ctx);
  EXPECT_EQ(e.get_top("a")->as_string(), "x");
  EXPECT_TRUE(e.has_tag("_dissectfailure"));
}

TEST(DissectFilterTest, AppendAndIndirectUseExistingEventFields) {
  auto filter = make_filter(mapping("message", "%{+a} %{&k}"));
  NullContext ctx;
  Event e("y v");
  e.set_top("a", Value("x"));
  e.set_top("k", Value("dyn"));
  filter->filter(e, ctx);
  EXPECT_EQ(e.get_top("a")->as_string(), "x y");
  EXPECT_EQ(e.get_top("dyn")->as_string(), "v");
}

TEST(DissectFilterTest, ConvertDatatype) {
  struct Case {
    const char* text;
    Value expected_code;
    Value expected_cpu;
    std::vector<std::string> tags;
  };
  const Case cases[] = {
      {"200 1.5", Value(int64_t{200}), Value(1.5), {}},
      {"-7 3", Value(int64_t{-7}), Value(3.0), {}},
      {"abc 1.5", Value("abc"), Value(1.5), {"_dataconversionuncoercible_code_int"}},
      {"2.5 x", Value("2.5"), Value("x"),
       {"_dataconversionuncoercible_code_int", "_dataconversionuncoercible_cpu_float"}},
      {"99999999999999999999 1e3", Value("99999999999999999999"), Value(1000.0),
       {"_dataconversionuncoercible_code_int"}},
      {" 1 nan", Value(""), Value("1 nan"),
       {"_dataconversionuncoercible_code_int", "_dataconversionuncoercible_cpu_float"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Object o = mapping("message", "%{code} %{cpu}");
    Object conv;
    conv.set("code", Value("int"));
    conv.set("cpu", Value("float"));
    o.set("convert_datatype", Value(conv));
    auto filter = make_filter(o);
    NullContext ctx;
    Event e(c.text);
    filter->filter(e, ctx);
    ASSERT_NE(e.get_top("code"), nullptr);
    EXPECT_EQ(e.get_top("code")->kind(), c.expected_code.kind());
    EXPECT_EQ(*e.get_top("code"), c.expected_code);
    EXPECT_EQ(e.get_top("cpu")->kind(), c.expected_cpu.kind());
    EXPECT_EQ(*e.get_top("cpu"), c.expected_cpu);
    for (const auto& t : c.tags) EXPECT_TRUE(e.has_tag(t)) << t;
    if (c.tags.empty()) {
      EXPECT_EQ(e.get_top("tags"), nullptr);
    }
  }
}

TEST(DissectFilterTest, ConvertWithoutMappingAndMissingField) {
  Object conv;
  conv.set("n", Value("int"));
  conv.set("gone", Value("float"));
  Object o;
  o.set("convert_datatype", Value(conv));
  auto filter = make_filter(o);
  NullContext ctx;
  Event e("m");
  e.set_top("n", Value("12"));
  filter->filter(e, ctx);
  EXPECT_EQ(*e.get_top("n"), Value(int64_t{12}));
  EXPECT_TRUE(e.has_tag("_dataconversionnullvalue_gone_float"));
  EXPECT_FALSE(e.has_tag("_dissectfailure"));
}

TEST(DissectFilterTest, RejectsBadSettings) {
  Object bad_type;
  Object conv;
  conv.set("x", Value("long"));
  bad_type.set("convert_datatype", Value(conv));
  EXPECT_THROW(make_filter(bad_type), OptionError);
  EXPECT_THROW(make_filter(mapping("message", "%{+a/x} %{b}")), OptionError);
  EXPECT_THROW(make_filter(mapping("message", "%{[a} %{b}")), OptionError);
  EXPECT_THROW(make_filter(mapping("[bad", "%{a}")), OptionError);
}

TEST(DissectFilterTest, ReusedFilterGivesFreshResults) {
  auto filter = make_filter(mapping("message", "%{a} %{+a} %{b}"));
  NullContext ctx;
  for (int i = 0; i < 3; ++i) {
    Event e("p" + std::to_string(i) + " q r");
    filter->filter(e, ctx);
    EXPECT_EQ(e.get_top("a")->as_string(), "p" + std::to_string(i) + " q");
    EXPECT_EQ(e.get_top("b")->as_string(), "r");
  }
}

// Through the real binary (needs dissect, kv and json registered): the three
// parsing filters chained, and a line that does not fit passed on tagged.
TEST(ParseFiltersCli, DissectKvJsonChain) {
  const std::string config = R"(
input { stdin { } }
filter {
  dissect { mapping => { "message" => "%{level} %{kvpart} | %{payload}" } }
  kv { source => "kvpart" field_split => "," }
  json { source => "payload" target => "doc" }
  mutate { remove_field => ["@timestamp", "@version", "host", "message", "kvpart", "payload"] }
}
output { stdout { codec => json_lines } }
)";
  testing::Subprocess p({LOGPIPE_BINARY, "-w", "1", "-e", config});
  p.write_stdin("INFO a=1,b=2 | {\"x\":[1,2]}\nbad line\nWARN c=3 | {oops\n");
  p.close_stdin();
  ASSERT_EQ(p.finish(), 0) << p.err();
  std::vector<Value> events;
  std::string out = p.out();
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    Value v;
    if (end > start) {
      EXPECT_TRUE(parse_json(std::string_view(out).substr(start, end - start), &v, nullptr));
      events.push_back(v);
    }
    start = end + 1;
  }
  ASSERT_EQ(events.size(), 3u) << out;
  auto parsed = [](const char* text) {
    Value v;
    parse_json(text, &v, nullptr);
    return v;
  };
  EXPECT_EQ(events[0], parsed(R"({"level":"INFO","a":"1","b":"2","doc":{"x":[1,2]}})"));
  EXPECT_EQ(events[1], parsed(R"({"tags":["_dissectfailure"]})"));
  EXPECT_EQ(events[2], parsed(R"({"level":"WARN","c":"3","tags":["_jsonparsefailure"]})"));
}

}  // namespace
}  // namespace logpipe
