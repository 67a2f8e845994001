#include "engine/text/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace logpipe {
namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(s, out);
  return out;
}

// Parses `json` (a JSON string literal) back with simdjson, which rejects
// invalid JSON and invalid UTF-8.
std::string parse_back_string(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto err = parser.parse(json).get(doc);
  EXPECT_EQ(err, simdjson::SUCCESS) << json;
  if (err) return "<invalid>";
  std::string_view sv;
  EXPECT_EQ(doc.get(sv), simdjson::SUCCESS);
  return std::string(sv);
}

struct StringCase {
  const char* what;
  std::string input;
  std::string expected;  // the JSON literal, quotes included
};

void PrintTo(const StringCase& c, std::ostream* os) { *os << c.what; }

class JsonString : public ::testing::TestWithParam<StringCase> {};

TEST_P(JsonString, EscapesAndRepairs) {
  const StringCase& c = GetParam();
  std::string out = json_string(c.input);
  EXPECT_EQ(out, c.expected);
  // Always valid JSON with valid UTF-8; appending keeps what was there.
  parse_back_string(out);
  std::string appended = "x";
  append_json_string(c.input, appended);
  EXPECT_EQ(appended, "x" + c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Escapes, JsonString,
    ::testing::Values(
        StringCase{"empty", "", R"("")"}, StringCase{"plain", "hello world", R"("hello world")"},
        StringCase{"quote", "say \"hi\"", R"("say \"hi\"")"},
        StringCase{"backslash", "C:\\path\\", R"("C:\\path\\")"},
        StringCase{"slash untouched", "a/b", R"("a/b")"},
        StringCase{"newline cr tab", "a\nb\rc\td", R"("a\nb\rc\td")"},
        StringCase{"backspace formfeed", "\b\f", R"("\b\f")"},
        StringCase{"NUL", std::string("a\0b", 3), R"("a\u0000b")"},
        StringCase{"other controls", "\x01\x1f\x0b", R"("\u0001\u001f\u000b")"},
        StringCase{"escape char", "\x1b[0m", R"("\u001b[0m")"},
        StringCase{"DEL", "\x7f", R"("\u007f")"},
        StringCase{"long run then escape", std::string(100, 'a') + "\"" + std::string(50, 'b'),
                   "\"" + std::string(100, 'a') + "\\\"" + std::string(50, 'b') + "\""}));

INSTANTIATE_TEST_SUITE_P(
    ValidUtf8Untouched, JsonString,
    ::testing::Values(StringCase{"2-byte lowest U+0080", "\xC2\x80", "\"\xC2\x80\""},
                      StringCase{"2-byte e-acute", "caf\xC3\xA9", "\"caf\xC3\xA9\""},
                      StringCase{"2-byte highest U+07FF", "\xDF\xBF", "\"\xDF\xBF\""},
                      StringCase{"3-byte lowest U+0800", "\xE0\xA0\x80", "\"\xE0\xA0\x80\""},
                      StringCase{"3-byte euro", "\xE2\x82\xAC 5", "\"\xE2\x82\xAC 5\""},
                      StringCase{"3-byte before surrogates U+D7FF", "\xED\x9F\xBF",
                                 "\"\xED\x9F\xBF\""},
                      StringCase{"3-byte after surrogates U+E000", "\xEE\x80\x80",
                                 "\"\xEE\x80\x80\""},
                      StringCase{"3-byte U+FFFD itself", "\xEF\xBF\xBD", "\"\xEF\xBF\xBD\""},
                      StringCase{"4-byte lowest U+10000", "\xF0\x90\x80\x80",
                                 "\"\xF0\x90\x80\x80\""},
                      StringCase{"4-byte emoji", "\xF0\x9F\x98\x80!", "\"\xF0\x9F\x98\x80!\""},
                      StringCase{"4-byte highest U+10FFFF", "\xF4\x8F\xBF\xBF",
                                 "\"\xF4\x8F\xBF\xBF\""},
                      StringCase{"mixed", "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z",
                                 "\"a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z\""}));

// Each byte that does not start a valid sequence becomes one U+FFFD, and the
// scan resumes at the next byte.
INSTANTIATE_TEST_SUITE_P(
    InvalidUtf8, JsonString,
    ::testing::Values(
        StringCase{"lone continuation", "a\x80z", "\"a" + kFFFD + "z\""},
        StringCase{"0xFF", "\xFF", "\"" + kFFFD + "\""},
        StringCase{"0xFE", "x\xFEy", "\"x" + kFFFD + "y\""},
        StringCase{"latin-1 byte", "caf\xE9!", "\"caf" + kFFFD + "!\""},
        StringCase{"overlong 2-byte slash C0 AF", "\xC0\xAF", "\"" + repeat(kFFFD, 2) + "\""},
        StringCase{"overlong 2-byte C1 BF", "\xC1\xBF", "\"" + repeat(kFFFD, 2) + "\""},
        StringCase{"overlong 3-byte E0 80 AF", "\xE0\x80\xAF", "\"" + repeat(kFFFD, 3) + "\""},
        StringCase{"overlong 3-byte E0 9F BF", "\xE0\x9F\xBF", "\"" + repeat(kFFFD, 3) + "\""},
        StringCase{"overlong 4-byte F0 80 80 AF", "\xF0\x80\x80\xAF",
                   "\"" + repeat(kFFFD, 4) + "\""},
        StringCase{"overlong 4-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF",
                   "\"" + repeat(kFFFD, 4) + "\""},
        StringCase{"high surrogate U+D800", "\xED\xA0\x80", "\"" + repeat(kFFFD, 3) + "\""},
        StringCase{"low surrogate U+DFFF", "\xED\xBF\xBF", "\"" + repeat(kFFFD, 3) + "\""},
        StringCase{"above U+10FFFF F4 90", "\xF4\x90\x80\x80", "\"" + repeat(kFFFD, 4) + "\""},
        StringCase{"F5 lead", "\xF5\x80\x80\x80", "\"" + repeat(kFFFD, 4) + "\""},
        StringCase{"F8 5-byte form", "\xF8\x88\x80\x80\x80", "\"" + repeat(kFFFD, 5) + "\""},
        StringCase{"truncated 2-byte at end", "ab\xC3", "\"ab" + kFFFD + "\""},
        StringCase{"truncated 3-byte at end", "ab\xE2\x82", "\"ab" + repeat(kFFFD, 2) + "\""},
        StringCase{"truncated 4-byte at end", "\xF0\x9F\x98", "\"" + repeat(kFFFD, 3) + "\""},
        StringCase{"truncated 3-byte before ASCII", "\xE2\x82z", "\"" + repeat(kFFFD, 2) + "z\""},
        StringCase{"bad continuation then valid", "\xE2\x28\xA1", "\"" + kFFFD + "(" + kFFFD + "\""},
        StringCase{"lead followed by quote", "\xC3\"", "\"" + kFFFD + "\\\"\""},
        StringCase{"invalid between valid", "\xC3\xA9\xFF\xC3\xA9",
                   "\"\xC3\xA9" + kFFFD + "\xC3\xA9\""}));

TEST(JsonStringBytes, EveryByteValueGivesValidJson) {
  for (int b = 0; b < 256; ++b) {
    std::string in = "a";
    in += static_cast<char>(b);
    in += "z";
    std::string back = parse_back_string(json_string(in));
    if (b < 0x80)
      EXPECT_EQ(back, in) << "byte " << b;
    else
      EXPECT_EQ(back, "a" + kFFFD + "z") << "byte " << b;
  }
}

// Every byte value at every offset of strings up to 40 bytes long: the
// 16- and 8-byte scans must find a byte that needs escaping wherever it sits,
// including the last bytes a wide step cannot reach, and the UTF-8 check must
// see a sequence that straddles a step.
TEST(JsonStringBytes, EveryByteAtEveryOffset) {
  for (size_t len = 1; len <= 40; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string in(len, 'a');
        in[at] = static_cast<char>(b);
        std::string back = parse_back_string(json_string(in));
        std::string expected = in;
        if (b >= 0x80) expected.replace(at, 1, kFFFD);
        ASSERT_EQ(back, expected) << "byte " << b << " at " << at << " of " << len;
      }
      std::string two_byte(len + 1, 'a');
      two_byte.replace(at, 2, "\xC3\xA9");  // é, possibly across a 16-byte step
      ASSERT_EQ(parse_back_string(json_string(two_byte)), two_byte) << at << " of " << len;
    }
  }
}

struct ValueCase {
  const char* what;
  Value value;
  std::string expected;
};

void PrintTo(const ValueCase& c, std::ostream* os) { *os << c.what; }

class JsonValue : public ::testing::TestWithParam<ValueCase> {};

TEST_P(JsonValue, Writes) {
  const ValueCase& c = GetParam();
  EXPECT_EQ(to_json(c.value), c.expected);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(c.expected).get(doc), simdjson::SUCCESS) << "valid JSON";
}

Value obj(std::initializer_list<std::pair<const char*, Value>> kvs) {
  Object o;
  for (auto& [k, v] : kvs) o.set(k, v);
  return Value(std::move(o));
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, JsonValue,
    ::testing::Values(
        ValueCase{"null", Value(), "null"}, ValueCase{"true", Value(true), "true"},
        ValueCase{"false", Value(false), "false"}, ValueCase{"int", Value(-17), "-17"},
        ValueCase{"int64 min", Value(std::numeric_limits<int64_t>::min()),
                  "-9223372036854775808"},
        ValueCase{"float keeps a point", Value(1.0), "1.0"},
        ValueCase{"float 1.5", Value(1.5), "1.5"}, ValueCase{"float 0.1", Value(0.1), "0.1"},
        ValueCase{"float -0.25", Value(-0.25), "-0.25"},
        ValueCase{"NaN is null", Value(std::nan("")), "null"},
        ValueCase{"Infinity is null", Value(std::numeric_limits<double>::infinity()), "null"},
        ValueCase{"-Infinity is null", Value(-std::numeric_limits<double>::infinity()), "null"},
        ValueCase{"string", Value("a\"b"), R"("a\"b")"},
        ValueCase{"timestamp as ISO string", Value(Timestamp{1500000000}),
                  R"("1970-01-01T00:00:01.500Z")"},
        ValueCase{"empty array", Value(Array()), "[]"},
        ValueCase{"empty object", Value(Object()), "{}"},
        ValueCase{"array", Value(Array{Value(1), Value("x"), Value(), Value(2.5)}),
                  R"([1,"x",null,2.5])"},
        ValueCase{"object keeps insertion order", obj({{"z", Value(1)}, {"a", Value(2)}}),
                  R"({"z":1,"a":2})"},
        ValueCase{"keys are escaped and repaired", obj({{"k\"\n\xFF", Value(1)}}),
                  "{\"k\\\"\\n" + kFFFD + "\":1}"},
        ValueCase{"nested", obj({{"a", obj({{"b", Value(Array{obj({{"c", Value(Array())}}),
                                                              Value(Array{Value(true)})})}})},
                                 {"nan", Value(std::nan(""))}}),
                  R"({"a":{"b":[{"c":[]},[true]]},"nan":null})"}));

TEST(JsonFloat, RoundTripsAndStaysAFloat) {
  const double samples[] = {1e16,  1e300, -1e-300, 5e-324, 123456.789, 0.30000000000000004,
                            1e-5,  1e22,  100000.0, 3.0,   -2.0,       1.7976931348623157e308};
  for (double d : samples) {
    std::string json = to_json(Value(d));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
    EXPECT_TRUE(doc.is_double()) << json << " must read back as a float, not an integer";
    double back = 0;
    ASSERT_EQ(doc.get(back), simdjson::SUCCESS) << json;
    EXPECT_EQ(back, d) << json;
  }
}

TEST(JsonEvent, WritesFieldsWithoutMetadata) {
  Event e("line \"1\"", Timestamp{0});
  e.metadata().set("secret", Value("hidden"));
  e.set_top("n", Value(3));
  std::string out = "prefix";
  append_event_json(e, out);
  EXPECT_EQ(out,
            R"(prefix{"@timestamp":"1970-01-01T00:00:00.000Z","@version":"1","message":"line \"1\"","n":3})");
}

TEST(JsonEvent, EmptyEventIsEmptyObject) {
  Event e;
  std::string out;
  append_event_json(e, out);
  EXPECT_EQ(out, "{}");
}

TEST(JsonPretty, IndentsTwoSpacesWithArrows) {
  Value v = obj({{"a", Value(1)},
                 {"list", Value(Array{Value("x"), Value(2.0)})},
                 {"empty", Value(Array())},
                 {"o", obj({{"k", Value()}})}});
  std::string out;
  append_json_pretty(v, out);
  EXPECT_EQ(out,
            "{\n"
            "  \"a\" => 1,\n"
            "  \"list\" => [\n"
            "    \"x\",\n"
            "    2.0\n"
            "  ],\n"
            "  \"empty\" => [],\n"
            "  \"o\" => {\n"
            "    \"k\" => null\n"
            "  }\n"
            "}");
}

TEST(JsonPretty, ScalarsAsJson) {
  std::string out;
  append_json_pretty(Value("a\xFF"), out);
  EXPECT_EQ(out, "\"a" + kFFFD + "\"");
}

}  // namespace
}  // namespace logpipe
