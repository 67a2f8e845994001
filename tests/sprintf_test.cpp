#include "engine/event/sprintf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "engine/event/event.h"

namespace logpipe {
namespace {

// 2026-11-26T16:05:09.123456789Z
constexpr int64_t kSeconds = 1795709109;
const Timestamp kTs{kSeconds * 1000000000LL + 123456789};

Event sample_event() {
  Event e("hello", kTs);
  Object app;
  app.set("name", Value("web"));
  app.set("port", Value(8080));
  e.set_top("app", Value(std::move(app)));
  e.set_top("count", Value(1));
  e.set_top("ratio", Value(1.5));
  e.set_top("whole", Value(1.0));
  e.set_top("tenth", Value(0.1));
  e.set_top("negative", Value(-42));
  e.set_top("ok", Value(true));
  e.set_top("off", Value(false));
  e.set_top("tags", Value(Array{Value("a"), Value("b")}));
  e.set_top("empty_list", Value(Array{}));
  e.set_top("mixed", Value(Array{Value(1), Value("x"), Value(2.5), Value(true)}));
  e.set_top("nothing", Value(nullptr));
  e.set_top("empty", Value(""));
  e.set_top("dotted.name", Value("dot"));
  e.set_top("with space", Value("sp"));
  e.set_top("created", Value(Timestamp::from_seconds(0)));
  e.set_top("deep", Value(Object()));
  e.set(FieldRef::must("[deep][er][est]"), Value("bottom"));
  e.metadata().set("index", Value("logs"));
  Object kafka;
  kafka.set("offset", Value(42));
  e.metadata().set("kafka", Value(std::move(kafka)));
  return e;
}

struct Case {
  const char* name;
  const char* tmpl;
  const char* expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name << ": \"" << c.tmpl << '"'; }

class SprintfFormat : public ::testing::TestWithParam<Case> {};

TEST_P(SprintfFormat, FormatsLikeLogstash) {
  const Case& c = GetParam();
  const Event e = sample_event();
  EXPECT_EQ(SprintfTemplate(c.tmpl).format(e), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, SprintfFormat,
    ::testing::Values(
        Case{"bare", "%{message}", "hello"}, Case{"bracketed", "%{[message]}", "hello"},
        Case{"nested", "%{[app][name]}:%{[app][port]}", "web:8080"},
        Case{"three_deep", "%{[deep][er][est]}", "bottom"},
        Case{"composite_fragment", "%{[[deep][er]][est]}", "bottom"},
        Case{"metadata", "%{[@metadata][index]}-%{[@metadata][kafka][offset]}", "logs-42"},
        Case{"metadata_root", "%{[@metadata]}", R"({"index":"logs","kafka":{"offset":42}})"},
        Case{"hash_as_json", "%{app}", R"({"name":"web","port":8080})"},
        Case{"array_joined", "%{tags}", "a,b"}, Case{"mixed_array", "%{mixed}", "1,x,2.5,true"},
        Case{"empty_array", "[%{empty_list}]", "[]"},
        Case{"array_index", "%{[tags][0]}/%{[tags][-1]}", "a/b"}, Case{"int", "%{count}", "1"},
        Case{"negative_int", "%{negative}", "-42"}, Case{"float", "%{ratio}", "1.5"},
        Case{"whole_float", "%{whole}", "1.0"}, Case{"tenth", "%{tenth}", "0.1"},
        Case{"true", "%{ok}", "true"}, Case{"false", "%{off}", "false"},
        Case{"empty_string", "<%{empty}>", "<>"},
        Case{"timestamp_field", "%{@timestamp}", "2026-11-26T16:05:09.123456789Z"},
        Case{"other_timestamp", "%{created}", "1970-01-01T00:00:00.000Z"},
        Case{"dots_are_part_of_a_bare_name", "%{dotted.name}", "dot"},
        Case{"spaces_are_part_of_a_bare_name", "%{with space}", "sp"},
        Case{"version", "v%{@version}", "v1"}));

INSTANTIATE_TEST_SUITE_P(
    MissingFields, SprintfFormat,
    ::testing::Values(Case{"missing", "%{missing}", "%{missing}"},
                      Case{"missing_nested", "%{[app][missing]}", "%{[app][missing]}"},
                      Case{"missing_parent", "%{[a][b]}", "%{[a][b]}"},
                      Case{"not_a_container", "%{[message][x]}", "%{[message][x]}"},
                      Case{"index_out_of_range", "%{[tags][5]}", "%{[tags][5]}"},
                      Case{"null", "%{nothing}", "%{nothing}"},
                      Case{"missing_metadata", "%{[@metadata][nope]}", "%{[@metadata][nope]}"},
                      Case{"among_others", "%{message}-%{missing}-%{count}",
                           "hello-%{missing}-1"}));

INSTANTIATE_TEST_SUITE_P(
    Timestamps, SprintfFormat,
    ::testing::Values(
        Case{"joda_index", "logs-%{+YYYY.MM.dd}", "logs-2026.11.26"},
        Case{"joda_hour", "%{+HH}", "16"},
        Case{"joda_full", "%{+yyyy-MM-dd'T'HH:mm:ss.SSSZ}", "2026-11-26T16:05:09.123+0000"},
        Case{"joda_weekyear", "%{+xxxx-'W'ww}", "2026-W48"},
        // Joda sees a millisecond DateTime in Logstash.
        Case{"joda_is_milliseconds", "%{+SSSSSS}", "123000"}, Case{"epoch", "%{+%s}", "1795709109"},
        Case{"epoch_in_text", "t=%{+%s}s", "t=1795709109s"},
        // Logstash compares the body with a prefix of "+%s".
        Case{"empty_body_is_epoch", "%{}", "1795709109"},
        Case{"plus_is_epoch", "%{+}", "1795709109"},
        Case{"plus_percent_is_epoch", "%{+%}", "1795709109"},
        Case{"java_time", "%{{yyyy-MM-dd}}", "2026-11-26"},
        Case{"java_time_micros", "%{{HH:mm:ss.SSSSSS}}", "16:05:09.123456"},
        Case{"java_time_week", "%{{YYYY-'W'ww}}", "2026-W48"},
        Case{"java_time_zone", "%{{HH:mmXXX}}", "16:05Z"}, Case{"java_time_empty", "<%{{}}>", "<>"},
        Case{"bad_joda_kept", "%{+qqq}", "%{+qqq}"},
        Case{"bad_java_time_kept", "%{{bbb}}", "%{{bbb}}"}));

INSTANTIATE_TEST_SUITE_P(
    Scanning, SprintfFormat,
    ::testing::Values(Case{"plain", "plain text", "plain text"}, Case{"empty", "", ""},
                      Case{"adjacent", "%{message}%{count}%{ratio}", "hello11.5"},
                      Case{"adjacent_mixed", "%{+YYYY}%{message}%{+%s}", "2026hello1795709109"},
                      Case{"no_closing_brace", "abc %{message", "abc %{message"},
                      Case{"no_closing_brace_after_one", "%{message} %{count", "hello %{count"},
                      Case{"dangling_open", "%{message} %{", "hello %{"},
                      Case{"extra_closing_brace", "%{message}}", "hello}"},
                      Case{"percent_alone", "100% of %{message}", "100% of hello"},
                      Case{"double_percent", "%%{message}", "%hello"},
                      Case{"brace_without_percent", "{message} % {message}",
                           "{message} % {message}"},
                      // No nesting: the body runs to the first "}".
                      Case{"nested_placeholder", "%{%{message}}", "%{%{message}}"},
                      Case{"single_brace_after_open_brace", "%{{a}b}", "%{{a}b}"},
                      Case{"java_time_unclosed", "x%{{yyyy}", "x%{{yyyy}"},
                      Case{"invalid_ref_kept", "%{[a}-%{message}", "%{[a}-hello"},
                      Case{"empty_fragment_kept", "%{[]}", "%{[]}"},
                      Case{"text_after_bracket_kept", "%{[a]b}", "%{[a]b}"},
                      Case{"utf8_literals", "é %{message} ✓", "é hello ✓"}));

TEST(Sprintf, WithoutTimestampDateFormatsPrintNothing) {
  Event e;
  e.set_top("message", Value("m"));
  EXPECT_EQ(SprintfTemplate("a%{+YYYY}b").format(e), "ab");
  EXPECT_EQ(SprintfTemplate("a%{+%s}b").format(e), "ab");
  EXPECT_EQ(SprintfTemplate("a%{{yyyy}}b").format(e), "ab");
  EXPECT_EQ(SprintfTemplate("%{@timestamp}").format(e), "%{@timestamp}");
  // @timestamp that is not a timestamp counts as absent for date formats.
  e.set_top("@timestamp", Value("yesterday"));
  EXPECT_EQ(SprintfTemplate("a%{+YYYY}b").format(e), "ab");
  EXPECT_EQ(SprintfTemplate("%{@timestamp}").format(e), "yesterday");
}

TEST(Sprintf, EpochSecondsBefore1970RoundDown) {
  Event e("m", Timestamp{-1500000000LL});  // 1969-12-31T23:59:58.5Z
  EXPECT_EQ(SprintfTemplate("%{+%s}").format(e), "-2");
  EXPECT_EQ(SprintfTemplate("%{+yyyy-MM-dd HH:mm:ss.SSS}").format(e), "1969-12-31 23:59:58.500");
}

TEST(Sprintf, TimestampsAtTheEndsOfTheRange) {
  Event first("m", Timestamp{std::numeric_limits<int64_t>::min()});
  EXPECT_EQ(SprintfTemplate("%{+yyyy-MM-dd HH:mm:ss} %{+%s} %{{SSSSSSSSS}}").format(first),
            "1677-09-21 00:12:43 -9223372037 145224192");
  Event last("m", Timestamp{std::numeric_limits<int64_t>::max()});
  EXPECT_EQ(SprintfTemplate("%{+yyyy-MM-dd HH:mm:ss.SSSSSS} %{+%s}").format(last),
            "2262-04-11 23:47:16.854000 9223372036");
}

TEST(Sprintf, TimeNowIsTheCurrentTimeNotTheEventTime) {
  Event e("m", Timestamp::from_seconds(0));
  const SprintfTemplate t("%{{TIME_NOW}}");
  EXPECT_FALSE(t.constant());
  const std::string before = Timestamp::now().to_iso8601().substr(0, 19);
  const std::string got = t.format(e);
  const std::string after = Timestamp::now().to_iso8601().substr(0, 19);
  ASSERT_GE(got.size(), 24u) << got;  // 2026-11-26T04:55:19.123Z
  EXPECT_EQ(got.back(), 'Z');
  EXPECT_EQ(got[10], 'T');
  EXPECT_GE(got.substr(0, 19), before);
  EXPECT_LE(got.substr(0, 19), after);
}

TEST(Sprintf, AppendAddsToTheCallersString) {
  const Event e = sample_event();
  std::string out = "prefix:";
  SprintfTemplate("%{message}-%{missing}").append(e, out);
  EXPECT_EQ(out, "prefix:hello-%{missing}");
  SprintfTemplate("!").append(e, out);
  EXPECT_EQ(out, "prefix:hello-%{missing}!");
}

TEST(Sprintf, ConstantTemplatesAreRecognised) {
  struct {
    const char* tmpl;
    bool constant;
  } cases[] = {
      {"", true},          {"plain", true},          {"%{message", true}, {"%{[a}", true},
      {"%{+qqq} x", true}, {"%{message}", false},    {"a%{+%s}", false},  {"%{{yyyy}}", false},
      {"%{}", false},      {"x %{[a][b]} y", false},
  };
  for (const auto& c : cases) {
    const SprintfTemplate t(c.tmpl);
    EXPECT_EQ(t.constant(), c.constant) << c.tmpl;
    EXPECT_EQ(t.text(), c.tmpl);
    if (c.constant) {
      EXPECT_EQ(t.format(sample_event()), c.tmpl);
    }
  }
  EXPECT_TRUE(SprintfTemplate().constant());
  EXPECT_EQ(SprintfTemplate().format(sample_event()), "");
}

TEST(Sprintf, FollowsChangesToTheEvent) {
  const SprintfTemplate t("%{[a][b]}");
  Event e("m", kTs);
  EXPECT_EQ(t.format(e), "%{[a][b]}");
  e.set(FieldRef::must("[a][b]"), Value(3));
  EXPECT_EQ(t.format(e), "3");
  e.set(FieldRef::must("[a][b]"), Value(Array{Value("x"), Value("y")}));
  EXPECT_EQ(t.format(e), "x,y");
}

TEST(Sprintf, CopiesShareCompiledParts) {
  const SprintfTemplate original("%{message} %{+YYYY}");
  const SprintfTemplate copy = original;
  EXPECT_EQ(copy.format(sample_event()), "hello 2026");
  EXPECT_EQ(original.format(sample_event()), "hello 2026");
}

}  // namespace
}  // namespace logpipe
