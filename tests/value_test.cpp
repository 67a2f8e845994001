#include "engine/event/value.h"
#include "engine/text/json_reader.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace logpipe {
namespace {

// Built with Howard Hinnant's date library, independently of Timestamp's own arithmetic.
Timestamp at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int64_t nanos = 0) {
  const int64_t days = date::sys_days{date::year{y} / mo / d}.time_since_epoch().count();
  return Timestamp{(days * 86400 + h * 3600 + mi * 60 + s) * 1000000000LL + nanos};
}

Value arr(std::initializer_list<Value> xs) { return Value(Array(xs)); }

Value obj(std::initializer_list<std::pair<const char*, Value>> kvs) {
  Object o;
  for (auto& [k, v] : kvs) o.set(k, v);
  return Value(std::move(o));
}

struct StringCase {
  const char* what;
  Value value;
  std::string expected;
};

void PrintTo(const StringCase& c, std::ostream* os) { *os << c.what; }

class ValueToString : public ::testing::TestWithParam<StringCase> {};

TEST_P(ValueToString, PrintsAsLogstashDoes) {
  const StringCase& c = GetParam();
  EXPECT_EQ(c.value.to_string(), c.expected);
  std::string appended = "prefix:";
  c.value.append_string(appended);
  EXPECT_EQ(appended, "prefix:" + c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, ValueToString,
    ::testing::Values(
        StringCase{"null is empty", Value(), ""},
        StringCase{"true", Value(true), "true"},
        StringCase{"false", Value(false), "false"},
        StringCase{"zero", Value(0), "0"},
        StringCase{"negative int", Value(-42), "-42"},
        StringCase{"int64 max", Value(std::numeric_limits<int64_t>::max()), "9223372036854775807"},
        StringCase{"int64 min", Value(std::numeric_limits<int64_t>::min()), "-9223372036854775808"},
        // Ruby's Float#to_s: always a fractional part; fixed notation while the
        // decimal exponent is in (-4, 16], scientific (e+NN / e-NN) outside.
        StringCase{"float 1.0", Value(1.0), "1.0"},
        StringCase{"float 1.5", Value(1.5), "1.5"},
        StringCase{"float 0.1", Value(0.1), "0.1"},
        StringCase{"float -2.5", Value(-2.5), "-2.5"},
        StringCase{"float 0.0", Value(0.0), "0.0"},
        StringCase{"float -0.0", Value(-0.0), "-0.0"},
        StringCase{"float 100.0", Value(100.0), "100.0"},
        StringCase{"float 100000.0", Value(100000.0), "100000.0"},
        StringCase{"float 1e15", Value(1e15), "1000000000000000.0"},
        StringCase{"float 1.0e+16", Value(1e16), "1.0e+16"},
        StringCase{"float 1.5e+20", Value(1.5e20), "1.5e+20"},
        StringCase{"float 1.0e+100", Value(1e100), "1.0e+100"},
        StringCase{"float 0.0001", Value(0.0001), "0.0001"},
        StringCase{"float 0.001", Value(0.001), "0.001"},
        StringCase{"float 1.0e-05", Value(0.00001), "1.0e-05"},
        StringCase{"float -1.25e-07", Value(-1.25e-7), "-1.25e-07"},
        StringCase{"float 123.456", Value(123.456), "123.456"},
        StringCase{"float 1/3", Value(1.0 / 3), "0.3333333333333333"},
        StringCase{"NaN", Value(std::nan("")), "NaN"},
        StringCase{"Infinity", Value(std::numeric_limits<double>::infinity()), "Infinity"},
        StringCase{"-Infinity", Value(-std::numeric_limits<double>::infinity()), "-Infinity"},
        StringCase{"string as is", Value("héllo wörld"), "héllo wörld"},
        StringCase{"empty string", Value(""), ""},
        StringCase{"timestamp", Value(at(2026, 11, 26, 4, 55, 19, 123000000)),
                   "2026-11-26T04:55:19.123Z"},
        StringCase{"array joined with comma", arr({Value("a"), Value(1), Value(1.5), Value(true)}),
                   "a,1,1.5,true"},
        StringCase{"empty array", Value(Array()), ""},
        StringCase{"array with null element", arr({Value("a"), Value(), Value("b")}), "a,,b"},
        StringCase{"nested array flattened by join", arr({Value("a"), arr({Value("b"), Value("c")})}),
                   "a,b,c"},
        StringCase{"object as JSON", obj({{"a", Value(1)}, {"b", Value("x\"y")}}),
                   R"({"a":1,"b":"x\"y"})"},
        StringCase{"nested object as JSON",
                   obj({{"a", obj({{"b", arr({Value(1), Value(2.0)})}})}, {"n", Value()}}),
                   R"({"a":{"b":[1,2.0]},"n":null})"},
        StringCase{"array of objects", arr({obj({{"a", Value(1)}}), Value("z")}), R"({"a":1},z)"}));

struct TimestampCase {
  const char* what;
  Timestamp ts;
  std::string expected;
};

void PrintTo(const TimestampCase& c, std::ostream* os) { *os << c.what; }

class TimestampIso : public ::testing::TestWithParam<TimestampCase> {};

TEST_P(TimestampIso, FormatsIso8601Utc) {
  const TimestampCase& c = GetParam();
  EXPECT_EQ(c.ts.to_iso8601(), c.expected);
  std::string appended = "@";
  c.ts.append_iso8601(appended);
  EXPECT_EQ(appended, "@" + c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Precision, TimestampIso,
    ::testing::Values(
        TimestampCase{"epoch", Timestamp{0}, "1970-01-01T00:00:00.000Z"},
        TimestampCase{"millis always", at(2026, 11, 26, 4, 55, 19), "2026-11-26T04:55:19.000Z"},
        TimestampCase{"millis", at(2026, 11, 26, 4, 55, 19, 7000000), "2026-11-26T04:55:19.007Z"},
        TimestampCase{"micros when present", at(2026, 11, 26, 4, 55, 19, 123456000),
                      "2026-11-26T04:55:19.123456Z"},
        TimestampCase{"micros keep trailing zero group", at(2026, 11, 26, 4, 55, 19, 1500000),
                      "2026-11-26T04:55:19.001500Z"},
        TimestampCase{"nanos when present", at(2026, 11, 26, 4, 55, 19, 123456789),
                      "2026-11-26T04:55:19.123456789Z"},
        TimestampCase{"one nanosecond", Timestamp{1}, "1970-01-01T00:00:00.000000001Z"},
        TimestampCase{"leap day", at(2024, 2, 29, 23, 59, 59, 999000000),
                      "2024-02-29T23:59:59.999Z"},
        TimestampCase{"century non-leap boundary", at(2100, 3, 1), "2100-03-01T00:00:00.000Z"},
        TimestampCase{"one ns before epoch", Timestamp{-1}, "1969-12-31T23:59:59.999999999Z"},
        TimestampCase{"one ms before epoch", Timestamp{-1000000}, "1969-12-31T23:59:59.999Z"},
        TimestampCase{"one s before epoch", Timestamp{-1000000000LL}, "1969-12-31T23:59:59.000Z"},
        TimestampCase{"pre-1970 date", at(1901, 12, 13, 20, 45, 52, 250000000),
                      "1901-12-13T20:45:52.250Z"},
        // int64 nanoseconds span 1677-09-21 .. 2262-04-11; both ends format.
        TimestampCase{"latest representable", Timestamp{std::numeric_limits<int64_t>::max()},
                      "2262-04-11T23:47:16.854775807Z"},
        TimestampCase{"earliest representable", Timestamp{std::numeric_limits<int64_t>::min()},
                      "1677-09-21T00:12:43.145224192Z"},
        TimestampCase{"year 2262", at(2262, 1, 1, 0, 0, 0, 5000000), "2262-01-01T00:00:00.005Z"},
        TimestampCase{"year 1678", at(1678, 1, 1), "1678-01-01T00:00:00.000Z"}));

TEST(Timestamp, SecondsAndMillisFloorBeforeEpoch) {
  EXPECT_EQ(Timestamp{-1}.seconds(), -1);
  EXPECT_EQ(Timestamp{-1}.millis(), -1);
  EXPECT_EQ(Timestamp{-1000000000LL}.seconds(), -1);
  EXPECT_EQ(Timestamp{-1000000001LL}.seconds(), -2);
  EXPECT_EQ(Timestamp{1999999999LL}.seconds(), 1);
  EXPECT_EQ(Timestamp{1999999999LL}.millis(), 1999);
  EXPECT_EQ(Timestamp::from_seconds(-5).seconds(), -5);
  EXPECT_EQ(Timestamp::from_seconds(1700000000).nanos, 1700000000000000000LL);
}

TEST(Timestamp, NowIsAfter2020) { EXPECT_GT(Timestamp::now().nanos, at(2020, 1, 1).nanos); }

struct TruthyCase {
  const char* what;
  Value value;
  bool truthy;
};

void PrintTo(const TruthyCase& c, std::ostream* os) { *os << c.what; }

class ValueTruthy : public ::testing::TestWithParam<TruthyCase> {};

TEST_P(ValueTruthy, FollowsLogstash) { EXPECT_EQ(GetParam().value.truthy(), GetParam().truthy); }

INSTANTIATE_TEST_SUITE_P(
    Kinds, ValueTruthy,
    ::testing::Values(TruthyCase{"null", Value(), false}, TruthyCase{"false", Value(false), false},
                      TruthyCase{"true", Value(true), true},
                      TruthyCase{"empty string", Value(""), false},
                      TruthyCase{"string false", Value("false"), false},
                      TruthyCase{"string FALSE is truthy", Value("FALSE"), true},
                      TruthyCase{"string 0", Value("0"), true},
                      TruthyCase{"space", Value(" "), true}, TruthyCase{"int 0", Value(0), true},
                      TruthyCase{"float 0", Value(0.0), true},
                      TruthyCase{"timestamp", Value(Timestamp{0}), true},
                      TruthyCase{"array", arr({Value(1)}), true},
                      TruthyCase{"object", obj({{"a", Value(1)}}), true}));

struct EqCase {
  const char* what;
  Value a, b;
  bool equal;
};

void PrintTo(const EqCase& c, std::ostream* os) { *os << c.what; }

class ValueEquality : public ::testing::TestWithParam<EqCase> {};

TEST_P(ValueEquality, RubyEquality) {
  const EqCase& c = GetParam();
  EXPECT_EQ(c.a == c.b, c.equal);
  EXPECT_EQ(c.b == c.a, c.equal) << "symmetric";
  EXPECT_EQ(c.a != c.b, !c.equal);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, ValueEquality,
    ::testing::Values(
        EqCase{"int == float", Value(1), Value(1.0), true},
        EqCase{"int != other float", Value(1), Value(1.5), false},
        EqCase{"string never equals number", Value("1"), Value(1), false},
        EqCase{"string never equals float", Value("1.0"), Value(1.0), false},
        EqCase{"large ints compared exactly", Value(int64_t{9007199254740993}),
               Value(int64_t{9007199254740992}), false},
        EqCase{"null == null", Value(), Value(), true},
        EqCase{"null != empty string", Value(), Value(""), false},
        EqCase{"null != false", Value(), Value(false), false},
        EqCase{"bool", Value(true), Value(true), true},
        EqCase{"bool differs", Value(true), Value(false), false},
        EqCase{"true != 1", Value(true), Value(1), false},
        EqCase{"strings", Value("abc"), Value("abc"), true},
        EqCase{"strings are case sensitive", Value("abc"), Value("ABC"), false},
        EqCase{"timestamps", Value(Timestamp{5}), Value(Timestamp{5}), true},
        EqCase{"timestamps differ", Value(Timestamp{5}), Value(Timestamp{6}), false},
        EqCase{"timestamp != its string", Value(Timestamp{0}), Value("1970-01-01T00:00:00.000Z"),
               false},
        EqCase{"arrays elementwise, numbers by value", arr({Value(1), Value("a")}),
               arr({Value(1.0), Value("a")}), true},
        EqCase{"arrays order matters", arr({Value(1), Value(2)}), arr({Value(2), Value(1)}), false},
        EqCase{"arrays length", arr({Value(1)}), arr({Value(1), Value(1)}), false},
        EqCase{"objects ignore key order", obj({{"a", Value(1)}, {"b", Value(2)}}),
               obj({{"b", Value(2)}, {"a", Value(1.0)}}), true},
        EqCase{"objects differ in a value", obj({{"a", Value(1)}}), obj({{"a", Value(2)}}), false},
        EqCase{"objects differ in keys", obj({{"a", Value(1)}}),
               obj({{"a", Value(1)}, {"b", Value(1)}}), false},
        EqCase{"array != object", Value(Array()), Value(Object()), false}));

TEST(Object, KeepsInsertionOrderAndReplacesInPlace) {
  Object o;
  o.set("z", Value(1));
  o.set("a", Value(2));
  o.set("z", Value(3));
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o.entries()[0].first, "z");
  EXPECT_EQ(o.entries()[0].second, Value(3));
  EXPECT_EQ(o.entries()[1].first, "a");
  o["m"] = Value("new");
  EXPECT_EQ(o.entries()[2].first, "m");
  EXPECT_TRUE(o.erase("z"));
  EXPECT_FALSE(o.erase("z"));
  EXPECT_EQ(o.find("z"), nullptr);
  EXPECT_EQ(o.entries()[0].first, "a");
}

TEST(Object, RenameKeepsPositionAndReplacesTarget) {
  Object o;
  o.set("a", Value(1));
  o.set("b", Value(2));
  o.set("c", Value(3));
  EXPECT_TRUE(o.rename("b", "x"));
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o.entries()[1].first, "x");
  EXPECT_EQ(o.entries()[1].second, Value(2));

  EXPECT_TRUE(o.rename("a", "c"));  // c is replaced by a's value
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(*o.find("c"), Value(1));
  EXPECT_EQ(o.find("a"), nullptr);

  EXPECT_FALSE(o.rename("missing", "y"));
  EXPECT_EQ(o.find("y"), nullptr);
  EXPECT_TRUE(o.rename("x", "x"));
  EXPECT_FALSE(o.rename("nope", "nope"));
}

}  // namespace
}  // namespace logpipe

namespace logpipe {
namespace {

// Past a few dozen keys an Object is indexed: lookups stay right through
// every way of changing it, and building 20,000 keys is not quadratic.
TEST(ObjectIndex, LookupsStayRightThroughEveryChange) {
  Object o;
  for (int i = 0; i < 20000; ++i) o.set("k" + std::to_string(i), Value(i));
  ASSERT_EQ(o.size(), 20000u);
  EXPECT_EQ(o.find("k19999")->as_int(), 19999);
  EXPECT_EQ(o.find("nope"), nullptr);
  o.set("k5", Value("five"));  // replaced, not added
  EXPECT_EQ(o.size(), 20000u);
  EXPECT_EQ(o.find("k5")->as_string(), "five");
  EXPECT_TRUE(o.erase("k0"));
  EXPECT_EQ(o.find("k0"), nullptr);
  EXPECT_EQ(o.find("k1")->as_int(), 1);
  EXPECT_TRUE(o.rename("k2", "two"));
  EXPECT_EQ(o.find("k2"), nullptr);
  EXPECT_EQ(o.find("two")->as_int(), 2);
  o.append("new", Value(true));
  EXPECT_TRUE(o.find("new")->as_bool());
  // Raw access may change a key: the index does not survive it.
  o.entries()[10].first = "renamed by hand";
  EXPECT_EQ(o.find("renamed by hand")->as_int(), 11);
  o.entries().emplace_back("pushed by hand", Value(7));
  EXPECT_EQ(o.find("pushed by hand")->as_int(), 7);
  const Object copy = o;
  EXPECT_EQ(copy.find("k19999")->as_int(), 19999);
  EXPECT_EQ(copy.find("pushed by hand")->as_int(), 7);
  EXPECT_EQ(copy, o);
  Object moved = std::move(o);
  EXPECT_EQ(moved.find("two")->as_int(), 2);
  Value& made = moved["made by []"];
  EXPECT_TRUE(made.is_null());
  EXPECT_EQ(moved.find("made by []"), &made);
}

TEST(ObjectIndex, TwentyThousandJsonKeysTheLastDuplicateWins) {
  std::string json = "{";
  for (int i = 0; i < 20000; ++i) json += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  json += ",\"k7\":\"last wins\"}";
  Value v;
  std::string error;
  ASSERT_TRUE(parse_json(json, &v, &error)) << error;
  EXPECT_EQ(v.as_object().size(), 20000u);
  EXPECT_EQ(v.as_object().find("k7")->as_string(), "last wins");
  EXPECT_EQ(v.as_object().find("k19999")->as_int(), 19999);
}

}  // namespace
}  // namespace logpipe
