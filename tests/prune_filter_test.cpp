// prune filter: name and value white/black lists (Logstash's spec cases),
// arrays, @timestamp/@version, interpolation and config errors.
#include "filters/prune_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/text/json_writer.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;
using testing::string_array;

// The event of Logstash's spec.
Event spec_event() {
  Event e;
  e.set_top("firstname", Value("Borat"));
  e.set_top("lastname", Value("Sagdiyev"));
  e.set_top("fullname", Value("Borat Sagdiyev"));
  e.set_top("country", Value("Kazakhstan"));
  e.set_top("location", Value("Somethere"));
  e.set_top("hobbies", string_array({"Cooking", "Drinking", "Partying"}));
  e.set_top("%{hmm}", Value("doh"));
  e.set_top("status", Value(200));
  return e;
}

struct Case {
  const char* name;
  Object settings;
  const char* expected;
};

TEST(PruneFilterTest, Table) {
  std::vector<Case> cases = {
      {"default blacklist removes unresolved %{} names", {},
       R"({"firstname":"Borat","lastname":"Sagdiyev","fullname":"Borat Sagdiyev","country":"Kazakhstan","location":"Somethere","hobbies":["Cooking","Drinking","Partying"],"status":200})"},
      {"whitelist_names", opts({{"whitelist_names", string_array({"^firstname$", "^lastname$"})}}),
       R"({"firstname":"Borat","lastname":"Sagdiyev"})"},
      {"whitelist matches anywhere", opts({{"whitelist_names", string_array({"name"})}}),
       R"({"firstname":"Borat","lastname":"Sagdiyev","fullname":"Borat Sagdiyev"})"},
      {"blacklist_names", opts({{"blacklist_names", string_array({"name$", "^loc"})}}),
       R"({"country":"Kazakhstan","hobbies":["Cooking","Drinking","Partying"],"%{hmm}":"doh","status":200})"},
      {"whitelist_values", opts({{"whitelist_values", Value(opts({{"firstname", Value("^Bor")}, {"lastname", Value("^X")}}))}}),
       R"({"firstname":"Borat","fullname":"Borat Sagdiyev","country":"Kazakhstan","location":"Somethere","hobbies":["Cooking","Drinking","Partying"],"status":200})"},
      {"blacklist_values", opts({{"blacklist_values", Value(opts({{"country", Value("stan$")}, {"status", Value("^2")}}))}}),
       R"({"firstname":"Borat","lastname":"Sagdiyev","fullname":"Borat Sagdiyev","location":"Somethere","hobbies":["Cooking","Drinking","Partying"]})"},
      {"whitelist_values on an array keeps matching elements",
       opts({{"whitelist_values", Value(opts({{"hobbies", Value("ing$")}, {"location", Value(".")}}))},
             {"blacklist_values", Value(opts({{"hobbies", Value("^Cook")}}))}}),
       R"({"firstname":"Borat","lastname":"Sagdiyev","fullname":"Borat Sagdiyev","country":"Kazakhstan","location":"Somethere","hobbies":["Drinking","Partying"],"status":200})"},
      {"array: nothing left removes the field", opts({{"blacklist_values", Value(opts({{"hobbies", Value("ing")}}))}}),
       R"({"firstname":"Borat","lastname":"Sagdiyev","fullname":"Borat Sagdiyev","country":"Kazakhstan","location":"Somethere","status":200})"},
      {"blacklist off", opts({{"blacklist_names", Value(Array{})}}),
       R"({"firstname":"Borat","lastname":"Sagdiyev","fullname":"Borat Sagdiyev","country":"Kazakhstan","location":"Somethere","hobbies":["Cooking","Drinking","Partying"],"%{hmm}":"doh","status":200})"},
      {"interpolate", opts({{"interpolate", Value(true)}, {"whitelist_names", string_array({"^%{country}$", "^country$"})}}),
       R"({"country":"Kazakhstan"})"},
      {"interpolate values",
       opts({{"interpolate", Value(true)}, {"whitelist_values", Value(opts({{"fullname", Value("^%{firstname} ")}}))},
             {"blacklist_names", Value(Array{})}}),
       R"({"firstname":"Borat","lastname":"Sagdiyev","fullname":"Borat Sagdiyev","country":"Kazakhstan","location":"Somethere","hobbies":["Cooking","Drinking","Partying"],"%{hmm}":"doh","status":200})"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto filter = testing::make_test_filter(prune_filter_info(), c.settings);
    testing::NullFilterContext ctx;
    Event e = spec_event();
    filter->filter(e, ctx);
    std::string out;
    append_json(Value(e.fields()), out);
    EXPECT_EQ(out, c.expected);
  }
}

TEST(PruneFilterTest, TimestampVersionAndMetadata) {
  auto filter = testing::make_test_filter(prune_filter_info(), opts({{"whitelist_names", string_array({"^message$"})}}));
  testing::NullFilterContext ctx;
  Event e("hello");
  e.set_top("other", Value(1));
  e.metadata().set("kept", Value(true));
  filter->filter(e, ctx);
  std::string out;
  append_json(Value(e.fields()), out);
  EXPECT_EQ(out, R"({"message":"hello"})");  // @timestamp and @version go too, as in Logstash
  EXPECT_TRUE(e.metadata().find("kept"));

  auto keep_ts = testing::make_test_filter(
      prune_filter_info(), opts({{"whitelist_names", string_array({"^message$", "^@timestamp$", "^@version$"})}}));
  Event e2("hello");
  e2.set_top("other", Value(1));
  keep_ts->filter(e2, ctx);
  EXPECT_EQ(testing::fields_json_without(e2, {"@timestamp"}), R"({"@version":"1","message":"hello"})");
  EXPECT_TRUE(e2.get_top("@timestamp"));
}

TEST(PruneFilterTest, NestedFieldsAreNotLookedAt) {
  auto filter = testing::make_test_filter(prune_filter_info(), opts({{"blacklist_names", string_array({"inner"})}}));
  testing::NullFilterContext ctx;
  Event e;
  e.set_top("outer", Value(opts({{"inner", Value(1)}})));
  filter->filter(e, ctx);
  EXPECT_EQ(testing::fields_json_without(e, {}), R"({"outer":{"inner":1}})");
}

TEST(PruneFilterTest, ConfigErrors) {
  EXPECT_THROW(testing::make_test_filter(prune_filter_info(), opts({{"whitelist_names", string_array({"("})}})),
               OptionError);
  EXPECT_THROW(testing::make_test_filter(prune_filter_info(), opts({{"blacklist_names", string_array({"(a)\\1"})}})),
               OptionError);
  EXPECT_THROW(testing::make_test_filter(prune_filter_info(),
                                         opts({{"whitelist_values", Value(opts({{"a", Value(1)}}))}})),
               OptionError);
  // interpolated: a regex that does not compile matches nothing
  auto filter = testing::make_test_filter(
      prune_filter_info(), opts({{"interpolate", Value(true)}, {"whitelist_names", string_array({"%{bad}"})}}));
  testing::NullFilterContext ctx;
  Event e;
  e.set_top("bad", Value("("));
  filter->filter(e, ctx);
  EXPECT_TRUE(e.fields().empty());
}

}  // namespace
}  // namespace logpipe
