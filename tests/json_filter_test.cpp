// json filter: root merge, target, @timestamp handling, and every kind of
// bad input tagged (or skipped) without touching the event.
#include "filters/json_filter.h"

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
  Object with_source = overrides;
  if (!with_source.find("source")) with_source.set("source", Value("message"));
  return testing::make_test_filter(json_filter_info(), with_source);
}

using testing::opts;

// Fields other than message/@timestamp/@version, as JSON.
std::string rest_json(const Event& e) {
  return testing::fields_json_without(e, {"@timestamp", "@version", "message"});
}

const Timestamp kOriginal = Timestamp::from_seconds(1000);

Event run(const Object& settings, const std::string& message) {
  auto filter = make_filter(settings);
  NullContext ctx;
  Event e(message, kOriginal);
  filter->filter(e, ctx);
  return e;
}

TEST(JsonFilterTest, MaxDepthBoundsTheNesting) {
  Event ok = run(opts({{"target", Value("t")}, {"max_depth", Value(3)}}), R"({"a":{"b":[1]}})");
  EXPECT_FALSE(ok.has_tag("_jsonparsefailure"));
  Event deep = run(opts({{"target", Value("t")}, {"max_depth", Value(3)}}), R"({"a":{"b":[[1]]}})");
  EXPECT_TRUE(deep.has_tag("_jsonparsefailure"));
  EXPECT_FALSE(deep.get_top("t"));
}

TEST(JsonFilterTest, ParsesIntoRootOrTarget) {
  struct Case {
    Object settings;
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {{}, R"({"a":1,"b":"x","c":[1,2.5,null,true],"d":{"e":"f"}})",
       R"({"a":1,"b":"x","c":[1,2.5,null,true],"d":{"e":"f"}})"},
      {{}, R"({})", R"({})"},
      {{}, R"({"[n][m]":1,"plain.dot":2})", R"({"n":{"m":1},"plain.dot":2})"},
      {{}, R"({"tags":["t"]})", R"({"tags":["t"]})"},
      {{}, "  {\"a\":\"\xc3\xa9\"}\n", R"({"a":"é"})"},
      {opts({{"target", Value("doc")}}), R"({"a":1})", R"({"doc":{"a":1}})"},
      {opts({{"target", Value("doc")}}), R"([1,"two"])", R"({"doc":[1,"two"]})"},
      {opts({{"target", Value("doc")}}), R"("str")", R"({"doc":"str"})"},
      {opts({{"target", Value("doc")}}), R"(42)", R"({"doc":42})"},
      {opts({{"target", Value("[x][y]")}}), R"({"a":true})", R"({"x":{"y":{"a":true}}})"},
      {opts({{"target", Value("doc")}}), R"({"@timestamp":"nope"})", R"({"doc":{"@timestamp":"nope"}})"},
      {opts({{"target", Value("doc")}}), "", R"({"doc":null})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Event e = run(c.settings, c.text);
    EXPECT_EQ(rest_json(e), c.expected);
    EXPECT_FALSE(e.has_tag("_jsonparsefailure"));
    Timestamp ts;
    ASSERT_TRUE(e.timestamp(&ts));
    EXPECT_EQ(ts, kOriginal);
  }
}

TEST(JsonFilterTest, TargetMayReplaceTheSource) {
  Event e = run(opts({{"target", Value("message")}}), R"({"a":1})");
  ASSERT_TRUE(e.get_top("message")->is_object());
  EXPECT_EQ(*e.get_top("message")->as_object().find("a"), Value(1));
}

TEST(JsonFilterTest, TimestampFromTheDocument) {
  Event good = run({}, R"({"@timestamp":"2026-11-26T04:55:19.123Z","a":1})");
  Timestamp ts;
  ASSERT_TRUE(good.timestamp(&ts));
  EXPECT_EQ(ts.to_iso8601(), "2026-11-26T04:55:19.123Z");
  EXPECT_FALSE(good.has_tag("_timestampparsefailure"));
  EXPECT_EQ(good.get_top("_@timestamp"), nullptr);

  struct Case {
    const char* text;
    const char* kept;
  };
  const Case bad[] = {
      {R"({"@timestamp":"yesterday"})", "yesterday"},
      {R"({"@timestamp":12345})", "12345"},
      {R"({"@timestamp":null})", ""},
  };
  for (const auto& c : bad) {
    SCOPED_TRACE(c.text);
    Event e = run({}, c.text);
    EXPECT_TRUE(e.has_tag("_timestampparsefailure"));
    ASSERT_NE(e.get_top("_@timestamp"), nullptr);
    EXPECT_EQ(e.get_top("_@timestamp")->as_string(), c.kept);
    ASSERT_TRUE(e.timestamp(&ts));
    EXPECT_NE(ts.nanos, kOriginal.nanos);  // now
    EXPECT_FALSE(e.has_tag("_jsonparsefailure"));
  }
}

TEST(JsonFilterTest, BadInputIsTaggedAndOtherwiseUnchanged) {
  std::vector<std::string> texts = {
      "{", "not json", R"({"a":1} trailing)", R"([1,2])", R"("scalar")", "12", "",
      std::string("\x00\x01\x02\xff", 4), std::string(100000, '['),
      "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}"};
  for (const auto& text : texts) {
    SCOPED_TRACE(text.substr(0, 40));
    Event e = run({}, text);
    EXPECT_TRUE(e.has_tag("_jsonparsefailure"));
    EXPECT_EQ(rest_json(e), R"({"tags":["_jsonparsefailure"]})");
    EXPECT_EQ(e.get_top("message")->as_string(), text);
  }
}

TEST(JsonFilterTest, InvalidReferenceKeyStopsTagged) {
  Event e = run({}, R"({"a":1,"[bad":2,"c":3})");
  EXPECT_TRUE(e.has_tag("_jsonparsefailure"));
  EXPECT_EQ(rest_json(e), R"({"a":1,"tags":["_jsonparsefailure"]})");
}

TEST(JsonFilterTest, SkipOnInvalidJsonAndCustomTags) {
  // skip_on_invalid_json silences the warning only: the event is tagged.
  Event skipped = run(opts({{"skip_on_invalid_json", Value(true)}}), "{oops");
  EXPECT_TRUE(skipped.has_tag("_jsonparsefailure"));
  // A valid non-object without target is still a failure.
  Event array = run(opts({{"skip_on_invalid_json", Value(true)}}), "[1]");
  EXPECT_TRUE(array.has_tag("_jsonparsefailure"));

  Event custom = run(opts({{"tag_on_failure", Value(Array{Value("j1"), Value("j2")})}}), "{oops");
  EXPECT_TRUE(custom.has_tag("j1"));
  EXPECT_TRUE(custom.has_tag("j2"));
  EXPECT_FALSE(custom.has_tag("_jsonparsefailure"));
}

TEST(JsonFilterTest, NonStringOrMissingSource) {
  auto filter = make_filter(opts({{"add_tag", Value(Array{Value("parsed")})}}));
  NullContext ctx;
  Event missing;
  filter->filter(missing, ctx);
  EXPECT_EQ(missing.get_top("tags"), nullptr);  // nothing to do: not matched either

  for (Value v : {Value(int64_t{1}), Value(Object()), Value(Array{Value("{}")})}) {
    Event e("x");
    e.set_top("message", v);
    filter->filter(e, ctx);
    EXPECT_TRUE(e.has_tag("_jsonparsefailure"));
    EXPECT_FALSE(e.has_tag("parsed"));
  }
  Event ok(R"({"a":1})");
  filter->filter(ok, ctx);
  EXPECT_TRUE(ok.has_tag("parsed"));
}

TEST(JsonFilterTest, InvalidUtf8IsRepairedNotRejected) {
  Event e = run({}, "{\"a\":\"x\xffy\"}");
  EXPECT_FALSE(e.has_tag("_jsonparsefailure"));
  EXPECT_EQ(e.get_top("a")->as_string(), "x\xef\xbf\xbdy");
}

TEST(JsonFilterTest, RejectsBadSettings) {
  EXPECT_THROW(make_filter(opts({{"source", Value("[bad")}})), OptionError);
  EXPECT_THROW(make_filter(opts({{"target", Value("[x]y")}})), OptionError);
  bool source_required = false;
  for (auto& spec : json_filter_info().options)
    if (spec.name == "source") source_required = spec.required;
  EXPECT_TRUE(source_required);
}

}  // namespace
}  // namespace logpipe
