// kv filter: the scan (separators, quotes, brackets, whitespace modes) and
// every option, table-driven, plus malformed sources.
#include "filters/kv_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/text/json_writer.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using NullContext = testing::NullFilterContext;

std::unique_ptr<Filter> make_filter(const Object& overrides) {
  return testing::make_test_filter(kv_filter_info(), overrides);
}

using testing::opts;

// Fields other than message/@timestamp/@version, as JSON.
std::string rest_json(const Event& e) {
  return testing::fields_json_without(e, {"@timestamp", "@version", "message"});
}

std::string run(const Object& settings, const std::string& message) {
  auto filter = make_filter(settings);
  NullContext ctx;
  Event e(message);
  filter->filter(e, ctx);
  return rest_json(e);
}

struct Case {
  Object settings;
  const char* text;
  const char* expected;
};

void check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    std::string settings_json;
    append_json(Value(c.settings), settings_json);
    SCOPED_TRACE(settings_json + " | " + c.text);
    EXPECT_EQ(run(c.settings, c.text), c.expected);
  }
}

TEST(KvFilterTest, DefaultScan) {
  check({
      {{}, "ip=1.2.3.4 error=REFUSED", R"({"ip":"1.2.3.4","error":"REFUSED"})"},
      {{}, "  a=1   b=2  ", R"({"a":"1","b":"2"})"},
      {{}, "no pairs here", R"({})"},
      {{}, "", R"({})"},
      {{}, "a=b=c", R"({"a":"b=c"})"},
      {{}, "==a=1", R"({"a":"1"})"},
      {{}, "junk, a=1 more junk b=2", R"({"a":"1","b":"2"})"},
      {{}, R"(a="hello world" b='x y' c=plain)", R"({"a":"hello world","b":"x y","c":"plain"})"},
      // a quote that is not followed by a separator does not close: unquoted
      {{}, R"(a="x"y" b=1)", R"({"a":"\"x\"y\"","b":"1"})"},
      {{}, R"(a="x\" y" b=1)", R"({"a":"x\\\" y","b":"1"})"},
      {{}, R"(a=x\ y b=1)", R"({"a":"x\\ y","b":"1"})"},
      {{}, R"(k\=ey=1)", R"({"k\\=ey":"1"})"},
      {{}, R"(a="unterminated b=1)", R"({"a":"\"unterminated","b":"1"})"},
      {{}, R"(a="")", R"({})"},
      {{}, "bracketsone=(hello world) bracketstwo=[hello world] bracketsthree=<hello world>",
       R"({"bracketsone":"hello world","bracketstwo":"hello world","bracketsthree":"hello world"})"},
      {{}, "Hey, from=<abc>, to=def foo=bar", R"({"from":"<abc>,","to":"def","foo":"bar"})"},
      // lenient: whitespace around the separator is allowed
      {{}, "a = 1 b= 2 c =3", R"({"a":"1","b":"2","c":"3"})"},
      {opts({{"field_split", Value(",")}}), "a =\t1", R"({"a ":"\t1"})"},
      {{}, "a= b=1", R"({"a":"b=1"})"},
      // repeated keys collect into an array
      {{}, "from=me from=me from=you", R"({"from":["me","me","you"]})"},
      // binary and odd bytes are carried
      {{}, std::string("k=\x01\xff v=2").c_str(), "{\"k\":\"\\u0001\xef\xbf\xbd\",\"v\":\"2\"}"},
  });
}

TEST(KvFilterTest, SeparatorsAndWhitespace) {
  check({
      {opts({{"field_split", Value("&?")}}), "?pin=12345~0&d=123&e=foo@bar.com&oq=bobo&ss=12345",
       R"({"pin":"12345~0","d":"123","e":"foo@bar.com","oq":"bobo","ss":"12345"})"},
      {opts({{"value_split", Value(":")}}), "key1:value1 key2:value2", R"({"key1":"value1","key2":"value2"})"},
      {opts({{"field_split", Value("\\[\\],")}}), "a=1[b=2],c=3", R"({"a":"1","b":"2","c":"3"})"},
      {opts({{"field_split", Value(",")}}), "a=x y,b=2", R"({"a":"x y","b":"2"})"},
      {opts({{"field_split_pattern", Value(":+")}}), "k1=v1:k2=v2::k3=v3:::k4=v4",
       R"({"k1":"v1","k2":"v2","k3":"v3","k4":"v4"})"},
      {opts({{"field_split_pattern", Value("\\+\\+")}}), "k1=v1++k2=v2++k3=v3++k4=v4",
       R"({"k1":"v1","k2":"v2","k3":"v3","k4":"v4"})"},
      // outside a pair, a separator is skipped one character at a time
      {opts({{"field_split_pattern", Value("\\+\\+")}}), "junk++k=1", R"({"+k":"1"})"},
      {opts({{"field_split_pattern", Value(", ")}}), "a=x y, b=2", R"({"a":"x y","b":"2"})"},
      // Ruby regex syntax, as in grok: \h was passed to RE2 untranslated (an error).
      {opts({{"field_split_pattern", Value("\\h{4}")}}), "k=xbeefq=y", R"({"k":"x","q":"y"})"},
      {opts({{"field_split", Value("[:space:]")}}), "a=1\vb=2", R"({"a":"1","b":"2"})"},
      {opts({{"value_split_pattern", Value(":=")}}), "a:=1 b:=2", R"({"a":"1","b":"2"})"},
      {opts({{"value_split_pattern", Value("=>")}, {"field_split_pattern", Value(";\\s*")}}),
       "a=>1; b=>x y;c=>3", R"({"a":"1","b":"x y","c":"3"})"},
      {opts({{"whitespace", Value("strict")}}), "a = 1 b=2", R"({"b":"2"})"},
      {opts({{"whitespace", Value("strict")}, {"allow_empty_values", Value(true)}}), "a= b=1",
       R"({"a":"","b":"1"})"},
      {opts({{"allow_empty_values", Value(true)}}), R"(a="" b=1 c=)", R"({"a":"","b":"1","c":""})"},
      {opts({{"include_brackets", Value(false)}}),
       "bracketsone=(hello world) bracketstwo=[hello world] bracketsthree=<hello world>",
       R"({"bracketsone":"(hello","bracketstwo":"[hello","bracketsthree":"<hello"})"},
  });
}

TEST(KvFilterTest, KeyAndValueOptions) {
  Array from_to{Value("from"), Value("to")};
  check({
      {opts({{"include_keys", Value(from_to)}}), "Hey, from=<abc>, to=def foo=bar",
       R"({"from":"<abc>,","to":"def"})"},
      {opts({{"exclude_keys", Value(from_to)}}), "Hey, from=<abc>, to=def foo=bar", R"({"foo":"bar"})"},
      {opts({{"prefix", Value("arg_")}}), "a=1 b=2", R"({"arg_a":"1","arg_b":"2"})"},
      {opts({{"trim_value", Value("<>\\[\\],")}}), "from=<abc>, to=[x]", R"({"from":"abc","to":"x"})"},
      {opts({{"trim_key", Value("<>\\[\\],")}}), "<a>=1 ,b,=2", R"({"a":"1","b":"2"})"},
      {opts({{"remove_char_value", Value("<>\\[\\],")}}), "a=<x,y>z", R"({"a":"xyz"})"},
      {opts({{"remove_char_key", Value("-_")}}), "user-na_me=1", R"({"username":"1"})"},
      {opts({{"transform_key", Value("lowercase")}}), "ABC=Def", R"({"abc":"Def"})"},
      {opts({{"transform_key", Value("uppercase")}}), "abc=Def", R"({"ABC":"Def"})"},
      {opts({{"transform_value", Value("capitalize")}}), "a=hELLO", R"({"a":"Hello"})"},
      {opts({{"transform_value", Value("uppercase")}, {"trim_value", Value("x")}}), "a=xabx",
       R"({"a":"AB"})"},
      // include_keys applies after key clean-up, before the prefix
      {opts({{"include_keys", Value(Array{Value("a")})}, {"transform_key", Value("lowercase")},
             {"prefix", Value("p_")}}),
       "A=1 B=2", R"({"p_a":"1"})"},
      {opts({{"allow_duplicate_values", Value(false)}}), "from=me from=me from=you from=me",
       R"({"from":["me","you"]})"},
      {opts({{"allow_duplicate_values", Value(false)}}), "a=1 a=1", R"({"a":"1"})"},
      {opts({{"allow_duplicate_values", Value(false)}}), "a=mememe a=me a=you", R"({"a":["mememe","you"]})"},
      {opts({{"default_keys", Value(opts({{"from", Value("logstash@example.com")}, {"to", Value("x")}}))}}),
       "to=me a=1", R"({"from":"logstash@example.com","to":"me","a":"1"})"},
      {opts({{"default_keys", Value(opts({{"d", Value("dv")}}))}}), "nothing", R"({"d":"dv"})"},
      {opts({{"recursive", Value(true)}}), R"(a="b=1 c=2" d=e)", R"({"a":{"b":"1","c":"2"},"d":"e"})"},
      {opts({{"recursive", Value(true)}}), R"(a="no pairs" d=e)", R"({"a":"no pairs","d":"e"})"},
      {opts({{"target", Value("kv")}}), "a=1 b=2", R"({"kv":{"a":"1","b":"2"}})"},
      {opts({{"target", Value("[x][y]")}}), "a=1", R"({"x":{"y":{"a":"1"}}})"},
      {opts({{"target", Value("kv")}}), "nothing", R"({})"},
      // keys written as field references set nested fields
      {{}, "[n][m]=1 plain.dot=2", R"({"n":{"m":"1"},"plain.dot":"2"})"},
  });
}

TEST(KvFilterTest, PrefixFieldAndOtherSource) {
  auto filter = make_filter(opts({{"prefix", Value("%{kind}_")}}));
  NullContext ctx;
  Event e("a=1");
  e.set_top("kind", Value("web"));
  filter->filter(e, ctx);
  EXPECT_EQ(e.get_top("web_a")->as_string(), "1");

  auto other = make_filter(opts({{"source", Value("other")}}));
  Event o("a=1");
  o.set_top("other", Value("b=2"));
  other->filter(o, ctx);
  EXPECT_EQ(rest_json(o), R"({"other":"b=2","b":"2"})");
}

TEST(KvFilterTest, SourceKinds) {
  auto filter = make_filter(opts({{"add_tag", Value(Array{Value("kv_ok")})},
                                  {"default_keys", Value(opts({{"d", Value("x")}}))}}));
  NullContext ctx;
  {
    Event e("");
    e.set_top("message", Value(Array{Value("a=1"), Value("a=2 b=3")}));
    filter->filter(e, ctx);
    EXPECT_EQ(rest_json(e), R"({"d":"x","a":["1","2"],"b":"3","tags":["kv_ok"]})");
  }
  {
    Event e("");
    e.set_top("message", Value(Array{Value("a=1"), Value(int64_t{5})}));
    filter->filter(e, ctx);
    EXPECT_EQ(rest_json(e), R"({"tags":["_kv_filter_error"]})");
  }
  for (Value v : {Value(int64_t{5}), Value(Object()), Value()}) {
    Event e("");
    e.set_top("message", v);
    filter->filter(e, ctx);
    EXPECT_EQ(e.get_top("d")->as_string(), "x");  // defaults still apply
    EXPECT_FALSE(e.has_tag("_kv_filter_error"));
  }
  Event missing;
  filter->filter(missing, ctx);
  EXPECT_EQ(missing.get_top("d")->as_string(), "x");
}

TEST(KvFilterTest, DynamicIncludeKeys) {
  auto filter = make_filter(opts({{"include_keys", Value(Array{Value("%{wanted}")})}}));
  NullContext ctx;
  Event e("a=1 b=2");
  e.set_top("wanted", Value("b"));
  filter->filter(e, ctx);
  EXPECT_EQ(rest_json(e), R"({"wanted":"b","b":"2"})");
}

TEST(KvFilterTest, InvalidReferenceKeyIsTagged) {
  auto filter = make_filter(opts({{"tag_on_failure", Value(Array{Value("kvbad")})}}));
  NullContext ctx;
  Event e("a[b]=1");
  filter->filter(e, ctx);
  EXPECT_TRUE(e.has_tag("kvbad"));
  // A key trimmed to nothing cannot be set at the root either.
  auto trimming = make_filter(opts({{"trim_key", Value("<>")}}));
  Event empty_key("<>=2");
  trimming->filter(empty_key, ctx);
  EXPECT_TRUE(empty_key.has_tag("_kv_filter_error"));
}

TEST(KvFilterTest, NoMatchIsNotAFailure) {
  auto filter = make_filter(opts({{"add_tag", Value(Array{Value("kv_ok")})}}));
  NullContext ctx;
  Event e("plain text");
  filter->filter(e, ctx);
  EXPECT_EQ(e.get_top("tags"), nullptr);
}

TEST(KvFilterTest, PathologicalInputStaysLinear) {
  // Many unterminated quotes and brackets: each scan for a closing character
  // is shared, so this finishes quickly instead of going quadratic.
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "k=\"x k=(y k=[z ";
  auto filter = make_filter({});
  NullContext ctx;
  Event e(text);
  filter->filter(e, ctx);
  ASSERT_NE(e.get_top("k"), nullptr);
  EXPECT_EQ(e.get_top("k")->as_array().size(), 150000u);
  Event huge(std::string(8 << 20, '='));
  filter->filter(huge, ctx);
  EXPECT_EQ(rest_json(huge), "{}");
}

TEST(KvFilterTest, RejectsBadSettings) {
  EXPECT_THROW(make_filter(opts({{"field_split_pattern", Value("(")}})), OptionError);
  EXPECT_THROW(make_filter(opts({{"value_split_pattern", Value("x*")}})), OptionError);
  EXPECT_THROW(make_filter(opts({{"field_split", Value("")}})), OptionError);
  EXPECT_THROW(make_filter(opts({{"trim_key", Value("z-a")}})), OptionError);
  EXPECT_THROW(make_filter(opts({{"target", Value("[a")}})), OptionError);
  EXPECT_THROW(make_filter(opts({{"transform_key", Value("reverse")}})), OptionError);
}

}  // namespace
}  // namespace logpipe
