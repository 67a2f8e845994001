#include "engine/text/json_reader.h"
#include "engine/text/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "engine/text/json_writer.h"

namespace logpipe {
namespace {

struct ParseCase {
  std::string input;
  std::string expected_json;  // the parsed value written back as JSON
};
inline void PrintTo(const ParseCase& c, std::ostream* os) { *os << "input of " << c.input.size() << " bytes"; }

class JsonReaderParses : public ::testing::TestWithParam<ParseCase> {};

TEST_P(JsonReaderParses, ToTheExpectedValue) {
  const ParseCase& c = GetParam();
  Value v;
  std::string error;
  ASSERT_TRUE(parse_json(c.input, &v, &error)) << c.input << ": " << error;
  EXPECT_EQ(to_json(v), c.expected_json) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Documents, JsonReaderParses,
    ::testing::Values(
        ParseCase{R"({"b":1,"a":2,"c":3})", R"({"b":1,"a":2,"c":3})"},  // order kept
        ParseCase{R"({"a":1,"b":2,"a":3})", R"({"a":3,"b":2})"},         // last value, first place
        ParseCase{R"( { "a" : [ 1 , "x" , null , true , false , { } , [ ] ] } )",
                  R"({"a":[1,"x",null,true,false,{},[]]})"},
        ParseCase{R"({"n":{"m":{"o":[[1],[2,[3]]]}}})", R"({"n":{"m":{"o":[[1],[2,[3]]]}}})"},
        ParseCase{R"("\u00e9\n\"\\\/\ud83d\ude00")", "\"\xC3\xA9\\n\\\"\\\\/\xF0\x9F\x98\x80\""},
        ParseCase{"\"caf\xC3\xA9\"", "\"caf\xC3\xA9\""},
        ParseCase{"42", "42"},
        ParseCase{"-7", "-7"},
        ParseCase{"1.5", "1.5"},
        ParseCase{"1e3", "1000.0"},
        ParseCase{"true", "true"},
        ParseCase{"null", "null"},
        ParseCase{R"("x")", R"("x")"},
        ParseCase{"9223372036854775807", "9223372036854775807"},
        ParseCase{"-9223372036854775808", "-9223372036854775808"},
        // Beyond int64: the nearest double (written back as the JSON writer does).
        ParseCase{"9223372036854775808", "9223372036854775808.0"},
        ParseCase{"18446744073709551615", "18446744073709551616.0"},
        ParseCase{"-9223372036854775809", "-9223372036854775808.0"},
        ParseCase{"123456789012345678901234", "1.2345678901234569e+23"},
        ParseCase{R"({"id":123456789012345678901234,"b":[1,2.5,"s",{"c":null}]})",
                  R"({"id":1.2345678901234569e+23,"b":[1,2.5,"s",{"c":null}]})"},
        ParseCase{R"([123456789012345678901234, {"a":1,"a":2}])",
                  R"([1.2345678901234569e+23,{"a":2}])"}));

TEST(JsonReader, KeepsInt64AsIntAndMakesLargerIntegersFloat) {
  Value v;
  ASSERT_TRUE(parse_json("[9223372036854775807, 9223372036854775808, 1.0]", &v, nullptr));
  EXPECT_TRUE(v.as_array()[0].is_int());
  EXPECT_TRUE(v.as_array()[1].is_float());
  EXPECT_DOUBLE_EQ(v.as_array()[1].as_float(), 9223372036854775808.0);
  EXPECT_TRUE(v.as_array()[2].is_float());
}

struct FailCase {
  std::string input;
  std::string reason_contains;
};
inline void PrintTo(const FailCase& c, std::ostream* os) { *os << "input of " << c.input.size() << " bytes"; }

class JsonReaderRejects : public ::testing::TestWithParam<FailCase> {};

TEST_P(JsonReaderRejects, WithAReadableReason) {
  const FailCase& c = GetParam();
  Value v;
  std::string error;
  EXPECT_FALSE(parse_json(c.input, &v, &error)) << c.input;
  EXPECT_NE(error.find(c.reason_contains), std::string::npos)
      << c.input << " gave: " << error;
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, JsonReaderRejects,
    ::testing::Values(FailCase{"", "no JSON value"},
                      FailCase{"   \n ", "no JSON value"},
                      FailCase{"{", "malformed"},
                      FailCase{R"({"a":})", ""},
                      FailCase{"[1,]", ""},
                      FailCase{R"({"a" 1})", ""},
                      FailCase{"{} x", ""},
                      FailCase{"\"a\xFF\"", "UTF-8"},
                      FailCase{"{\"k\xC0\":1}", "UTF-8"},
                      FailCase{"\"tab\there\"", "control character"},
                      FailCase{R"("\x")", "escape"},
                      FailCase{R"("open)", ""},
                      FailCase{"01", "number"},
                      FailCase{"1e400", "number"},
                      FailCase{"tru", "literal"},
                      FailCase{"nul", "literal"},
                      // The big-integer path validates as strictly as the fast one.
                      FailCase{"[123456789012345678901234,]", ""},
                      FailCase{R"({"a":123456789012345678901234} x)", ""},
                      FailCase{"123456789012345678901234 5", ""},
                      FailCase{"[123456789012345678901234, 1e400]", "number"}));

TEST(JsonReader, RejectsNestingDeeperThan1024Levels) {
  std::string deep(2000, '[');
  deep += std::string(2000, ']');
  Value v;
  std::string error;
  EXPECT_FALSE(parse_json(deep, &v, &error));
  EXPECT_NE(error.find("nested deeper"), std::string::npos) << error;
}

TEST(JsonReader, ReadsOnlyTheGivenBytes) {
  // The view ends before the garbage; the padding is our own copy.
  std::string backing = R"({"a":1}garbage)";
  Value v;
  std::string error;
  ASSERT_TRUE(parse_json(std::string_view(backing.data(), 7), &v, &error)) << error;
  EXPECT_EQ(to_json(v), R"({"a":1})");
}

TEST(JsonReader, ErrorPointerMayBeNull) {
  Value v;
  EXPECT_FALSE(parse_json("{", &v, nullptr));
}

TEST(JsonReader, HandlesAHugeDocumentThenSmallOnes) {
  std::string big = "[";
  for (int i = 0; i < 300000; ++i) big += "\"abcdef\",";
  big += "1]";
  Value v;
  std::string error;
  ASSERT_TRUE(parse_json(big, &v, &error)) << error;
  EXPECT_EQ(v.as_array().size(), 300001u);
  ASSERT_TRUE(parse_json(R"({"small":true})", &v, &error)) << error;
  EXPECT_EQ(to_json(v), R"({"small":true})");
}

TEST(JsonReader, StringsWithNulBytesKeepThem) {
  Value v;
  std::string error;
  ASSERT_TRUE(parse_json(R"("a\u0000b")", &v, &error)) << error;
  EXPECT_EQ(v.as_string(), std::string("a\0b", 3));
}

TEST(JsonReader, ParsesOnSeveralThreadsAtOnce) {
  auto work = [](int id, bool* ok) {
    *ok = true;
    for (int i = 0; i < 2000; ++i) {
      std::string doc = "{\"thread\":" + std::to_string(id) + ",\"i\":" + std::to_string(i) + "}";
      Value v;
      if (!parse_json(doc, &v, nullptr) || to_json(v) != doc) *ok = false;
    }
  };
  bool ok1 = false, ok2 = false;
  std::thread t1(work, 1, &ok1), t2(work, 2, &ok2);
  t1.join();
  t2.join();
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(ok2);
}

TEST(Utf8Repair, ReplacesEachInvalidByteWithTheReplacementCharacter) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"plain", "plain"},
      {"caf\xC3\xA9", "caf\xC3\xA9"},
      {"a\xFF" "b", "a\xEF\xBF\xBD" "b"},
      {"\xC3", "\xEF\xBF\xBD"},                                  // truncated sequence
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // overlong
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // surrogate
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
  };
  for (auto& c : cases) {
    std::string out;
    append_repaired_utf8(c.in, out);
    EXPECT_EQ(out, c.out);
    EXPECT_EQ(valid_utf8(c.in), c.in == c.out);
  }
}

}  // namespace
}  // namespace logpipe
