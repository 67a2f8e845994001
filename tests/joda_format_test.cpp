#include "engine/text/joda_format.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

namespace logpipe {
namespace {

// Built with Howard Hinnant's date library, independently of the formatter.
Timestamp at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int64_t nanos = 0) {
  const int64_t days = date::sys_days{date::year{y} / mo / d}.time_since_epoch().count();
  return Timestamp{(days * 86400 + h * 3600 + mi * 60 + s) * 1000000000LL + nanos};
}

struct Case {
  const char* pattern;
  Timestamp ts;
  const char* expected;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << '"' << c.pattern << "\" @ " << c.ts.to_iso8601();
}

// Thursday 2026-11-26 16:05:09.123456789 UTC: ISO week 48, day of year 330.
const Timestamp kAfternoon = at(2026, 11, 26, 16, 5, 9, 123456789);
const Timestamp kMidnight = at(2026, 11, 26, 0, 0, 0);
const Timestamp kNoon = at(2026, 11, 26, 12, 0, 0);
const Timestamp kMarch = at(2021, 3, 5, 7, 8, 9, 5000000);

class JodaLetters : public ::testing::TestWithParam<Case> {};

TEST_P(JodaLetters, FormatsAsJoda) {
  const Case& c = GetParam();
  EXPECT_EQ(JodaFormat(c.pattern).format(c.ts), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryLetterAndCount, JodaLetters,
    ::testing::Values(
        // Era and century.
        Case{"G", kAfternoon, "AD"}, Case{"GGGG", kAfternoon, "AD"}, Case{"C", kAfternoon, "20"},
        Case{"CCC", kAfternoon, "020"},
        // y year, Y year of era, x weekyear: yy two digits, else at least n digits.
        Case{"y", kAfternoon, "2026"}, Case{"yy", kAfternoon, "26"},
        Case{"yyy", kAfternoon, "2026"}, Case{"yyyy", kAfternoon, "2026"},
        Case{"yyyyyy", kAfternoon, "002026"}, Case{"yy", at(2005, 1, 1), "05"},
        Case{"Y", kAfternoon, "2026"}, Case{"YY", kAfternoon, "26"},
        Case{"YYYY", kAfternoon, "2026"}, Case{"x", kAfternoon, "2026"},
        Case{"xx", kAfternoon, "26"}, Case{"xxxx", kAfternoon, "2026"},
        // Week of weekyear, ISO day of week, day of week text.
        Case{"w", kAfternoon, "48"}, Case{"ww", kAfternoon, "48"}, Case{"w", at(2021, 1, 4), "1"},
        Case{"ww", at(2021, 1, 4), "01"}, Case{"e", kAfternoon, "4"}, Case{"ee", kAfternoon, "04"},
        Case{"e", at(2026, 11, 29), "7"}, Case{"E", kAfternoon, "Thu"},
        Case{"EEE", kAfternoon, "Thu"}, Case{"EEEE", kAfternoon, "Thursday"},
        Case{"EEEEEE", kAfternoon, "Thursday"}, Case{"EEEE", at(2026, 11, 29), "Sunday"},
        Case{"EEE", at(2026, 11, 23), "Mon"},
        // Day of year, month, day of month.
        Case{"D", kAfternoon, "330"}, Case{"D", kMarch, "64"}, Case{"DDD", kMarch, "064"},
        Case{"M", kAfternoon, "11"}, Case{"MM", kAfternoon, "11"}, Case{"M", kMarch, "3"},
        Case{"MM", kMarch, "03"}, Case{"MMM", kAfternoon, "Nov"},
        Case{"MMMM", kAfternoon, "November"}, Case{"MMMMM", kMarch, "March"},
        Case{"MMM", at(2026, 5, 1), "May"}, Case{"MMMM", at(2026, 9, 1), "September"},
        Case{"d", kMarch, "5"}, Case{"dd", kMarch, "05"}, Case{"dd", kAfternoon, "26"},
        // Half day and the four hour letters.
        Case{"a", kAfternoon, "PM"}, Case{"a", kMidnight, "AM"}, Case{"a", kNoon, "PM"},
        Case{"h", kAfternoon, "4"}, Case{"hh", kAfternoon, "04"}, Case{"h", kMidnight, "12"},
        Case{"h", kNoon, "12"}, Case{"K", kAfternoon, "4"}, Case{"K", kMidnight, "0"},
        Case{"KK", kNoon, "00"}, Case{"H", kAfternoon, "16"}, Case{"H", kMidnight, "0"},
        Case{"HH", kMidnight, "00"}, Case{"k", kAfternoon, "16"}, Case{"k", kMidnight, "24"},
        Case{"kk", kNoon, "12"},
        // Minute, second, fraction (truncated, never rounded).
        Case{"m", kAfternoon, "5"}, Case{"mm", kAfternoon, "05"}, Case{"s", kAfternoon, "9"},
        Case{"ss", kAfternoon, "09"}, Case{"S", kAfternoon, "1"}, Case{"SS", kAfternoon, "12"},
        Case{"SSS", kAfternoon, "123"}, Case{"SSSSSS", kAfternoon, "123456"},
        Case{"SSSSSSSSS", kAfternoon, "123456789"},
        Case{"SSSSSSSSSSSS", kAfternoon, "123456789000"}, Case{"SSS", kMarch, "005"},
        Case{"S", kMarch, "0"}, Case{"SSS", at(2026, 1, 1, 0, 0, 0, 999999999), "999"},
        // Zones: timestamps are UTC.
        Case{"z", kAfternoon, "UTC"}, Case{"zzz", kAfternoon, "UTC"},
        Case{"zzzz", kAfternoon, "Coordinated Universal Time"}, Case{"Z", kAfternoon, "+0000"},
        Case{"ZZ", kAfternoon, "+00:00"}, Case{"ZZZ", kAfternoon, "UTC"},
        // Literals and quoting.
        Case{"yyyy.MM.dd", kAfternoon, "2026.11.26"},
        Case{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", kAfternoon, "2026-11-26T16:05:09.123+0000"},
        Case{"EEE, dd MMM yyyy HH:mm:ss Z", kAfternoon, "Thu, 26 Nov 2026 16:05:09 +0000"},
        Case{"''", kAfternoon, "'"}, Case{"h 'o''clock' a", kAfternoon, "4 o'clock PM"},
        Case{"'week' w", kAfternoon, "week 48"}, Case{"'abc", kAfternoon, "abc"},
        Case{"HH'h'mm", kAfternoon, "16h05"}, Case{"", kAfternoon, ""},
        Case{"[yyyy] #1 ü", kAfternoon, "[2026] #1 ü"}));

TEST(JodaFormat, UnknownLettersAreRejectedWithTheLetter) {
  for (const char* pattern : {"yyyy-MM-ddTHH", "u", "L", "X", "q", "A", "b", "n", "W"}) {
    try {
      JodaFormat f(pattern);
      ADD_FAILURE() << "accepted " << pattern;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("unknown Joda-Time pattern letter"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find(pattern), std::string::npos) << e.what();
    }
  }
}

TEST(JodaFormat, QuotedLettersAreNotPatternLetters) {
  EXPECT_EQ(JodaFormat("'uLXqT'").format(kAfternoon), "uLXqT");
}

class JodaCalendar : public ::testing::TestWithParam<Case> {};

TEST_P(JodaCalendar, MatchesTheCalendar) {
  const Case& c = GetParam();
  EXPECT_EQ(JodaFormat(c.pattern).format(c.ts), c.expected);
}

constexpr const char* kWeek = "xxxx-'W'ww-e EEE";
constexpr const char* kFull = "yyyy-MM-dd HH:mm:ss.SSS EEE 'D'D";

INSTANTIATE_TEST_SUITE_P(
    WeeksLeapYearsAndPre1970, JodaCalendar,
    ::testing::Values(
        // ISO weekyear differs from the calendar year around 1 January.
        Case{kWeek, at(2021, 1, 1), "2020-W53-5 Fri"},
        Case{kWeek, at(2020, 12, 31), "2020-W53-4 Thu"},
        Case{kWeek, at(2021, 1, 3), "2020-W53-7 Sun"},
        Case{kWeek, at(2021, 1, 4), "2021-W01-1 Mon"},
        Case{kWeek, at(2019, 12, 30), "2020-W01-1 Mon"},
        Case{kWeek, at(2015, 12, 31), "2015-W53-4 Thu"},
        Case{kWeek, at(2016, 1, 3), "2015-W53-7 Sun"},
        Case{kWeek, at(2008, 12, 29), "2009-W01-1 Mon"},
        Case{kWeek, at(2024, 12, 31), "2025-W01-2 Tue"},
        Case{kWeek, at(1969, 12, 29), "1970-W01-1 Mon"},
        Case{kWeek, at(1900, 1, 1), "1900-W01-1 Mon"}, Case{"xx ww", at(2021, 1, 1), "20 53"},
        // Year boundary.
        Case{kFull, at(2020, 12, 31, 23, 59, 59, 999999999), "2020-12-31 23:59:59.999 Thu D366"},
        Case{kFull, at(2021, 1, 1), "2021-01-01 00:00:00.000 Fri D1"},
        // Leap days: 2024 and 2000 are leap years, 1900 and 2023 are not.
        Case{kFull, at(2024, 2, 29, 12), "2024-02-29 12:00:00.000 Thu D60"},
        Case{kFull, at(2024, 3, 1), "2024-03-01 00:00:00.000 Fri D61"},
        Case{kFull, at(2023, 3, 1), "2023-03-01 00:00:00.000 Wed D60"},
        Case{kFull, at(2000, 2, 29), "2000-02-29 00:00:00.000 Tue D60"},
        Case{kFull, at(1900, 2, 28), "1900-02-28 00:00:00.000 Wed D59"},
        Case{kFull, at(1900, 3, 1), "1900-03-01 00:00:00.000 Thu D60"},
        Case{kFull, at(2024, 12, 31), "2024-12-31 00:00:00.000 Tue D366"},
        // Before 1970 (negative nanoseconds): fields count forward from the earlier second.
        Case{kFull, Timestamp{-1000000}, "1969-12-31 23:59:59.999 Wed D365"},
        Case{kFull, Timestamp{-1}, "1969-12-31 23:59:59.999 Wed D365"},
        Case{kFull, Timestamp{0}, "1970-01-01 00:00:00.000 Thu D1"},
        Case{kFull, at(1969, 7, 20, 20, 17, 40), "1969-07-20 20:17:40.000 Sun D201"},
        Case{kFull, Timestamp::from_seconds(-2147483648LL), "1901-12-13 20:45:52.000 Fri D347"},
        // The ends of the Timestamp range.
        Case{"yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS EEE", Timestamp{std::numeric_limits<int64_t>::min()},
             "1677-09-21T00:12:43.145224192 Tue"},
        Case{"yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS EEE", Timestamp{std::numeric_limits<int64_t>::max()},
             "2262-04-11T23:47:16.854775807 Fri"}));

// Every day of the Timestamp range (1679..2260), against the date library.
TEST(JodaFormat, AgreesWithTheDateLibraryOnEveryDay) {
  const JodaFormat f("yyyy-MM-dd D e xxxx ww");
  std::string out;
  for (int64_t day = -106000; day < 106000; ++day) {
    const date::sys_days sd{date::days{day}};
    const date::year_month_day ymd{sd};
    const date::year_month_weekday ymw{sd};
    const int doy = (sd - date::sys_days{ymd.year() / 1 / 1}).count() + 1;
    const unsigned iso_dow = ymw.weekday().iso_encoding();
    // ISO week via the Thursday of the same week.
    const date::sys_days thursday = sd + date::days{4 - static_cast<int>(iso_dow)};
    const date::year wy = date::year_month_day{thursday}.year();
    const int week = (thursday - date::sys_days{wy / 1 / 1}).count() / 7 + 1;
    char expected[64];
    std::snprintf(expected, sizeof expected, "%04d-%02u-%02u %d %u %04d %02d", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), doy, iso_dow, int(wy), week);
    out.clear();
    f.append(Timestamp::from_seconds(day * 86400), out);
    ASSERT_EQ(out, expected) << "day " << day;
  }
}

TEST(JodaFormat, AppendKeepsWhatIsAlreadyThere) {
  std::string out = "logs-";
  JodaFormat("yyyy.MM.dd").append(kAfternoon, out);
  EXPECT_EQ(out, "logs-2026.11.26");
  EXPECT_EQ(JodaFormat("yyyy.MM.dd").pattern(), "yyyy.MM.dd");
}

// ------------------------------------------------------------ java.time

class JavaTimeLetters : public ::testing::TestWithParam<Case> {};

TEST_P(JavaTimeLetters, FormatsAsDateTimeFormatter) {
  const Case& c = GetParam();
  EXPECT_EQ(JodaFormat::java_time(c.pattern).format(c.ts), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryLetter, JavaTimeLetters,
    ::testing::Values(
        Case{"yyyy-MM-dd", kAfternoon, "2026-11-26"}, Case{"uuuu", kAfternoon, "2026"},
        Case{"yy", kAfternoon, "26"}, Case{"uu", kAfternoon, "26"}, Case{"y", kAfternoon, "2026"},
        Case{"yyyyy", kAfternoon, "02026"}, Case{"YYYY-'W'ww", kAfternoon, "2026-W48"},
        Case{"YYYY-'W'ww-e", at(2021, 1, 1), "2020-W53-5"}, Case{"YY", at(2021, 1, 1), "20"},
        Case{"G", kAfternoon, "AD"}, Case{"GGGG", kAfternoon, "Anno Domini"},
        Case{"GGGGG", kAfternoon, "A"}, Case{"Q", kAfternoon, "4"}, Case{"QQ", kAfternoon, "04"},
        Case{"QQQ", kAfternoon, "Q4"}, Case{"QQQQ", kAfternoon, "4th quarter"},
        Case{"QQQQQ", kAfternoon, "4"}, Case{"qqqq", kMarch, "1st quarter"}, Case{"M", kMarch, "3"},
        Case{"MMM", kAfternoon, "Nov"}, Case{"MMMM", kAfternoon, "November"},
        Case{"MMMMM", kAfternoon, "N"}, Case{"LLL", kAfternoon, "Nov"},
        Case{"E", kAfternoon, "Thu"}, Case{"EEEE", kAfternoon, "Thursday"},
        Case{"EEEEE", kAfternoon, "T"}, Case{"e", kAfternoon, "4"}, Case{"eee", kAfternoon, "Thu"},
        Case{"c", kAfternoon, "4"}, Case{"cccc", kAfternoon, "Thursday"}, Case{"d", kMarch, "5"},
        Case{"D", kMarch, "64"}, Case{"DDD", kMarch, "064"}, Case{"a", kAfternoon, "PM"},
        Case{"hh", kAfternoon, "04"}, Case{"K", kNoon, "0"}, Case{"k", kMidnight, "24"},
        Case{"HH:mm:ss", kAfternoon, "16:05:09"}, Case{"SSS", kAfternoon, "123"},
        Case{"SSSSSS", kAfternoon, "123456"}, Case{"SSSSSSSSS", kAfternoon, "123456789"},
        Case{"n", kAfternoon, "123456789"}, Case{"A", kAfternoon, "57909123"},
        Case{"N", kAfternoon, "57909123456789"},
        // ZoneOffset.UTC as java.time prints it.
        Case{"z", kAfternoon, "Z"}, Case{"zzzz", kAfternoon, "Z"}, Case{"VV", kAfternoon, "Z"},
        Case{"O", kAfternoon, "GMT"}, Case{"OOOO", kAfternoon, "GMT"}, Case{"X", kAfternoon, "Z"},
        Case{"XXX", kAfternoon, "Z"}, Case{"x", kAfternoon, "+00"}, Case{"xx", kAfternoon, "+0000"},
        Case{"xxx", kAfternoon, "+00:00"}, Case{"Z", kAfternoon, "+0000"},
        Case{"ZZZZ", kAfternoon, "GMT"}, Case{"ZZZZZ", kAfternoon, "Z"},
        // Literals, quotes and optional sections.
        Case{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", kAfternoon, "2026-11-26T16:05:09.123Z"},
        Case{"'It''s' yyyy", kAfternoon, "It's 2026"}, Case{"''", kAfternoon, "'"},
        Case{"HH[:mm]", kAfternoon, "16:05"}));

TEST(JavaTimeFormat, BadPatternsAreRejected) {
  for (const char* pattern : {"yyyy{", "}", "#", "HHH", "ddd", "DDDD", "SSSSSSSSSS", "'abc", "b",
                              "W", "F", "V", "aa", "MMMMMM", "EEEEEE", "cc", "OO", "p", "XXXXXX"}) {
    EXPECT_THROW(JodaFormat::java_time(pattern), std::invalid_argument) << pattern;
  }
}

}  // namespace
}  // namespace logpipe
