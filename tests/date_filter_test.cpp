// date filter: every Joda token, ISO8601, UNIX, UNIX_MS, TAI64N, time zones
// with DST edges, locale, target, tag_on_failure, arrays, format order, the
// year-less rollover and the last-string cache.
#include "filters/date_filter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "engine/codecs/iso8601.h"
#include "engine/text/json_reader.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

class NullContext : public FilterContext {
 public:
  void emit(std::unique_ptr<Event>) override {}
};

int64_t epoch_of(const char* iso) {
  Timestamp t;
  EXPECT_TRUE(parse_iso8601(iso, &t)) << iso;
  return t.seconds();
}

// The default clock of these tests: a Thursday in November.
constexpr const char* kNow = "2026-11-26T05:00:00Z";

Array strings(std::initializer_list<const char*> items) {
  Array a;
  for (const char* s : items) a.emplace_back(s);
  return a;
}

struct DateHarness {
  PluginEnv env;
  Settings settings;
  std::unique_ptr<DateFilter> filter;
  std::shared_ptr<int64_t> now = std::make_shared<int64_t>(epoch_of(kNow));

  explicit DateHarness(const Object& overrides) {
    for (auto& spec : date_filter_info().all_options())
      if (spec.default_value) settings.set(spec.name, *spec.default_value);
    for (auto& [name, value] : overrides) settings.set(name, value);
    auto clock_now = now;
    filter = std::make_unique<DateFilter>(PluginArgs{"date", "date_1", settings, env, nullptr},
                                          [clock_now] { return *clock_now; });
  }

  // Runs an event with field `when` = v; returns the target's ISO form,
  // "FAIL" when tagged _dateparsefailure, "UNCHANGED" otherwise.
  std::string run(const Value& v, const char* target = "@timestamp") {
    Event e;
    e.set_top("when", v);
    return run_event(e, target);
  }
  std::string run_event(Event& e, const char* target = "@timestamp") {
    NullContext ctx;
    filter->filter(e, ctx);
    if (e.has_tag("_dateparsefailure")) return "FAIL";
    const Value* t = e.get(FieldRef::must(target));
    if (t == nullptr) return "UNCHANGED";
    return t->is_timestamp() ? t->as_timestamp().to_iso8601() : "NOT A TIMESTAMP";
  }
};

Object match_options(std::initializer_list<const char*> match, const char* timezone = nullptr) {
  Object o;
  o.set("match", Value(strings(match)));
  if (timezone) o.set("timezone", Value(timezone));
  return o;
}

struct PatternCase {
  const char* pattern;
  const char* text;
  const char* expected;  // ISO 8601 UTC, or FAIL
};

void expect_cases(const std::vector<PatternCase>& cases, const char* timezone = nullptr) {
  for (const auto& c : cases) {
    DateHarness h(match_options({"when", c.pattern}, timezone));
    EXPECT_EQ(h.run(Value(c.text)), c.expected)
        << "pattern \"" << c.pattern << "\" text \"" << c.text << "\" zone "
        << (timezone ? timezone : "(none)");
  }
}

TEST(DateFilterTest, JodaNumericTokens) {
  expect_cases({
      {"yyyy-MM-dd HH:mm:ss", "2026-11-26 04:55:19", "2026-11-26T04:55:19.000Z"},
      {"yyyy-M-d H:m:s", "2026-1-2 3:4:5", "2026-01-02T03:04:05.000Z"},
      {"yyyy-MM-dd HH:mm:ss", "2026-1-2 3:4:5", "2026-01-02T03:04:05.000Z"},  // lenient widths
      {"yyyyMMddHHmmss", "20261126045519", "2026-11-26T04:55:19.000Z"},
      {"yyyyMMdd", "20260229", "FAIL"},  // not a leap year
      {"yyyyMMdd", "20240229", "2024-02-29T00:00:00.000Z"},
      {"dd/MMM/yyyy:HH:mm:ss Z", "10/Oct/2000:13:55:36 -0700", "2000-10-10T20:55:36.000Z"},
      {"yyyy-DDD", "2026-330", "2026-11-26T00:00:00.000Z"},
      {"yyyy-DDD", "2026-366", "FAIL"},
      {"YYYY-MM-dd", "2026-11-26", "2026-11-26T00:00:00.000Z"},  // year of era
      {"YYYY-MM-dd G", "2026-11-26 AD", "2026-11-26T00:00:00.000Z"},
      {"YYYY-MM-dd G", "2026-11-26 XX", "FAIL"},
      {"CC-MM-dd", "20-11-26", "2026-11-26T00:00:00.000Z"},        // century + this year's yy
      {"xxxx-'W'ww-e", "2026-W48-4", "2026-11-26T00:00:00.000Z"},  // ISO week date
      {"xxxx-'W'ww-e", "2026-W01-1", "2025-12-29T00:00:00.000Z"},
      {"xxxx-'W'ww", "2020-W53", "2020-12-28T00:00:00.000Z"},
      {"xxxx-'W'ww", "2026-W54", "FAIL"},
      {"yyyy-MM-dd kk:mm", "2026-11-26 24:00", "2026-11-26T00:00:00.000Z"},  // k: 1-24
      {"yyyy-MM-dd kk:mm", "2026-11-26 00:00", "FAIL"},
      {"yyyy-MM-dd HH:mm", "2026-11-26 24:00", "FAIL"},
      {"yyyy-MM-dd HH:mm:ss", "2026-11-26 04:60:00", "FAIL"},
      {"yyyy-MM-dd HH:mm:ss", "2026-11-26 04:00:60", "FAIL"},
      {"yyyy-MM-dd", "2026-13-01", "FAIL"},
      {"yyyy-MM-dd", "2026-11-31", "FAIL"},
      {"yyyy-MM-dd", "2026-11-26x", "FAIL"},  // the whole text must be used
      {"yyyy-MM-dd", "2026-11-", "FAIL"},
      {"yyyy-MM-dd", "", "FAIL"},
  });
}

TEST(DateFilterTest, TwoDigitYearsPivotThirtyYearsBack) {
  // Compiled in 2026: pivot 1996, so two digits cover 1946..2045.
  expect_cases({
      {"yy-MM-dd", "26-11-26", "2026-11-26T00:00:00.000Z"},
      {"yy-MM-dd", "45-01-01", "2045-01-01T00:00:00.000Z"},
      {"yy-MM-dd", "46-01-01", "1946-01-01T00:00:00.000Z"},
      {"yy-MM-dd", "99-12-31", "1999-12-31T00:00:00.000Z"},
      {"yy-MM-dd", "2026-11-26", "2026-11-26T00:00:00.000Z"},  // lenient: a full year
      {"yyMMdd", "261126", "2026-11-26T00:00:00.000Z"},        // followed by a number: 2 digits
      {"yyMMdd", "20261126", "FAIL"},
  });
}

TEST(DateFilterTest, JodaFractionOfSecond) {
  expect_cases({
      {"yyyy-MM-dd HH:mm:ss.S", "2026-11-26 04:55:19.1", "2026-11-26T04:55:19.100Z"},
      {"yyyy-MM-dd HH:mm:ss.S", "2026-11-26 04:55:19.12", "2026-11-26T04:55:19.120Z"},
      {"yyyy-MM-dd HH:mm:ss.SS", "2026-11-26 04:55:19.12", "2026-11-26T04:55:19.120Z"},
      {"yyyy-MM-dd HH:mm:ss.SSS", "2026-11-26 04:55:19.123", "2026-11-26T04:55:19.123Z"},
      {"yyyy-MM-dd HH:mm:ss.SSSS", "2026-11-26 04:55:19.1234", "2026-11-26T04:55:19.123Z"},
      {"yyyy-MM-dd HH:mm:ss.SSSSS", "2026-11-26 04:55:19.12345", "2026-11-26T04:55:19.123Z"},
      {"yyyy-MM-dd HH:mm:ss.SSSSSS", "2026-11-26 04:55:19.123456", "2026-11-26T04:55:19.123Z"},
      {"yyyy-MM-dd HH:mm:ss.SSSSSSS", "2026-11-26 04:55:19.1234567", "2026-11-26T04:55:19.123Z"},
      {"yyyy-MM-dd HH:mm:ss.SSSSSSSS", "2026-11-26 04:55:19.12345678", "2026-11-26T04:55:19.123Z"},
      {"yyyy-MM-dd HH:mm:ss.SSSSSSSSS", "2026-11-26 04:55:19.999999999",
       "2026-11-26T04:55:19.999Z"},
      {"yyyy-MM-dd HH:mm:ss.SSS", "2026-11-26 04:55:19.", "FAIL"},
      {"yyyy-MM-dd HH:mm:ss.SSS", "2026-11-26 04:55:19.1234567890", "FAIL"},  // 10 digits
  });
}

TEST(DateFilterTest, JodaNamesAndHalfDays) {
  expect_cases({
      {"MMM d yyyy", "Nov 6 2026", "2026-11-06T00:00:00.000Z"},
      {"MMM d yyyy", "November 6 2026", "2026-11-06T00:00:00.000Z"},  // either form
      {"MMMM d, yyyy", "November 6, 2026", "2026-11-06T00:00:00.000Z"},
      {"MMMM d, yyyy", "nov 6, 2026", "2026-11-06T00:00:00.000Z"},
      {"MMM d yyyy", "NOV 6 2026", "2026-11-06T00:00:00.000Z"},
      {"MMM d yyyy", "Sept 6 2026", "FAIL"},
      {"MMM d yyyy", "May 6 2026", "2026-05-06T00:00:00.000Z"},
      {"EEE MMM dd HH:mm:ss yyyy", "Thu Nov 26 04:55:19 2026", "2026-11-26T04:55:19.000Z"},
      {"EEEE, MMMM dd yyyy", "Thursday, November 26 2026", "2026-11-26T00:00:00.000Z"},
      {"E MMM dd yyyy", "thursday Nov 26 2026", "2026-11-26T00:00:00.000Z"},
      // Joda moves a date to the weekday it names, within its Monday-based week.
      {"EEE MMM dd yyyy", "Mon Nov 26 2026", "2026-11-23T00:00:00.000Z"},
      {"EEE MMM dd yyyy", "Sun Nov 26 2026", "2026-11-29T00:00:00.000Z"},
      {"EEE MMM dd yyyy", "Xyz Nov 26 2026", "FAIL"},
      {"yyyy-MM-dd e", "2026-11-26 4", "2026-11-26T00:00:00.000Z"},
      {"yyyy-MM-dd e", "2026-11-26 8", "FAIL"},
      {"yyyy-MM-dd hh:mm:ss a", "2026-11-26 12:05:00 AM", "2026-11-26T00:05:00.000Z"},
      {"yyyy-MM-dd hh:mm:ss a", "2026-11-26 12:05:00 PM", "2026-11-26T12:05:00.000Z"},
      {"yyyy-MM-dd hh:mm:ss a", "2026-11-26 01:05:00 pm", "2026-11-26T13:05:00.000Z"},
      {"yyyy-MM-dd hh:mm:ss a", "2026-11-26 13:05:00 PM", "FAIL"},
      {"yyyy-MM-dd hh:mm:ss", "2026-11-26 01:05:00", "2026-11-26T01:05:00.000Z"},  // no a: AM
      {"a yyyy-MM-dd h", "PM 2026-11-26 3", "2026-11-26T15:00:00.000Z"},           // order-free
      {"yyyy-MM-dd K a", "2026-11-26 0 PM", "2026-11-26T12:00:00.000Z"},
      {"yyyy-MM-dd K a", "2026-11-26 11 AM", "2026-11-26T11:00:00.000Z"},
      {"yyyy-MM-dd K a", "2026-11-26 12 AM", "FAIL"},
      {"yyyy-MM-dd HH a", "2026-11-26 15 AM", "2026-11-26T15:00:00.000Z"},  // H wins over a
  });
}

TEST(DateFilterTest, JodaLiteralsAndQuotes) {
  expect_cases({
      {"yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2026-11-26T04:55:19.123+0100", "2026-11-26T03:55:19.123Z"},
      {"yyyy-MM-dd'T'HH:mm:ss", "2026-11-26t04:55:19", "2026-11-26T04:55:19.000Z"},  // any case
      {"yyyy-MM-dd'T'HH", "2026-11-26 04", "FAIL"},
      {"yyyy-MM-dd HH 'o''clock'", "2026-11-26 04 o'clock", "2026-11-26T04:00:00.000Z"},
      {"''yyyy''", "'2026'", "2026-01-01T00:00:00.000Z"},
      {"[dd/MMM/yyyy]", "[26/Nov/2026]", "2026-11-26T00:00:00.000Z"},
      {"yyyy MM dd", "2026  11 26", "FAIL"},  // literal spaces are exact
      // A quote never closed is text to the end, as Joda (and %{+FORMAT}) read
      // it; it was a config error here (engine/text/date_pattern_tokens.h).
      {"yyyy-MM-dd' at noon", "2026-11-26 at noon", "2026-11-26T00:00:00.000Z"},
  });
}

TEST(DateFilterTest, JodaZones) {
  expect_cases({
      {"yyyy-MM-dd HH:mm:ss Z", "2026-11-26 04:55:19 +0100", "2026-11-26T03:55:19.000Z"},
      {"yyyy-MM-dd HH:mm:ss Z", "2026-11-26 04:55:19 +01:00", "2026-11-26T03:55:19.000Z"},
      {"yyyy-MM-dd HH:mm:ss Z", "2026-11-26 04:55:19 -05:30", "2026-11-26T10:25:19.000Z"},
      {"yyyy-MM-dd HH:mm:ss Z", "2026-11-26 04:55:19 +01", "2026-11-26T03:55:19.000Z"},
      {"yyyy-MM-dd HH:mm:ss Z", "2026-11-26 04:55:19 Z", "2026-11-26T04:55:19.000Z"},
      {"yyyy-MM-dd HH:mm:ss Z", "2026-11-26 04:55:19 +24:00", "FAIL"},
      {"yyyy-MM-dd HH:mm:ss Z", "2026-11-26 04:55:19 +01:", "FAIL"},
      {"yyyy-MM-dd HH:mm:ssZZ", "2026-11-26 04:55:19+0100", "2026-11-26T03:55:19.000Z"},
      {"yyyy-MM-dd HH:mm:ssZZ", "2026-11-26 04:55:19-01:00", "2026-11-26T05:55:19.000Z"},
      {"yyyy-MM-dd HH:mm:ss ZZZ", "2026-07-01 12:00:00 Europe/Berlin", "2026-07-01T10:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss ZZZ", "2026-01-01 12:00:00 Europe/Berlin", "2026-01-01T11:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss ZZZ", "2026-01-01 12:00:00 America/Argentina/Buenos_Aires",
       "2026-01-01T15:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss ZZZ", "2026-01-01 12:00:00 UTC", "2026-01-01T12:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss ZZZ]", "2026-01-01 12:00:00 Asia/Tokyo]", "2026-01-01T03:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss ZZZ", "2026-01-01 12:00:00 Mars/Olympus", "FAIL"},
      // z: Joda's default names; the US ones are regions, so DST applies.
      {"yyyy-MM-dd HH:mm:ss z", "2026-01-15 12:00:00 PST", "2026-01-15T20:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss z", "2026-07-01 12:00:00 EST", "2026-07-01T16:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss z", "2026-01-15 12:00:00 GMT", "2026-01-15T12:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss zzzz", "2026-01-15 12:00:00 UTC", "2026-01-15T12:00:00.000Z"},
      {"yyyy-MM-dd HH:mm:ss z", "2026-01-15 12:00:00 CET", "FAIL"},
  });
}

TEST(DateFilterTest, Iso8601Variants) {
  expect_cases({
      {"ISO8601", "2026-11-26T04:55:19.123Z", "2026-11-26T04:55:19.123Z"},
      {"ISO8601", "2026-11-26T04:55:19,123Z", "2026-11-26T04:55:19.123Z"},
      {"ISO8601", "2026-11-26T04:55:19Z", "2026-11-26T04:55:19.000Z"},
      {"ISO8601", "2026-11-26T04:55:19.123456789Z", "2026-11-26T04:55:19.123Z"},
      {"ISO8601", "2026-11-26T04:55:19.1Z", "2026-11-26T04:55:19.100Z"},
      {"ISO8601", "2026-11-26T04:55:19+01:00", "2026-11-26T03:55:19.000Z"},
      {"ISO8601", "2026-11-26T04:55:19+0100", "2026-11-26T03:55:19.000Z"},
      {"ISO8601", "2026-11-26T04:55:19-05", "2026-11-26T09:55:19.000Z"},
      {"ISO8601", "2026-11-26 04:55:19.123", "2026-11-26T04:55:19.123Z"},
      {"ISO8601", "2026-11-26 04:55:19,123+02:00", "2026-11-26T02:55:19.123Z"},
      {"ISO8601", "2026-11-26t04:55:19z", "2026-11-26T04:55:19.000Z"},
      {"ISO8601", "2026-11-26T04:55", "2026-11-26T04:55:00.000Z"},
      {"ISO8601", "2026-11-26T04", "2026-11-26T04:00:00.000Z"},
      {"ISO8601", "2026-11-26", "2026-11-26T00:00:00.000Z"},
      {"ISO8601", "2026-11", "2026-11-01T00:00:00.000Z"},
      {"ISO8601", "2026", "2026-01-01T00:00:00.000Z"},
      {"ISO8601", "2026-330", "2026-11-26T00:00:00.000Z"},
      {"ISO8601", "2026-W48-4T10:00Z", "2026-11-26T10:00:00.000Z"},
      {"ISO8601", "2026-13-01T00:00:00Z", "FAIL"},
      {"ISO8601", "2026-02-29T00:00:00Z", "FAIL"},
      {"ISO8601", "2026-11-26T24:00:00Z", "FAIL"},
      {"ISO8601", "2026-11-26T04:55:19Zjunk", "FAIL"},
      {"ISO8601", "2026-11-26T04:55:19.Z", "FAIL"},
      {"ISO8601", "26-11-26", "FAIL"},
      {"ISO8601", "Nov 26 2026", "FAIL"},
      {"ISO8601", "", "FAIL"},
  });
}

TEST(DateFilterTest, Iso8601WithoutZoneUsesTimezoneOption) {
  expect_cases(
      {
          {"ISO8601", "2026-07-01T12:00:00", "2026-07-01T10:00:00.000Z"},
          {"ISO8601", "2026-07-01T12:00:00Z", "2026-07-01T12:00:00.000Z"},
          {"ISO8601", "2026-07-01T12:00:00-01:00", "2026-07-01T13:00:00.000Z"},
      },
      "Europe/Berlin");
}

TEST(DateFilterTest, UnixTextAndNumbers) {
  struct Case {
    const char* format;
    Value value;
    const char* expected;
  };
  const Case cases[] = {
      {"UNIX", Value("1326149001"), "2012-01-09T22:43:21.000Z"},
      {"UNIX", Value("1326149001.132"), "2012-01-09T22:43:21.132Z"},
      {"UNIX", Value("1326149001.1"), "2012-01-09T22:43:21.100Z"},
      {"UNIX", Value("1326149001.13299"), "2012-01-09T22:43:21.132Z"},
      {"UNIX", Value("-1.5"), "1969-12-31T23:59:58.500Z"},
      {"UNIX", Value("0"), "1970-01-01T00:00:00.000Z"},
      {"UNIX", Value(int64_t{1326149001}), "2012-01-09T22:43:21.000Z"},
      {"UNIX", Value(1326149001.132), "2012-01-09T22:43:21.132Z"},
      {"UNIX", Value(1.5), "1970-01-01T00:00:01.500Z"},
      {"UNIX", Value("abc"), "FAIL"},
      {"UNIX", Value(""), "FAIL"},
      {"UNIX", Value("1e9"), "FAIL"},
      {"UNIX", Value("12 "), "FAIL"},
      {"UNIX", Value("99999999999999999999"), "FAIL"},
      {"UNIX_MS", Value("1326149001132"), "2012-01-09T22:43:21.132Z"},
      {"UNIX_MS", Value(int64_t{1326149001132}), "2012-01-09T22:43:21.132Z"},
      {"UNIX_MS", Value(1326149001132.0), "2012-01-09T22:43:21.132Z"},
      {"UNIX_MS", Value("1326149001132.9"), "2012-01-09T22:43:21.132Z"},
      {"UNIX_MS", Value("x1326149001132"), "FAIL"},
      {"TAI64N", Value("@4000000052f88ea32489532c"), "2014-02-10T08:32:25.612Z"},
      {"TAI64N", Value("4000000052f88ea32489532c"), "2014-02-10T08:32:25.612Z"},
      {"TAI64N", Value("@4000000052F88EA32489532C"), "2014-02-10T08:32:25.612Z"},
      {"TAI64N", Value("@4000000052f88ea3"), "FAIL"},
      {"TAI64N", Value("@4000000052f88ea32489532g"), "FAIL"},
  };
  for (const auto& c : cases) {
    DateHarness h(match_options({"when", c.format}));
    EXPECT_EQ(h.run(c.value), c.expected) << c.format << " " << c.value.to_string();
  }
}

TEST(DateFilterTest, NumbersReachPatternsAsText) {
  DateHarness h(match_options({"when", "yyyyMMdd"}));
  EXPECT_EQ(h.run(Value(int64_t{20261126})), "2026-11-26T00:00:00.000Z");
}

TEST(DateFilterTest, TimeZonesAndDaylightSavingEdges) {
  // Spring forward: wall times in the gap do not exist; Joda refuses them
  // (IllegalInstantException), so the event is tagged. Fall back: a wall
  // time that happens twice takes the earlier instant (summer offset).
  expect_cases(
      {
          {"yyyy-MM-dd HH:mm:ss", "2026-07-01 12:00:00", "2026-07-01T10:00:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-01-15 12:00:00", "2026-01-15T11:00:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-03-29 01:59:59", "2026-03-29T00:59:59.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-03-29 02:00:00", "FAIL"},
          {"yyyy-MM-dd HH:mm:ss", "2026-03-29 02:30:00", "FAIL"},
          {"yyyy-MM-dd HH:mm:ss", "2026-03-29 03:00:00", "2026-03-29T01:00:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-10-25 01:59:59", "2026-10-24T23:59:59.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-10-25 02:30:00", "2026-10-25T00:30:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-10-25 03:00:00", "2026-10-25T02:00:00.000Z"},
          {"ISO8601", "2026-03-29T02:30:00", "FAIL"},
          {"ISO8601", "2026-03-29T02:30:00+01:00", "2026-03-29T01:30:00.000Z"},  // offset given
      },
      "Europe/Berlin");
  expect_cases(
      {
          {"yyyy-MM-dd HH:mm:ss", "2026-03-08 02:30:00", "FAIL"},
          {"yyyy-MM-dd HH:mm:ss", "2026-03-08 03:30:00", "2026-03-08T07:30:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-11-01 01:30:00", "2026-11-01T05:30:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2026-11-01 02:30:00", "2026-11-01T07:30:00.000Z"},
      },
      "America/New_York");
  // The tz files list transitions up to 2037; later years follow each zone's rule.
  expect_cases(
      {
          {"yyyy-MM-dd HH:mm:ss", "2040-07-01 12:00:00", "2040-07-01T10:00:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2040-01-15 12:00:00", "2040-01-15T11:00:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2040-03-25 02:30:00", "FAIL"},
          {"yyyy-MM-dd HH:mm:ss", "2040-10-28 02:30:00", "2040-10-28T00:30:00.000Z"},
          {"yyyy-MM-dd HH:mm:ss", "2200-07-01 12:00:00", "2200-07-01T10:00:00.000Z"},
      },
      "Europe/Berlin");
  expect_cases({{"yyyy-MM-dd HH:mm:ss", "2040-01-15 12:00:00", "2040-01-15T01:00:00.000Z"},
                {"yyyy-MM-dd HH:mm:ss", "2040-07-15 12:00:00", "2040-07-15T02:00:00.000Z"}},
               "Australia/Sydney");
  expect_cases({{"yyyy-MM-dd HH:mm:ss", "2040-01-15 12:00:00", "2040-01-15T15:00:00.000Z"},
                {"yyyy-MM-dd HH:mm:ss", "2040-07-15 12:00:00", "2040-07-15T16:00:00.000Z"}},
               "America/Santiago");
  expect_cases({{"yyyy-MM-dd HH:mm:ss", "2040-07-15 12:00:00", "2040-07-15T08:30:00.000Z"}},
               "Asia/Tehran");
  expect_cases({{"yyyy-MM-dd HH:mm:ss", "2026-07-01 12:00:00", "2026-07-01T06:30:00.000Z"}},
               "+05:30");
  expect_cases({{"yyyy-MM-dd HH:mm:ss", "2026-07-01 12:00:00", "2026-07-01T20:00:00.000Z"}},
               "-0800");
  expect_cases({{"yyyy-MM-dd HH:mm:ss", "2026-07-01 12:00:00", "2026-07-01T12:00:00.000Z"}}, "UTC");
  expect_cases({{"yyyy-MM-dd HH:mm:ss", "2026-07-01 12:00:00", "2026-07-01T12:00:00.000Z"}},
               "Etc/UTC");
}

TEST(DateFilterTest, OneFilterWalkingAcrossTransitionsStaysExact) {
  // One filter keeps its zone's last offset period; walking through the year
  // in both directions must still give each wall time its own offset.
  DateHarness h(match_options({"when", "yyyy-MM-dd HH:mm:ss"}, "Europe/Berlin"));
  const PatternCase steps[] = {
      {"", "2026-01-10 12:00:00", "2026-01-10T11:00:00.000Z"},
      {"", "2026-03-20 12:00:00", "2026-03-20T11:00:00.000Z"},
      {"", "2026-03-29 01:30:00", "2026-03-29T00:30:00.000Z"},
      {"", "2026-03-29 02:30:00", "FAIL"},
      {"", "2026-03-29 03:30:00", "2026-03-29T01:30:00.000Z"},
      {"", "2026-06-10 12:00:00", "2026-06-10T10:00:00.000Z"},
      {"", "2026-10-24 02:30:00", "2026-10-24T00:30:00.000Z"},
      {"", "2026-10-25 02:30:00", "2026-10-25T00:30:00.000Z"},
      {"", "2026-10-26 02:30:00", "2026-10-26T01:30:00.000Z"},
      {"", "2026-12-10 12:00:00", "2026-12-10T11:00:00.000Z"},
      {"", "2026-10-25 02:30:00", "2026-10-25T00:30:00.000Z"},  // winter period was last
      {"", "2026-10-25 03:30:00", "2026-10-25T02:30:00.000Z"},
      {"", "2026-03-29 02:30:00", "FAIL"},
      {"", "2026-06-10 12:00:00", "2026-06-10T10:00:00.000Z"},
      {"", "2026-03-29 02:30:00", "FAIL"},  // summer period was last
      {"", "2026-01-10 12:00:00", "2026-01-10T11:00:00.000Z"},
      // The day after the tz file's last transition (2037-10-25): its period
      // must not be remembered as lasting forever.
      {"", "2037-10-25 12:00:00", "2037-10-25T11:00:00.000Z"},
      {"", "2041-07-01 12:00:00", "2041-07-01T10:00:00.000Z"},
      {"", "2041-12-01 12:00:00", "2041-12-01T11:00:00.000Z"},
      {"", "2026-07-01 12:00:00", "2026-07-01T10:00:00.000Z"},
  };
  for (const auto& s : steps) EXPECT_EQ(h.run(Value(s.text)), s.expected) << s.text;
}

TEST(DateFilterTest, TimezoneFromEventField) {
  DateHarness h(match_options({"when", "yyyy-MM-dd HH:mm:ss"}, "%{tz}"));
  struct Case {
    const char* tz;  // nullptr: the event has no tz field
    const char* expected;
  };
  const Case cases[] = {
      {"America/New_York", "2026-07-01T16:00:00.000Z"},
      {"Asia/Tokyo", "2026-07-01T03:00:00.000Z"},
      {"Asia/Tokyo", "2026-07-01T03:00:00.000Z"},
      {"America/New_York", "2026-07-01T16:00:00.000Z"},  // same text, other zone: no stale cache
      {"+02:00", "2026-07-01T10:00:00.000Z"},
      {"Nowhere/Special", "FAIL"},
      {nullptr, "FAIL"},
  };
  for (const auto& c : cases) {
    Event e;
    e.set_top("when", Value("2026-07-01 12:00:00"));
    if (c.tz) e.set_top("tz", Value(c.tz));
    EXPECT_EQ(h.run_event(e), c.expected) << (c.tz ? c.tz : "(no tz)");
  }
}

TEST(DateFilterTest, LocaleNamesAreEnglish) {
  for (const char* locale : {"en", "en-US", "en_GB", "EN", "de"}) {
    Object o = match_options({"when", "EEE, dd MMM yyyy HH:mm:ss Z"});
    o.set("locale", Value(locale));
    DateHarness h(o);
    EXPECT_EQ(h.run(Value("Thu, 26 Nov 2026 04:55:19 +0000")), "2026-11-26T04:55:19.000Z")
        << locale;
  }
}

TEST(DateFilterTest, TargetField) {
  Object o = match_options({"when", "ISO8601"});
  o.set("target", Value("[parsed][at]"));
  DateHarness h(o);
  Event e(std::string("line"), Timestamp{42});
  e.set_top("when", Value("2026-11-26T04:55:19.123Z"));
  EXPECT_EQ(h.run_event(e, "[parsed][at]"), "2026-11-26T04:55:19.123Z");
  EXPECT_EQ(e.get_top("@timestamp")->as_timestamp(), Timestamp{42});
}

TEST(DateFilterTest, FailureTagsAndSkipsCommonOptions) {
  Object o = match_options({"when", "ISO8601"});
  o.set("tag_on_failure", Value(strings({"bad_date", "second"})));
  o.set("add_tag", Value(strings({"dated"})));
  DateHarness h(o);
  NullContext ctx;

  Event bad(std::string("x"), Timestamp{42});
  bad.set_top("when", Value("yesterday"));
  h.filter->filter(bad, ctx);
  EXPECT_TRUE(bad.has_tag("bad_date"));
  EXPECT_TRUE(bad.has_tag("second"));
  EXPECT_FALSE(bad.has_tag("_dateparsefailure"));
  EXPECT_FALSE(bad.has_tag("dated"));
  EXPECT_EQ(bad.get_top("@timestamp")->as_timestamp(), Timestamp{42});

  Event good;
  good.set_top("when", Value("2026-11-26T04:55:19Z"));
  h.filter->filter(good, ctx);
  EXPECT_TRUE(good.has_tag("dated"));
  EXPECT_FALSE(good.has_tag("bad_date"));
}

TEST(DateFilterTest, MissingOrNullSourceIsNoOp) {
  DateHarness h(match_options({"when", "ISO8601"}));
  NullContext ctx;
  for (int kind = 0; kind < 3; ++kind) {
    Event e(std::string("x"), Timestamp{42});
    if (kind == 1) e.set_top("when", Value());
    if (kind == 2) e.set_top("when", Value(Array{}));
    h.filter->filter(e, ctx);
    EXPECT_FALSE(e.has(FieldRef::must("tags"))) << kind;
    EXPECT_EQ(e.get_top("@timestamp")->as_timestamp(), Timestamp{42}) << kind;
  }
}

TEST(DateFilterTest, ArrayUsesFirstElement) {
  DateHarness h(match_options({"when", "ISO8601"}));
  EXPECT_EQ(h.run(Value(strings({"2026-11-26T04:55:19Z", "garbage"}))), "2026-11-26T04:55:19.000Z");
  EXPECT_EQ(h.run(Value(strings({"garbage", "2026-11-26T04:55:19Z"}))), "FAIL");
}

TEST(DateFilterTest, NestedSourceField) {
  DateHarness h(match_options({"[log][time]", "UNIX"}));
  Event e;
  e.set(FieldRef::must("[log][time]"), Value("0"));
  EXPECT_EQ(h.run_event(e), "1970-01-01T00:00:00.000Z");
}

TEST(DateFilterTest, FormatsAreTriedInOrder) {
  {
    DateHarness h(match_options({"when", "yyyy-MM-dd", "dd/MM/yyyy", "ISO8601"}));
    EXPECT_EQ(h.run(Value("2026-11-26")), "2026-11-26T00:00:00.000Z");
    EXPECT_EQ(h.run(Value("26/11/2026")), "2026-11-26T00:00:00.000Z");
    EXPECT_EQ(h.run(Value("2026-11-26T01:00:00Z")), "2026-11-26T01:00:00.000Z");
    EXPECT_EQ(h.run(Value("26.11.2026")), "FAIL");
  }
  {
    DateHarness unix_first(match_options({"when", "UNIX", "yyyyMMdd"}));
    EXPECT_EQ(unix_first.run(Value("20261126")), "1970-08-23T12:05:26.000Z");
    DateHarness pattern_first(match_options({"when", "yyyyMMdd", "UNIX"}));
    EXPECT_EQ(pattern_first.run(Value("20261126")), "2026-11-26T00:00:00.000Z");
  }
}

TEST(DateFilterTest, CacheNeverAnswersForAnotherString) {
  DateHarness h(match_options({"when", "dd/MMM/yyyy:HH:mm:ss Z"}));
  struct Step {
    const char* text;
    const char* expected;
  };
  const Step steps[] = {
      {"26/Nov/2026:04:55:19 +0000", "2026-11-26T04:55:19.000Z"},
      {"26/Nov/2026:04:55:19 +0000", "2026-11-26T04:55:19.000Z"},
      {"26/Nov/2026:04:55:18 +0000", "2026-11-26T04:55:18.000Z"},
      {"26/Nov/2026:04:55:19 +0100", "2026-11-26T03:55:19.000Z"},
      {"26/Nov/2026:04:55:19 +010", "FAIL"},    // a prefix of the previous
      {"26/Nov/2026:04:55:19 +0100 ", "FAIL"},  // an extension of it
      {"26/Nov/2026:04:55:19 +0100", "2026-11-26T03:55:19.000Z"},
      {"bad", "FAIL"},
      {"bad", "FAIL"},
      {"26/Nov/2026:04:55:19 +0000", "2026-11-26T04:55:19.000Z"},
  };
  for (const auto& s : steps) EXPECT_EQ(h.run(Value(s.text)), s.expected) << s.text;
}

TEST(DateFilterTest, YearlessPatternsTakeCurrentYearWithRollover) {
  struct Case {
    const char* now;
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"2026-11-26T05:00:00Z", "Nov 26 04:55:19", "2026-11-26T04:55:19.000Z"},
      {"2026-11-26T05:00:00Z", "Dec 31 23:59:59", "2026-12-31T23:59:59.000Z"},
      {"2026-11-26T05:00:00Z", "Jan  1 00:00:01", "2026-01-01T00:00:01.000Z"},
      {"2027-01-02T00:10:00Z", "Dec 31 23:59:59", "2026-12-31T23:59:59.000Z"},  // previous year
      {"2027-01-02T00:10:00Z", "Jan  1 00:00:01", "2027-01-01T00:00:01.000Z"},
      {"2026-12-30T12:00:00Z", "Jan  1 00:00:01", "2027-01-01T00:00:01.000Z"},  // next year
      {"2026-12-30T12:00:00Z", "Dec 30 11:00:00", "2026-12-30T11:00:00.000Z"},
      {"2028-03-01T00:00:00Z", "Feb 29 12:00:00", "2028-02-29T12:00:00.000Z"},
      // Logstash parses in Joda's default year 2000 and then calls withYear():
      // Feb 29 of a year without one becomes Feb 28; Feb 30 never parses.
      {"2027-03-01T00:00:00Z", "Feb 29 12:00:00", "2027-02-28T12:00:00.000Z"},
      {"2028-03-01T00:00:00Z", "Feb 30 12:00:00", "FAIL"},
      {"2027-03-01T00:00:00Z", "Feb 30 12:00:00", "FAIL"},
  };
  for (const auto& c : cases) {
    DateHarness h(match_options({"when", "MMM dd HH:mm:ss", "MMM  d HH:mm:ss"}));
    *h.now = epoch_of(c.now);
    EXPECT_EQ(h.run(Value(c.text)), c.expected) << c.now << " " << c.text;
  }
}

TEST(DateFilterTest, YearlessCacheFollowsTheClock) {
  // The same text parsed again after New Year must not reuse last year's answer.
  DateHarness h(match_options({"when", "MMM dd HH:mm:ss"}));
  *h.now = epoch_of("2026-06-01T00:00:00Z");
  EXPECT_EQ(h.run(Value("Mar 01 10:00:00")), "2026-03-01T10:00:00.000Z");
  *h.now = epoch_of("2027-06-01T00:00:00Z");
  EXPECT_EQ(h.run(Value("Mar 01 10:00:00")), "2027-03-01T10:00:00.000Z");
}

TEST(DateFilterTest, InvalidConfigurations) {
  struct Case {
    Object options;
    const char* option;  // expected OptionError::option
  };
  auto with = [](Object o, const char* name, Value v) {
    o.set(name, std::move(v));
    return o;
  };
  const Case cases[] = {
      {Object(), "match"},
      {match_options({"when"}), "match"},
      {match_options({"when", "yyyy-MM-dd q"}), "match"},
      {match_options({"[bad", "ISO8601"}), "match"},
      {match_options({"when", "ISO8601"}, "Mars/Olympus"), "timezone"},
      {match_options({"when", "ISO8601"}, "+25:00"), "timezone"},
      {with(match_options({"when", "ISO8601"}), "target", Value("[a")), "target"},
  };
  for (const auto& c : cases) {
    try {
      DateHarness h(c.options);
      ADD_FAILURE() << "accepted a bad " << c.option;
    } catch (const OptionError& e) {
      EXPECT_EQ(e.option, c.option) << e.what();
    }
  }
}

TEST(DateFilterTest, PluginInfoDefaults) {
  PluginInfo info = date_filter_info();
  EXPECT_EQ(info.name, "date");
  EXPECT_EQ(info.kind, PluginKind::Filter);
  bool saw_target = false, saw_tag = false;
  for (const auto& spec : info.options) {
    if (spec.name == "target") {
      saw_target = true;
      EXPECT_EQ(*spec.default_value, Value("@timestamp"));
    }
    if (spec.name == "tag_on_failure") {
      saw_tag = true;
      EXPECT_EQ(*spec.default_value, Value(strings({"_dateparsefailure"})));
    }
  }
  EXPECT_TRUE(saw_target && saw_tag);
}

TEST(DateFilterTest, MangledInputIsParsedOrTaggedNeverCrashes) {
  DateHarness h(match_options(
      {"when", "dd/MMM/yyyy:HH:mm:ss Z", "EEE MMM d HH:mm:ss.SSS yyyy ZZZ", "yy-MM-dd hh:mm a z",
       "xxxx-'W'ww-e", "yyyy-DDD'T'HH", "ISO8601", "UNIX", "UNIX_MS", "TAI64N", "MMM dd HH:mm:ss"},
      "Europe/Berlin"));
  const std::string seeds[] = {
      "26/Nov/2026:04:55:19 +0100",
      "Thu Nov 26 04:55:19.123 2026 Europe/Berlin",
      "26-11-26 04:55 PM PST",
      "2026-W48-4",
      "2026-330T04",
      "2026-11-26T04:55:19.123456789+01:00",
      "1326149001.132",
      "@4000000052f88ea32489532c",
      "Nov 26 04:55:19",
      "999999999-01-01",
  };
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  const char alphabet[] = "0123456789:-+./TZWzAPMamp @,'";
  int parsed = 0, tagged = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[i % std::size(seeds)];
    const int edits = 1 + next() % 4;
    for (int k = 0; k < edits && !text.empty(); ++k) {
      const size_t at = next() % text.size();
      switch (next() % 3) {
        case 0:
          text[at] = alphabet[next() % (sizeof alphabet - 1)];
          break;
        case 1:
          text.erase(at, 1 + next() % 3);
          break;
        default:
          text.insert(at, 1, static_cast<char>(next() % 256));
          break;
      }
    }
    const std::string result = h.run(Value(text));
    if (result == "FAIL") {
      ++tagged;
    } else {
      ASSERT_EQ(result.size(), 24u) << "text \"" << text << "\" gave " << result;
      ++parsed;
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(tagged, 0);
}

// Through the real binary (needs the date plugin registered in the engine).
TEST(DateFilterIntegration, ParsesTagsAndRejectsBadPatterns) {
  using logpipe::testing::Subprocess;
  Subprocess p({LOGPIPE_BINARY, "-w", "1", "-e",
                "input { stdin {} } "
                "filter { date { match => [\"message\", \"dd/MMM/yyyy:HH:mm:ss Z\", \"ISO8601\"] "
                "timezone => \"Europe/Berlin\" target => \"ts\" } } "
                "output { stdout { codec => json_lines } }"});
  p.write_stdin("10/Oct/2000:13:55:36 -0700\n2026-07-01T12:00:00\nnot a date\n");
  p.close_stdin();
  ASSERT_EQ(p.finish(60), 0) << p.err();
  auto lines = logpipe::testing::split_lines(p.out());
  ASSERT_EQ(lines.size(), 3u) << p.out();
  std::vector<Value> events;
  for (const auto& line : lines) {
    Value v;
    std::string err;
    ASSERT_TRUE(parse_json(line, &v, &err)) << err << ": " << line;
    events.push_back(std::move(v));
  }
  EXPECT_EQ(events[0].as_object().find("ts")->as_string(), "2000-10-10T20:55:36.000Z");
  EXPECT_EQ(events[1].as_object().find("ts")->as_string(), "2026-07-01T10:00:00.000Z");
  EXPECT_EQ(events[2].as_object().find("ts"), nullptr);
  EXPECT_EQ(events[2].as_object().find("tags")->as_array().at(0).as_string(), "_dateparsefailure");

  Subprocess bad({LOGPIPE_BINARY, "-t", "-e",
                  "input { stdin {} } filter { date { match => [\"message\", \"yyyy-MM-dd q\"] } } "
                  "output { stdout {} }"});
  bad.close_stdin();
  EXPECT_EQ(bad.finish(60), 1);
  EXPECT_NE(bad.err().find("illegal pattern component 'q'"), std::string::npos) << bad.err();
}

}  // namespace
}  // namespace logpipe
