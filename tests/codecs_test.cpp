#include "engine/codecs/codecs.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/codecs/iso8601.h"
#include "engine/codecs/line_splitter.h"

namespace logpipe {
namespace {

// 2026-11-26T04:55:19.123Z
const Timestamp kTs{1795668919123000000LL};

// Settings as the engine hands them over: every default filled in, then the
// options given.
Settings settings_for(const PluginInfo& info, std::vector<std::pair<std::string, Value>> given) {
  Settings s;
  for (auto& o : info.all_options())
    if (o.default_value) s.set(o.name, *o.default_value);
  for (auto& [k, v] : given) s.set(k, v);
  return s;
}

std::unique_ptr<Codec> make(const PluginInfo& info,
                            std::vector<std::pair<std::string, Value>> given = {}) {
  Settings s = settings_for(info, std::move(given));
  PluginEnv env;
  PluginArgs args{info.name, info.name + "_1", s, env, nullptr};
  return info.make_codec(args);
}

struct Collected {
  std::vector<Event> events;
  EventSink sink() {
    return [this](Event&& e) { events.push_back(std::move(e)); };
  }
};

std::string message_of(const Event& e) {
  const std::string* m = e.message();
  return m ? *m : "<no message>";
}

Event sample_event() {
  Event e("hello", kTs);
  e.set_top("host", Value("web-1"));
  return e;
}

std::string encode(Codec& c, const Event& e) {
  std::string out;
  c.encode(e, out);
  return out;
}

// ---------------------------------------------------------------- ISO 8601

struct IsoCase {
  std::string text;
  std::string expected;  // ISO 8601 UTC, or "" when it must not parse
};
inline void PrintTo(const IsoCase& c, std::ostream* os) { *os << c.text.size() << "-byte timestamp"; }

class Iso8601 : public ::testing::TestWithParam<IsoCase> {};

TEST_P(Iso8601, ParsesLikeLogstash) {
  const IsoCase& c = GetParam();
  Timestamp ts;
  bool ok = parse_iso8601(c.text, &ts);
  if (c.expected.empty()) {
    EXPECT_FALSE(ok) << c.text << " parsed as " << ts.to_iso8601();
  } else {
    ASSERT_TRUE(ok) << c.text;
    EXPECT_EQ(ts.to_iso8601(), c.expected) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Timestamps, Iso8601,
    ::testing::Values(
        IsoCase{"2026-11-26T04:55:19.123Z", "2026-11-26T04:55:19.123Z"},
        IsoCase{"2026-11-26T04:55:19Z", "2026-11-26T04:55:19.000Z"},
        IsoCase{"2026-11-26T04:55:19.1Z", "2026-11-26T04:55:19.100Z"},
        IsoCase{"2026-11-26T04:55:19.123456789Z", "2026-11-26T04:55:19.123456789Z"},
        IsoCase{"2026-11-26T06:55:19.123+02:00", "2026-11-26T04:55:19.123Z"},
        IsoCase{"2026-11-26T00:25:19.123-0430", "2026-11-26T04:55:19.123Z"},
        IsoCase{"2026-11-26T09:55:19+05", "2026-11-26T04:55:19.000Z"},
        IsoCase{"2026-11-26T04:55:29+00:00:10", "2026-11-26T04:55:19.000Z"},
        IsoCase{"2026-11-26T04:55:19", "2026-11-26T04:55:19.000Z"},  // no zone: UTC
        IsoCase{"2026-11-26T04:55", "2026-11-26T04:55:00.000Z"},
        IsoCase{"2026-11-26", "2026-11-26T00:00:00.000Z"},
        IsoCase{"2026-11-26t04:55:19z", "2026-11-26T04:55:19.000Z"},
        IsoCase{"2026-11-26T04:55:19UTC", "2026-11-26T04:55:19.000Z"},
        IsoCase{"2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"},
        IsoCase{"1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500Z"},
        IsoCase{"2026-02-29T00:00:00Z", ""},
        IsoCase{"1900-02-29T00:00:00Z", ""},
        IsoCase{"2026-13-01T00:00:00Z", ""},
        IsoCase{"2026-04-31", ""},
        IsoCase{"2026-11-26 04:55:19", ""},
        IsoCase{"2026-11-26T24:00:00Z", ""},
        IsoCase{"2026-11-26T04:60:00Z", ""},
        IsoCase{"2026-11-26T04:55:19.Z", ""},
        IsoCase{"2026-11-26T04:55:19.1234567891Z", ""},
        IsoCase{"2026-11-26T04:55:19+2", ""},
        IsoCase{"2026-11-26T04:55:19Z trailing", ""},
        IsoCase{"2026-11-26T04:55:19 Europe/Paris", ""},
        IsoCase{"3000-01-01T00:00:00Z", ""},  // beyond int64 nanoseconds
        IsoCase{"26-11-26", ""},
        IsoCase{"", ""},
        IsoCase{"yesterday", ""}));

// ---------------------------------------------------------------- LineSplitter

TEST(LineSplitter, KeepsPartialLinesAndSplitDelimitersAcrossChunks) {
  struct Case {
    std::string delimiter;
    std::vector<std::string> chunks;
    std::vector<std::string> lines;
    std::string rest;
  } cases[] = {
      {"\n", {"a\nb", "c\n\nd"}, {"a", "bc", ""}, "d"},
      {"\n", {"", "x", "", "y\n"}, {"xy"}, ""},
      {"\r\n", {"x\r", "\ny\r\n", "z\r"}, {"x", "y"}, "z\r"},
      {"\r\n", {"a\rb\r\n"}, {"a\rb"}, ""},
      {"||", {"a|", "|b||", "|", "|c"}, {"a", "b", ""}, "c"},
      {"END", {"oneE", "N", "Dtwo", "EN"}, {"one"}, "twoEN"},
  };
  for (auto& c : cases) {
    LineSplitter splitter(c.delimiter);
    std::vector<std::string> lines;
    for (auto& chunk : c.chunks)
      splitter.split(chunk, [&](std::string_view line) { lines.emplace_back(line); });
    EXPECT_EQ(lines, c.lines) << "delimiter " << c.delimiter;
    EXPECT_EQ(splitter.take_rest(), c.rest);
    EXPECT_FALSE(splitter.has_rest());
  }
}

// ---------------------------------------------------------------- plain

TEST(PlainCodec, DecodesTheWholeChunkAsOneEvent) {
  auto codec = make(plain_codec_info());
  Collected got;
  codec->decode("hello\nworld", got.sink());
  ASSERT_EQ(got.events.size(), 1u);
  const Event& e = got.events[0];
  EXPECT_EQ(message_of(e), "hello\nworld");
  EXPECT_EQ(*e.get_top("@version"), Value("1"));
  Timestamp ts;
  EXPECT_TRUE(e.timestamp(&ts));
  EXPECT_EQ(e.get_top("event"), nullptr);
}

TEST(PlainCodec, KeepsTheOriginalInEcsMode) {
  auto codec = make(plain_codec_info(), {{"ecs_compatibility", Value("v8")}});
  Collected got;
  codec->decode("hello", got.sink());
  ASSERT_EQ(got.events.size(), 1u);
  const Value* original = got.events[0].get(FieldRef::must("[event][original]"));
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(*original, Value("hello"));
}

TEST(PlainCodec, ConvertsTheCharsetToUtf8) {
  struct Case {
    std::string charset, input, message;
  } cases[] = {
      {"UTF-8", "caf\xC3\xA9", "caf\xC3\xA9"},
      {"UTF-8", "bad\xFF", "bad\xFF"},  // carried; repaired when written as JSON
      {"ISO-8859-1", "caf\xE9", "caf\xC3\xA9"},
      {"iso8859-1", "\xFF", "\xC3\xBF"},
      {"Windows-1252", "\x80 \x93q\x94 \x81", "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D \xEF\xBF\xBD"},
      {"CP1252", "caf\xE9", "caf\xC3\xA9"},
      {"US-ASCII", "a\xE9z", "a\xEF\xBF\xBDz"},
      {"ASCII-8BIT", "\xC3\xA9", "\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (auto& c : cases) {
    auto codec = make(plain_codec_info(), {{"charset", Value(c.charset)}});
    Collected got;
    codec->decode(c.input, got.sink());
    ASSERT_EQ(got.events.size(), 1u);
    EXPECT_EQ(message_of(got.events[0]), c.message) << c.charset;
  }
}

TEST(PlainCodec, RefusesACharsetItCannotConvert) {
  try {
    make(plain_codec_info(), {{"charset", Value("Shift_JIS")}});
    FAIL() << "Shift_JIS accepted";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.option, "charset");
    EXPECT_NE(std::string(e.what()).find("Shift_JIS"), std::string::npos);
  }
}

TEST(PlainCodec, EncodesAsEventToStringWithoutNewline) {
  auto codec = make(plain_codec_info());
  EXPECT_EQ(encode(*codec, sample_event()), "2026-11-26T04:55:19.123Z web-1 hello");

  Event no_host("hi", kTs);
  EXPECT_EQ(encode(*codec, no_host), "2026-11-26T04:55:19.123Z %{host} hi");

  Event nothing;
  EXPECT_EQ(encode(*codec, nothing), "%{host} %{message}");

  Event ecs_host("hi", kTs);
  Object host;
  host.set("name", Value("web-1"));
  host.set("ip", Value(Array{Value("10.0.0.1"), Value("::1")}));
  ecs_host.set_top("host", Value(std::move(host)));
  EXPECT_EQ(encode(*codec, ecs_host), "2026-11-26T04:55:19.123Z {name=web-1, ip=[10.0.0.1, ::1]} hi");
}

TEST(PlainCodec, EncodesWithAFormat) {
  auto codec = make(plain_codec_info(), {{"format", Value("%{host}: %{message} (%{missing})")}});
  EXPECT_EQ(encode(*codec, sample_event()), "web-1: hello (%{missing})");
}

// ---------------------------------------------------------------- line

TEST(LineCodec, EmitsCompleteLinesAndKeepsTheRestForLater) {
  auto codec = make(line_codec_info());
  Collected got;
  codec->decode("first\nsec", got.sink());
  ASSERT_EQ(got.events.size(), 1u);
  codec->decode("ond\n\nlast", got.sink());
  ASSERT_EQ(got.events.size(), 3u);
  codec->flush(got.sink());
  ASSERT_EQ(got.events.size(), 4u);
  EXPECT_EQ(message_of(got.events[0]), "first");
  EXPECT_EQ(message_of(got.events[1]), "second");
  EXPECT_EQ(message_of(got.events[2]), "");
  EXPECT_EQ(message_of(got.events[3]), "last");
  codec->flush(got.sink());  // nothing left
  EXPECT_EQ(got.events.size(), 4u);
}

TEST(LineCodec, SplitsAtACustomDelimiter) {
  auto codec = make(line_codec_info(), {{"delimiter", Value("\r\n")}});
  Collected got;
  codec->decode("one\r", got.sink());
  codec->decode("\ntwo\nstill two\r\n", got.sink());
  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(message_of(got.events[0]), "one");
  EXPECT_EQ(message_of(got.events[1]), "two\nstill two");
}

TEST(LineCodec, ConvertsTheCharset) {
  auto codec = make(line_codec_info(), {{"charset", Value("ISO-8859-1")}});
  Collected got;
  codec->decode("caf\xE9\n", got.sink());
  ASSERT_EQ(got.events.size(), 1u);
  EXPECT_EQ(message_of(got.events[0]), "caf\xC3\xA9");
}

TEST(LineCodec, EncodesWithTheDelimiter) {
  auto plain = make(line_codec_info());
  EXPECT_EQ(encode(*plain, sample_event()), "2026-11-26T04:55:19.123Z web-1 hello\n");
  auto formatted = make(line_codec_info(), {{"format", Value("%{message}")}, {"delimiter", Value("|")}});
  EXPECT_EQ(encode(*formatted, sample_event()), "hello|");
}

TEST(LineCodec, RefusesAnEmptyDelimiter) {
  try {
    make(line_codec_info(), {{"delimiter", Value("")}});
    FAIL() << "empty delimiter accepted";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.option, "delimiter");
  }
}

// ---------------------------------------------------------------- json

std::vector<Event> decode_json(const std::string& text,
                               std::vector<std::pair<std::string, Value>> given = {}) {
  auto codec = make(json_codec_info(), std::move(given));
  Collected got;
  codec->decode(text, got.sink());
  return std::move(got.events);
}

std::vector<std::string> keys_of(const Object& o) {
  std::vector<std::string> keys;
  for (auto& [k, v] : o) keys.push_back(k);
  return keys;
}

TEST(JsonCodec, DecodesAnObjectIntoEventFields) {
  auto events = decode_json(
      R"({"@timestamp":"2026-11-26T06:55:19.123+02:00","message":"hi","n":5,"f":1.5,)"
      R"("ok":true,"nothing":null,"tags":["a"],"http":{"status":200}})");
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(keys_of(e.fields()), (std::vector<std::string>{"@timestamp", "message", "n", "f", "ok",
                                                           "nothing", "tags", "http", "@version"}));
  Timestamp ts;
  ASSERT_TRUE(e.timestamp(&ts));
  EXPECT_EQ(ts, kTs);
  EXPECT_EQ(*e.get_top("@version"), Value("1"));
  EXPECT_TRUE(e.get_top("n")->is_int());
  EXPECT_TRUE(e.get_top("f")->is_float());
  EXPECT_TRUE(e.get_top("nothing")->is_null());
  EXPECT_EQ(*e.get(FieldRef::must("[http][status]")), Value(200));
  EXPECT_FALSE(e.has_tag("_jsonparsefailure"));
}

TEST(JsonCodec, KeepsAGivenVersionAndFillsAMissingTimestamp) {
  Timestamp before = Timestamp::now();
  auto events = decode_json(R"({"@version":"2","a":1})");
  Timestamp after = Timestamp::now();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*events[0].get_top("@version"), Value("2"));
  Timestamp ts;
  ASSERT_TRUE(events[0].timestamp(&ts));
  EXPECT_FALSE(ts < before);
  EXPECT_FALSE(after < ts);
}

TEST(JsonCodec, TagsAnUnparsableTimestampAndKeepsTheOriginal) {
  for (const char* json : {R"({"@timestamp":"not a date","a":1})", R"({"@timestamp":12345})",
                           R"({"@timestamp":"2026-02-30T00:00:00Z"})"}) {
    auto events = decode_json(json);
    ASSERT_EQ(events.size(), 1u) << json;
    const Event& e = events[0];
    EXPECT_TRUE(e.has_tag("_timestampparsefailure")) << json;
    EXPECT_FALSE(e.has_tag("_jsonparsefailure")) << json;
    Timestamp ts;
    EXPECT_TRUE(e.timestamp(&ts)) << json;  // now, as Logstash does
    ASSERT_NE(e.get_top("_@timestamp"), nullptr) << json;
  }
  auto events = decode_json(R"({"@timestamp":"not a date"})");
  EXPECT_EQ(*events[0].get_top("_@timestamp"), Value("not a date"));
}

TEST(JsonCodec, MovesMetadataOutOfTheFields) {
  auto events = decode_json(R"({"a":1,"@metadata":{"index":"logs"}})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].get_top("@metadata"), nullptr);
  EXPECT_EQ(*events[0].get(FieldRef::must("[@metadata][index]")), Value("logs"));
}

TEST(JsonCodec, DecodesAnArrayIntoOneEventPerObject) {
  auto events = decode_json(R"([{"n":1},{"n":2},{"n":3}])");
  ASSERT_EQ(events.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(*events[i].get_top("n"), Value(i + 1));
  EXPECT_TRUE(decode_json("[]").empty());
}

TEST(JsonCodec, GivesNoEventForBlankInput) {
  EXPECT_TRUE(decode_json("").empty());
  EXPECT_TRUE(decode_json(" \n\t ").empty());
}

TEST(JsonCodec, FallsBackToPlainTextWithAFailureTag) {
  for (std::string bad : {R"({"a":)", "hello world", "42", R"("just a string")", "null",
                          R"([{"a":1}, 2])", R"({"@metadata":"not an object"})", R"({"a":1} {"b":2})"}) {
    auto events = decode_json(bad);
    ASSERT_EQ(events.size(), 1u) << bad;
    const Event& e = events[0];
    EXPECT_EQ(message_of(e), bad);
    EXPECT_TRUE(e.has_tag("_jsonparsefailure")) << bad;
    EXPECT_EQ(*e.get_top("@version"), Value("1"));
    Timestamp ts;
    EXPECT_TRUE(e.timestamp(&ts));
    EXPECT_EQ(e.get_top("a"), nullptr);
  }
}

TEST(JsonCodec, RepairsInvalidUtf8InsteadOfFailing) {
  auto codec = make(json_codec_info());
  Collected got;
  codec->decode("{\"msg\":\"caf\xE9 ok\"}", got.sink());
  ASSERT_EQ(got.events.size(), 1u);
  const Event& e = got.events[0];
  EXPECT_FALSE(e.has_tag("_jsonparsefailure"));
  EXPECT_EQ(*e.get_top("msg"), Value("caf\xEF\xBF\xBD ok"));
}

TEST(JsonCodec, WritesInvalidUtf8AsTheReplacementCharacter) {
  auto codec = make(json_codec_info());
  Event e("bad \xFF byte", kTs);
  EXPECT_EQ(encode(*codec, e),
            "{\"@timestamp\":\"2026-11-26T04:55:19.123Z\",\"@version\":\"1\",\"message\":\"bad "
            "\xEF\xBF\xBD byte\"}");
}

TEST(JsonCodec, EncodesOneObjectWithoutNewlineOrMetadata) {
  auto codec = make(json_codec_info());
  Event e = sample_event();
  e.set(FieldRef::must("[@metadata][secret]"), Value("x"));
  e.set(FieldRef::must("[http][status]"), Value(200));
  EXPECT_EQ(encode(*codec, e),
            R"({"@timestamp":"2026-11-26T04:55:19.123Z","@version":"1","message":"hello",)"
            R"("host":"web-1","http":{"status":200}})");
}

TEST(JsonCodec, PutsDataUnderTheTarget) {
  auto events = decode_json(R"({"@timestamp":"2001-01-01T00:00:00Z","a":{"b":1}})",
                            {{"target", Value("[doc]")}});
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(*e.get(FieldRef::must("[doc][a][b]")), Value(1));
  EXPECT_EQ(*e.get(FieldRef::must("[doc][@timestamp]")), Value("2001-01-01T00:00:00Z"));
  Timestamp ts;
  ASSERT_TRUE(e.timestamp(&ts));
  EXPECT_NE(ts.to_iso8601(), "2001-01-01T00:00:00.000Z");
  EXPECT_EQ(e.get_top("a"), nullptr);
}

TEST(JsonCodec, RefusesAnInvalidTarget) {
  try {
    make(json_codec_info(), {{"target", Value("[a")}});
    FAIL() << "invalid target accepted";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.option, "target");
  }
}

TEST(JsonCodec, KeepsTheOriginalTextInEcsMode) {
  std::string text = R"({"a":1})";
  auto events = decode_json(text, {{"ecs_compatibility", Value("v1")}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*events[0].get(FieldRef::must("[event][original]")), Value(text));
  // Not for several events, nor over a value the document already has.
  auto many = decode_json(R"([{"a":1},{"a":2}])", {{"ecs_compatibility", Value("v1")}});
  ASSERT_EQ(many.size(), 2u);
  EXPECT_FALSE(many[0].has(FieldRef::must("[event][original]")));
  auto own = decode_json(R"({"event":{"original":"mine"}})", {{"ecs_compatibility", Value("v8")}});
  EXPECT_EQ(*own[0].get(FieldRef::must("[event][original]")), Value("mine"));
}

TEST(JsonCodec, ConvertsTheCharsetBeforeParsing) {
  auto events = decode_json("{\"m\":\"caf\xE9\"}", {{"charset", Value("ISO-8859-1")}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*events[0].get_top("m"), Value("caf\xC3\xA9"));
}

// ---------------------------------------------------------------- json_lines

TEST(JsonLinesCodec, DecodesOneDocumentPerLineAcrossChunks) {
  auto codec = make(json_lines_codec_info());
  Collected got;
  codec->decode(R"({"n":1})" "\n" R"({"n")", got.sink());
  ASSERT_EQ(got.events.size(), 1u);
  codec->decode(R"(:2})" "\n" "not json\n\n" R"({"n":3})", got.sink());
  ASSERT_EQ(got.events.size(), 3u);  // the blank line gives nothing
  codec->flush(got.sink());
  ASSERT_EQ(got.events.size(), 4u);
  EXPECT_EQ(*got.events[0].get_top("n"), Value(1));
  EXPECT_EQ(*got.events[1].get_top("n"), Value(2));
  EXPECT_TRUE(got.events[2].has_tag("_jsonparsefailure"));
  EXPECT_EQ(message_of(got.events[2]), "not json");
  EXPECT_EQ(*got.events[3].get_top("n"), Value(3));
}

TEST(JsonLinesCodec, UsesTheDelimiterOption) {
  auto codec = make(json_lines_codec_info(), {{"delimiter", Value("\x1e")}});
  Collected got;
  codec->decode("{\"a\":1}\x1e{\"a\":2}\x1e", got.sink());
  ASSERT_EQ(got.events.size(), 2u);
  Event e("m", kTs);
  EXPECT_EQ(encode(*codec, e),
            "{\"@timestamp\":\"2026-11-26T04:55:19.123Z\",\"@version\":\"1\",\"message\":\"m\"}\x1e");
}

TEST(JsonLinesCodec, EncodesJsonAndNewline) {
  auto codec = make(json_lines_codec_info());
  Event e("m", kTs);
  EXPECT_EQ(encode(*codec, e),
            "{\"@timestamp\":\"2026-11-26T04:55:19.123Z\",\"@version\":\"1\",\"message\":\"m\"}\n");
}

// ---------------------------------------------------------------- rubydebug

TEST(RubyDebugCodec, PrintsTheAwesomePrintLayout) {
  Event e("hello", kTs);
  e.set_top("tags", Value(Array{Value("a"), Value("b")}));
  Object http;
  http.set("status", Value(200));
  http.set("bytes", Value(1.5));
  e.set_top("http", Value(std::move(http)));
  e.set_top("empty", Value(Object()));
  e.set_top("none", Value());
  e.set_top("list", Value(Array()));
  e.set_top("ok", Value(true));
  e.set(FieldRef::must("[@metadata][index]"), Value("logs"));
  auto codec = make(rubydebug_codec_info());
  EXPECT_EQ(encode(*codec, e),
            "{\n"
            "    \"@timestamp\" => 2026-11-26T04:55:19.123Z,\n"
            "      \"@version\" => \"1\",\n"
            "       \"message\" => \"hello\",\n"
            "          \"tags\" => [\n"
            "        [0] \"a\",\n"
            "        [1] \"b\"\n"
            "    ],\n"
            "          \"http\" => {\n"
            "        \"status\" => 200,\n"
            "         \"bytes\" => 1.5\n"
            "    },\n"
            "         \"empty\" => {},\n"
            "          \"none\" => nil,\n"
            "          \"list\" => [],\n"
            "            \"ok\" => true\n"
            "}\n");
}

TEST(RubyDebugCodec, ShowsMetadataOnlyWhenAsked) {
  Event e("m", kTs);
  e.set(FieldRef::must("[@metadata][index]"), Value("logs"));
  auto codec = make(rubydebug_codec_info(), {{"metadata", Value(true)}});
  EXPECT_EQ(encode(*codec, e),
            "{\n"
            "    \"@timestamp\" => 2026-11-26T04:55:19.123Z,\n"
            "      \"@version\" => \"1\",\n"
            "       \"message\" => \"m\",\n"
            "     \"@metadata\" => {\n"
            "        \"index\" => \"logs\"\n"
            "    }\n"
            "}\n");
  Event no_metadata("m", kTs);
  EXPECT_EQ(encode(*codec, no_metadata).find("@metadata"), std::string::npos);
}

TEST(RubyDebugCodec, NestsHashesInArraysAndPadsIndexes) {
  Event e;
  Array items;
  for (int i = 0; i < 11; ++i) items.emplace_back(i);
  Object inner;
  inner.set("k", Value("v"));
  items.emplace_back(std::move(inner));
  e.set_top("a", Value(std::move(items)));
  auto codec = make(rubydebug_codec_info());
  std::string out = encode(*codec, e);
  EXPECT_EQ(out,
            "{\n"
            "    \"a\" => [\n"
            "        [ 0] 0,\n"
            "        [ 1] 1,\n"
            "        [ 2] 2,\n"
            "        [ 3] 3,\n"
            "        [ 4] 4,\n"
            "        [ 5] 5,\n"
            "        [ 6] 6,\n"
            "        [ 7] 7,\n"
            "        [ 8] 8,\n"
            "        [ 9] 9,\n"
            "        [10] 10,\n"
            "        [11] {\n"
            "            \"k\" => \"v\"\n"
            "        }\n"
            "    ]\n"
            "}\n");
}

TEST(RubyDebugCodec, EscapesStringsAsRubyInspectDoes) {
  Event e;
  e.set_top("s", Value("q\"b\\n\nt\t#{x} #$y #z \x01\x7f caf\xC3\xA9 bad\xFF"));
  e.set_top("f", Value(1e20));
  e.set_top("caf\xC3\xA9", Value(-3));
  auto codec = make(rubydebug_codec_info());
  EXPECT_EQ(encode(*codec, e),
            "{\n"
            "       \"s\" => \"q\\\"b\\\\n\\nt\\t\\#{x} \\#$y #z \\u0001\\u007F caf\xC3\xA9 bad\\xFF\",\n"
            "       \"f\" => 1.0e+20,\n"
            "    \"caf\xC3\xA9\" => -3\n"
            "}\n");
}

TEST(RubyDebugCodec, EmptyEventIsAnEmptyHash) {
  auto codec = make(rubydebug_codec_info());
  EXPECT_EQ(encode(*codec, Event()), "{}\n");
}

}  // namespace
}  // namespace logpipe
