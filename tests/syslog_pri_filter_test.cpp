// syslog_pri filter: PRI values of every kind, labels, both ECS namings,
// the parse-failure tag and custom labels — table-driven.
#include "filters/syslog_pri_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/text/json_writer.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;

struct Case {
  const char* name;
  Object settings;
  Object fields;
  const char* expected;  // fields other than @timestamp/@version/message
};

TEST(SyslogPriFilterTest, Table) {
  Object ecs = opts({{"ecs_compatibility", Value("v8")}});
  Object pri_ecs;
  pri_ecs.set("log", Value(opts({{"syslog", Value(opts({{"priority", Value(165)}}))}})));
  std::vector<Case> cases = {
      {"default 13", {}, {},
       R"({"syslog_severity_code":5,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"notice"})"},
      {"integer", {}, opts({{"syslog_pri", Value(165)}}),
       R"({"syslog_pri":165,"syslog_severity_code":5,"syslog_facility_code":20,"syslog_facility":"local4","syslog_severity":"notice"})"},
      {"string", {}, opts({{"syslog_pri", Value("0")}}),
       R"({"syslog_pri":"0","syslog_severity_code":0,"syslog_facility_code":0,"syslog_facility":"kernel","syslog_severity":"emergency"})"},
      {"string with junk (to_i)", {}, opts({{"syslog_pri", Value("34abc")}}),
       R"({"syslog_pri":"34abc","syslog_severity_code":2,"syslog_facility_code":4,"syslog_facility":"security/authorization","syslog_severity":"critical"})"},
      {"array: first element", {}, opts({{"syslog_pri", Value(Array{Value("191"), Value("0")})}}),
       R"({"syslog_pri":["191","0"],"syslog_severity_code":7,"syslog_facility_code":23,"syslog_facility":"local7","syslog_severity":"debug"})"},
      {"float truncated", {}, opts({{"syslog_pri", Value(14.9)}}),
       R"({"syslog_pri":14.9,"syslog_severity_code":6,"syslog_facility_code":1,"syslog_facility":"user-level","syslog_severity":"informational"})"},
      {"not a number is 0", {}, opts({{"syslog_pri", Value("x")}}),
       R"({"syslog_pri":"x","syslog_severity_code":0,"syslog_facility_code":0,"syslog_facility":"kernel","syslog_severity":"emergency"})"},
      {"facility beyond labels", {}, opts({{"syslog_pri", Value(200)}}),
       R"({"syslog_pri":200,"syslog_severity_code":0,"syslog_facility_code":25,"tags":["_syslogpriparsefailure"]})"},
      {"negative indexes from the end, as Ruby", {}, opts({{"syslog_pri", Value(-5)}}),
       R"({"syslog_pri":-5,"syslog_severity_code":3,"syslog_facility_code":-1,"syslog_facility":"local7","syslog_severity":"error"})"},
      {"no labels", opts({{"use_labels", Value(false)}}), opts({{"syslog_pri", Value(200)}}),
       R"({"syslog_pri":200,"syslog_severity_code":0,"syslog_facility_code":25})"},
      {"custom field and labels",
       opts({{"syslog_pri_field_name", Value("[pri]")},
             {"facility_labels", Value(Array{Value("k"), Value("u")})},
             {"severity_labels", Value(Array{Value("s0")})}}),
       opts({{"pri", Value(8)}}),
       R"({"pri":8,"syslog_severity_code":0,"syslog_facility_code":1,"syslog_facility":"u","syslog_severity":"s0"})"},
      {"custom labels: missing severity name is left out",
       opts({{"severity_labels", Value(Array{Value("s0")})}}), opts({{"syslog_pri", Value(9)}}),
       R"({"syslog_pri":9,"syslog_severity_code":1,"syslog_facility_code":1,"syslog_facility":"user-level"})"},
      {"ecs default", ecs, {},
       R"({"log":{"syslog":{"severity":{"code":5,"name":"notice"},"facility":{"code":1,"name":"user-level"}}}})"},
      {"ecs reads [log][syslog][priority]", ecs, pri_ecs,
       R"({"log":{"syslog":{"priority":165,"severity":{"code":5,"name":"notice"},"facility":{"code":20,"name":"local4"}}}})"},
      {"add_tag runs even on the failure tag", opts({{"add_tag", Value(Array{Value("pri")})}}),
       opts({{"syslog_pri", Value(200)}}),
       R"({"syslog_pri":200,"syslog_severity_code":0,"syslog_facility_code":25,"tags":["_syslogpriparsefailure","pri"]})"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto filter = testing::make_test_filter(syslog_pri_filter_info(), c.settings);
    testing::NullFilterContext ctx;
    Event e;
    for (auto& [k, v] : c.fields) e.set_top(k, v);
    filter->filter(e, ctx);
    EXPECT_EQ(testing::fields_json_without(e, {"@timestamp", "@version", "message"}), c.expected);
  }
}

TEST(SyslogPriFilterTest, BadValuesAndOptions) {
  auto filter = testing::make_test_filter(syslog_pri_filter_info(), {});
  testing::NullFilterContext ctx;
  Event e;
  e.set_top("syslog_pri", Value(opts({{"a", Value(1)}})));
  std::vector<Event*> batch{&e};
  filter->process(batch, ctx);
  EXPECT_TRUE(e.has_tag("_filter_error"));
  EXPECT_THROW(testing::make_test_filter(syslog_pri_filter_info(), opts({{"syslog_pri_field_name", Value("[a")}})),
               OptionError);
}

}  // namespace
}  // namespace logpipe
