#include "engine/event/event.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/text/json_writer.h"

namespace logpipe {
namespace {

FieldRef ref(const char* text) { return FieldRef::must(text); }

// {"a":{"b":"ab"},"list":["x","y","z"],"objs":[{"k":1},{"k":2}],"n":5}
Event sample() {
  Event e;
  e.set(ref("[a][b]"), Value("ab"));
  e.set_top("list", Value(Array{Value("x"), Value("y"), Value("z")}));
  Object k1, k2;
  k1.set("k", Value(1));
  k2.set("k", Value(2));
  e.set_top("objs", Value(Array{Value(k1), Value(k2)}));
  e.set_top("n", Value(5));
  return e;
}

TEST(Event, LineConstructorSetsMessageTimestampAndVersion) {
  Timestamp before = Timestamp::now();
  Event e("hello");
  ASSERT_NE(e.message(), nullptr);
  EXPECT_EQ(*e.message(), "hello");
  ASSERT_NE(e.get_top("@version"), nullptr);
  EXPECT_EQ(*e.get_top("@version"), Value("1"));
  Timestamp ts;
  ASSERT_TRUE(e.timestamp(&ts));
  EXPECT_GE(ts.nanos, before.nanos);

  Event fixed("m", Timestamp{42});
  ASSERT_TRUE(fixed.timestamp(&ts));
  EXPECT_EQ(ts.nanos, 42);
}

TEST(Event, MessageAndTimestampAccessorsNeedTheRightKind) {
  Event e;
  EXPECT_EQ(e.message(), nullptr);
  Timestamp ts;
  EXPECT_FALSE(e.timestamp(&ts));
  e.set_top("message", Value(12));
  EXPECT_EQ(e.message(), nullptr);
  e.set_top("@timestamp", Value("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(e.timestamp(&ts));
  e.set_timestamp(Timestamp{7});
  ASSERT_TRUE(e.timestamp(&ts));
  EXPECT_EQ(ts.nanos, 7);
}

struct GetCase {
  const char* ref;
  const char* json;  // expected value as JSON; nullptr: missing
};

void PrintTo(const GetCase& c, std::ostream* os) { *os << c.ref; }

class EventGet : public ::testing::TestWithParam<GetCase> {};

TEST_P(EventGet, Resolves) {
  const GetCase& c = GetParam();
  Event e = sample();
  const Value* v = e.get(ref(c.ref));
  const Event& ce = e;
  EXPECT_EQ(ce.get(ref(c.ref)), v) << "const and non-const agree";
  if (!c.json) {
    EXPECT_EQ(v, nullptr) << to_json(*v);
    EXPECT_FALSE(e.has(ref(c.ref)));
  } else {
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(to_json(*v), c.json);
    EXPECT_TRUE(e.has(ref(c.ref)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Paths, EventGet,
    ::testing::Values(GetCase{"n", "5"}, GetCase{"[n]", "5"}, GetCase{"[a][b]", "\"ab\""},
                      GetCase{"[a]", R"({"b":"ab"})"}, GetCase{"[a][c]", nullptr},
                      GetCase{"[a][b][c]", nullptr}, GetCase{"[n][x]", nullptr},
                      GetCase{"[missing][b]", nullptr}, GetCase{"[list][0]", "\"x\""},
                      GetCase{"[list][2]", "\"z\""}, GetCase{"[list][3]", nullptr},
                      GetCase{"[list][-1]", "\"z\""}, GetCase{"[list][-3]", "\"x\""},
                      GetCase{"[list][-4]", nullptr}, GetCase{"[list][x]", nullptr},
                      GetCase{"[list][1x]", nullptr}, GetCase{"[objs][1][k]", "2"},
                      GetCase{"[objs][-2][k]", "1"}, GetCase{"[objs][5][k]", nullptr},
                      // A numeric name on an object is a key, not an index.
                      GetCase{"[a][0]", nullptr}, GetCase{"a.b", nullptr},
                      GetCase{"[@metadata][x]", nullptr}));

TEST(Event, NumericKeyOfAnObjectIsAKey) {
  Event e;
  e.set(ref("[h][0]"), Value("zero"));
  ASSERT_NE(e.get(ref("[h]")), nullptr);
  EXPECT_TRUE(e.get(ref("[h]"))->is_object());
  EXPECT_EQ(*e.get(ref("[h][0]")), Value("zero"));
}

TEST(Event, SetCreatesIntermediateObjects) {
  Event e;
  EXPECT_TRUE(e.set(ref("[a][b][c]"), Value(1)));
  EXPECT_EQ(to_json(Value(e.fields())), R"({"a":{"b":{"c":1}}})");
  EXPECT_TRUE(e.set(ref("[a][b][d]"), Value(2)));
  EXPECT_EQ(to_json(Value(e.fields())), R"({"a":{"b":{"c":1,"d":2}}})");
}

TEST(Event, SetReplacesAScalarIntermediate) {
  Event e;
  e.set_top("a", Value("scalar"));
  EXPECT_TRUE(e.set(ref("[a][b]"), Value(1)));
  EXPECT_EQ(to_json(Value(e.fields())), R"({"a":{"b":1}})");
}

TEST(Event, SetReplacesExistingValueInPlace) {
  Event e;
  e.set_top("first", Value(1));
  e.set_top("second", Value(2));
  e.set(ref("[first]"), Value("one"));
  EXPECT_EQ(to_json(Value(e.fields())), R"({"first":"one","second":2})");
}

TEST(Event, SetThroughArrayIndexes) {
  Event e = sample();
  EXPECT_TRUE(e.set(ref("[list][1]"), Value("Y")));
  EXPECT_TRUE(e.set(ref("[list][-1]"), Value("Z")));
  EXPECT_EQ(to_json(*e.get(ref("list"))), R"(["x","Y","Z"])");
  EXPECT_TRUE(e.set(ref("[objs][0][k]"), Value(10)));
  EXPECT_TRUE(e.set(ref("[objs][-1][new]"), Value(true)));
  EXPECT_EQ(to_json(*e.get(ref("objs"))), R"([{"k":10},{"k":2,"new":true}])");
  EXPECT_TRUE(e.set(ref("[objs][1][deep][er]"), Value(3)));
  EXPECT_EQ(to_json(*e.get(ref("[objs][1][deep]"))), R"({"er":3})");
}

TEST(Event, SetOutOfRangeIndexFailsAndChangesNothing) {
  Event e = sample();
  std::string before = to_json(Value(e.fields()));
  EXPECT_FALSE(e.set(ref("[list][3]"), Value("w")));
  EXPECT_FALSE(e.set(ref("[list][-4]"), Value("w")));
  EXPECT_FALSE(e.set(ref("[list][x]"), Value("w")));
  EXPECT_EQ(to_json(Value(e.fields())), before);
}

TEST(Event, NestedArraysKeepTheirElements) {
  Event e;
  e.set_top("m", Value(Array{Value(Array{Value(1), Value(2)}), Value(Array{Value(3)})}));
  ASSERT_NE(e.get(ref("[m][0][1]")), nullptr);
  EXPECT_EQ(*e.get(ref("[m][0][1]")), Value(2));
  EXPECT_EQ(*e.get(ref("[m][-1][0]")), Value(3));
  EXPECT_TRUE(e.set(ref("[m][0][1]"), Value(20)));
  EXPECT_EQ(to_json(*e.get(ref("m"))), "[[1,20],[3]]");
}

TEST(Event, RemoveNested) {
  Event e = sample();
  EXPECT_TRUE(e.remove(ref("[a][b]")));
  EXPECT_FALSE(e.remove(ref("[a][b]")));
  ASSERT_NE(e.get(ref("a")), nullptr);
  EXPECT_EQ(to_json(*e.get(ref("a"))), "{}");
  EXPECT_TRUE(e.remove(ref("n")));
  EXPECT_FALSE(e.has(ref("n")));
  EXPECT_FALSE(e.remove(ref("[missing][x]")));
  EXPECT_FALSE(e.remove(ref("[n][x]")));
}

TEST(Event, RemoveArrayElements) {
  Event e = sample();
  EXPECT_TRUE(e.remove(ref("[list][-1]")));
  EXPECT_EQ(to_json(*e.get(ref("list"))), R"(["x","y"])");
  EXPECT_TRUE(e.remove(ref("[list][0]")));
  EXPECT_EQ(to_json(*e.get(ref("list"))), R"(["y"])");
  EXPECT_FALSE(e.remove(ref("[list][1]")));
  EXPECT_TRUE(e.remove(ref("[objs][1][k]")));
  EXPECT_EQ(to_json(*e.get(ref("objs"))), R"([{"k":1},{}])");
}

TEST(Event, MetadataIsSeparateFromFields) {
  Event e("msg", Timestamp{0});
  EXPECT_TRUE(e.set(ref("[@metadata][kafka][offset]"), Value(17)));
  EXPECT_TRUE(e.set(ref("[@metadata][index]"), Value("logs")));
  EXPECT_EQ(*e.get(ref("[@metadata][kafka][offset]")), Value(17));
  EXPECT_EQ(e.get(ref("[kafka][offset]")), nullptr);
  EXPECT_EQ(e.get(ref("@metadata")), nullptr) << "not a field";
  EXPECT_EQ(e.fields().find("@metadata"), nullptr);
  EXPECT_EQ(to_json(Value(e.metadata())), R"({"kafka":{"offset":17},"index":"logs"})");

  // Outputs never see it.
  std::string json;
  append_event_json(e, json);
  EXPECT_EQ(json.find("kafka"), std::string::npos) << json;
  EXPECT_EQ(json.find("metadata"), std::string::npos) << json;

  // A field of the same name does not collide.
  e.set(ref("index"), Value("field"));
  EXPECT_EQ(*e.get(ref("[@metadata][index]")), Value("logs"));

  EXPECT_TRUE(e.remove(ref("[@metadata][index]")));
  EXPECT_EQ(e.get(ref("[@metadata][index]")), nullptr);
  EXPECT_EQ(*e.get(ref("index")), Value("field"));

  EXPECT_TRUE(e.remove(ref("[@metadata]")));
  EXPECT_TRUE(e.metadata().empty());
  EXPECT_FALSE(e.remove(ref("[@metadata]")));
}

TEST(Event, SetWholeMetadataNeedsAnObject) {
  Event e;
  Object o;
  o.set("a", Value(1));
  EXPECT_TRUE(e.set(ref("[@metadata]"), Value(o)));
  EXPECT_EQ(*e.get(ref("[@metadata][a]")), Value(1));
  EXPECT_FALSE(e.set(ref("[@metadata]"), Value("scalar")));
  EXPECT_EQ(*e.get(ref("[@metadata][a]")), Value(1));
}

TEST(Event, TagsAddDedupeRemove) {
  Event e;
  EXPECT_FALSE(e.has_tag("a"));
  e.add_tag("a");
  e.add_tag("b");
  e.add_tag("a");
  EXPECT_EQ(to_json(*e.get_top("tags")), R"(["a","b"])");
  EXPECT_TRUE(e.has_tag("a"));
  EXPECT_TRUE(e.has_tag("b"));
  EXPECT_FALSE(e.has_tag("c"));
  e.remove_tag("a");
  EXPECT_EQ(to_json(*e.get_top("tags")), R"(["b"])");
  EXPECT_FALSE(e.has_tag("a"));
  e.remove_tag("not-there");
  EXPECT_EQ(to_json(*e.get_top("tags")), R"(["b"])");
}

TEST(Event, RemoveTagRemovesEveryCopy) {
  Event e;
  e.set_top("tags", Value(Array{Value("x"), Value("y"), Value("x")}));
  e.remove_tag("x");
  EXPECT_EQ(to_json(*e.get_top("tags")), R"(["y"])");
}

TEST(Event, ScalarTagsBecomeAnArray) {
  Event e;
  e.set_top("tags", Value("old"));
  EXPECT_TRUE(e.has_tag("old"));
  EXPECT_FALSE(e.has_tag("ol"));
  e.add_tag("new");
  EXPECT_EQ(to_json(*e.get_top("tags")), R"(["old","new"])");

  Event same;
  same.set_top("tags", Value("t"));
  same.add_tag("t");
  EXPECT_EQ(to_json(*same.get_top("tags")), R"(["t"])");

  Event removed;
  removed.set_top("tags", Value("t"));
  removed.remove_tag("other");
  EXPECT_TRUE(removed.has_tag("t"));
  removed.remove_tag("t");
  EXPECT_FALSE(removed.has_tag("t"));
}

TEST(Event, NullTagsStartAFreshArray) {
  Event e;
  e.set_top("tags", Value());
  e.add_tag("t");
  EXPECT_EQ(to_json(*e.get_top("tags")), R"(["t"])");
}

TEST(Event, Cancel) {
  Event e;
  EXPECT_FALSE(e.cancelled());
  e.cancel();
  EXPECT_TRUE(e.cancelled());
}

}  // namespace
}  // namespace logpipe
