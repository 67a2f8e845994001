// JodaDateParser: parses text with a Joda-Time pattern ("dd/MMM/yyyy:HH:mm:ss
// Z", "MMM dd HH:mm:ss") the way Logstash's date filter does (it uses Joda's
// DateTimeFormat). Compiled once per pattern; parsing allocates nothing.
//
// Tokens (the letters Joda knows; any other ASCII letter is a config error,
// 'quoted' text and other characters are literals, matched ignoring case):
//   G era (AD/BC)          C century of era       Y year of era
//   y year (signed)        x weekyear             w week of weekyear
//   yy / xx / YY: two digits, pivot = this year - 30 (26 -> 2026, 46 -> 1946
//     in 2026); lenient like Joda: more or fewer digits are a full year,
//     unless the next token is numeric
//   M MM month number      MMM MMMM month name (short or full, either one)
//   D day of year          d day of month
//   e day of week number   E EEE EEEE day name (short or full)
//   a AM/PM   H hour 0-23  k hour 1-24  K hour 0-11  h hour 1-12 (with a)
//   m minute  s second     S.. fraction, 1 to 9 digits whatever the count
//   Z ZZ   offset: Z, +01, +0100, +01:00 (both forms accepted by both)
//   ZZZ    zone id: Europe/Berlin, UTC ...
//   z zzzz Joda's default names: UT UTC GMT EST EDT CST CDT MST MDT PST PDT
//          (EST means America/New_York, so DST applies, as in Joda)
// Numbers take at most their natural width (2 for hours ...); a year followed
// by another numeric token takes exactly its token width (yyyyMMdd).
// A day of week that disagrees with the date moves the date to that weekday
// of the same Monday-based week, as Joda does; a matching one changes nothing.
// Week dates (x/w) give the Monday of that ISO week unless e/E names a day.
// The whole text must be consumed. Results have millisecond precision (Joda's);
// more fraction digits are accepted and dropped.
//
// Thread-safety: a compiled parser is immutable; parse() is const. The zone
// passed to parse() is per worker (it caches its last offset period).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/text/time_zone_rules.h"

namespace logpipe {

// What "now" means for patterns without a year (Logstash takes the current
// year, then the previous one for a December date seen in January and the
// next one for a January date seen in December).
struct YearContext {
  int current_year = 1970;
  int current_month = 1;
};

class JodaDateParser {
 public:
  // nullopt and *error filled for an invalid pattern. `current_year` sets the
  // two-digit year pivot (Joda fixes it when the pattern is compiled).
  static std::optional<JodaDateParser> compile(std::string_view pattern, int current_year,
                                               std::string* error);

  // UTC milliseconds since the epoch. Text without a zone is read in `zone`.
  bool parse(std::string_view text, const TimeZoneRules& zone, const YearContext& now,
             int64_t* utc_millis) const;

  // False when the pattern has no year (y, Y or x): then parse() needs `now`.
  bool has_year() const { return has_year_; }
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Kind : uint8_t {
    Literal,
    Era,
    Century,
    YearOfEra,
    Year,
    Weekyear,
    TwoDigitYear,
    TwoDigitWeekyear,
    Month,
    MonthName,
    WeekOfWeekyear,
    DayOfYear,
    DayOfMonth,
    DayOfWeek,
    DayName,
    HalfDay,
    HourOfHalfday,
    ClockHourOfHalfday,
    HourOfDay,
    ClockHourOfDay,
    Minute,
    Second,
    Fraction,
    ZoneOffset,
    ZoneId,
    ZoneName,
  };
  struct Token {
    Kind kind;
    uint8_t max_digits = 2;
    bool fixed_width = false;    // years before another numeric token
    uint32_t literal_begin = 0;  // into literals_
    uint32_t literal_size = 0;
  };

  std::vector<Token> tokens_;
  std::string literals_;
  std::string pattern_;
  int two_digit_pivot_ = 1996;
  bool has_year_ = false;
};

}  // namespace logpipe
