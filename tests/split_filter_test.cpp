// split filter: the pieces a string or array gives (Logstash's split spec and
// Ruby's String#split corner cases), where they go (field or target), the
// original's cancellation, add_tag on the copies only, and the type failure.
#include "filters/split_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;

struct Collect : FilterContext {
  std::vector<std::unique_ptr<Event>> made;
  void emit(std::unique_ptr<Event> e) override { made.push_back(std::move(e)); }
};

std::string to_json(const Object& o) {
  std::string out;
  append_json(Value(o), out);
  return out;
}

// What comes out of the filter for one event given as JSON fields: the
// emitted events, or the original itself when it was not cancelled, each as
// JSON, joined by " | ".
std::string run(const Object& settings, const std::string& fields_json) {
  auto filter = testing::make_test_filter(split_filter_info(), settings);
  Value fields;
  std::string error;
  EXPECT_TRUE(parse_json(fields_json, &fields, &error)) << error;
  Event e;
  for (auto& [k, v] : fields.as_object()) e.fields().set(k, v);
  Collect ctx;
  std::vector<Event*> batch{&e};
  filter->process(batch, ctx);
  std::string out;
  if (!e.cancelled()) out = "original " + to_json(e.fields());
  for (auto& m : ctx.made) {
    if (!out.empty()) out += " | ";
    out += to_json(m->fields());
  }
  return out.empty() ? "<nothing>" : out;
}

struct Case {
  const char* name;
  Object settings;
  const char* in;
  const char* out;
};

TEST(SplitFilter, PiecesAndWhereTheyGo) {
  Object tab = opts({{"terminator", Value("\t")}});
  Object arr = opts({{"field", Value("array")}});
  Object arr_target = opts({{"field", Value("array")}, {"target", Value("element")}});
  std::vector<Case> cases = {
      {"defaults: one trailing newline", {}, R"({"message":"big\n"})", R"({"message":"big"})"},
      {"defaults: three lines", {}, R"({"message":"big\nbird\nsesame street","n":1})",
       R"({"message":"big","n":1} | {"message":"bird","n":1} | {"message":"sesame street","n":1})"},
      {"empty pieces make no event", {}, R"({"message":"a\n\n\nb\n"})", R"({"message":"a"} | {"message":"b"})"},
      {"no terminator: the event is left alone", {}, R"({"message":"single"})",
       R"(original {"message":"single"})"},
      {"an empty string gives no event at all", {}, R"({"message":""})", "<nothing>"},
      {"only terminators give no event", {}, R"({"message":"\n\n"})", "<nothing>"},
      {"custom terminator", tab, R"({"message":"big\tbird\tsesame street"})",
       R"({"message":"big"} | {"message":"bird"} | {"message":"sesame street"})"},
      {"a multi-character terminator", opts({{"terminator", Value("--")}}), R"({"message":"a--b-c--"})",
       R"({"message":"a"} | {"message":"b-c"})"},
      {"terminator \" \" splits on runs of whitespace", opts({{"terminator", Value(" ")}}),
       R"({"message":"  a \t b\nc  "})", R"({"message":"a"} | {"message":"b"} | {"message":"c"})"},
      {"terminator \" \" with one word and spaces around is left alone", opts({{"terminator", Value(" ")}}),
       R"({"message":"  word"})", R"(original {"message":"  word"})"},
      {"empty terminator: characters", opts({{"terminator", Value("")}}), R"({"message":"aé"})",
       R"({"message":"a"} | {"message":"é"})"},
      {"custom field, the rest is copied", opts({{"field", Value("custom")}}),
       R"({"custom":"big\nbird","do_not_touch":"1\n2"})",
       R"({"custom":"big","do_not_touch":"1\n2"} | {"custom":"bird","do_not_touch":"1\n2"})"},
      {"a nested field", opts({{"field", Value("[a][b]")}}), R"({"a":{"b":"x\ny","c":1}})",
       R"({"a":{"b":"x","c":1}} | {"a":{"b":"y","c":1}})"},
      {"string to a target keeps the field", opts({{"target", Value("line")}}), R"({"message":"a\nb"})",
       R"({"message":"a\nb","line":"a"} | {"message":"a\nb","line":"b"})"},
      {"array: one event per element", arr, R"({"array":["big","bird"],"untouched":"1\n2"})",
       R"({"untouched":"1\n2","array":"big"} | {"untouched":"1\n2","array":"bird"})"},
      {"array of one element is still split", arr, R"({"array":["big"]})", R"({"array":"big"})"},
      {"array: null and empty elements make no event", arr, R"({"array":["big",null,"","bird",null]})",
       R"({"array":"big"} | {"array":"bird"})"},
      {"array into a target keeps the array", arr_target, R"({"array":["big","bird"]})",
       R"({"array":["big","bird"],"element":"big"} | {"array":["big","bird"],"element":"bird"})"},
      {"array of numbers and objects", arr_target, R"({"array":[1,2.5,{"k":"v"}]})",
       R"({"array":[1,2.5,{"k":"v"}],"element":1} | {"array":[1,2.5,{"k":"v"}],"element":2.5} | )"
       R"({"array":[1,2.5,{"k":"v"}],"element":{"k":"v"}})"},
      {"an empty array gives no event", arr, R"({"array":[]})", "<nothing>"},
      {"a number is a type failure", arr, R"({"array":5})", R"(original {"array":5,"tags":["_split_type_failure"]})"},
      {"an object is a type failure", arr, R"({"array":{"a":1}})",
       R"(original {"array":{"a":1},"tags":["_split_type_failure"]})"},
      {"a missing field is a type failure", arr, R"({"other":"a\nb"})",
       R"(original {"other":"a\nb","tags":["_split_type_failure"]})"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(run(c.settings, c.in), c.out);
  }
}

TEST(SplitFilter, AddTagAndAddFieldGoToTheCopiesOnly) {
  Object o = opts({{"add_tag", Value(Array{Value("split")})}, {"add_field", Value(opts({{"part", Value("%{message}")}}))}});
  EXPECT_EQ(run(o, R"({"message":"a\nb"})"),
            R"({"message":"a","part":"a","tags":["split"]} | {"message":"b","part":"b","tags":["split"]})");
  // Not split: Logstash returns before filter_matched.
  EXPECT_EQ(run(o, R"({"message":"a"})"), R"(original {"message":"a"})");
}

TEST(SplitFilter, CopiesKeepMetadataAndTimestamp) {
  auto filter = testing::make_test_filter(split_filter_info(), {});
  Event e("x\ny");
  e.metadata().set("source", Value("kafka"));
  Timestamp ts;
  ASSERT_TRUE(e.timestamp(&ts));
  Collect ctx;
  std::vector<Event*> batch{&e};
  filter->process(batch, ctx);
  ASSERT_EQ(ctx.made.size(), 2u);
  EXPECT_TRUE(e.cancelled());
  for (auto& m : ctx.made) {
    Timestamp t;
    ASSERT_TRUE(m->timestamp(&t));
    EXPECT_EQ(t, ts);
    ASSERT_NE(m->metadata().find("source"), nullptr);
    EXPECT_FALSE(m->cancelled());
  }
}

TEST(SplitFilter, BadOptions) {
  EXPECT_THROW(testing::make_test_filter(split_filter_info(), opts({{"field", Value("[a")}})), OptionError);
  EXPECT_THROW(testing::make_test_filter(split_filter_info(), opts({{"target", Value("a]")}})), OptionError);
}

}  // namespace
}  // namespace logpipe
