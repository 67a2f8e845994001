// JodaFormat: formats timestamps with Joda-Time patterns ("yyyy.MM.dd",
// "YYYY-MM-dd'T'HH:mm:ss.SSSZ", "EEE, dd MMM yyyy") in UTC, for `%{+FORMAT}`
// in sprintf and (later) the date filter. JodaFormat::java_time() compiles a
// java.time DateTimeFormatter pattern instead, for sprintf's `%{{FORMAT}}`.
//
// Joda letters (DateTimeFormat): G C Y x w e E y D M d a K h H k m s S z Z;
// '...' quotes text and '' is a quote; any other non-letter is literal. Counts
// follow Joda: yy = two-digit year, other y/Y/x counts = at least that many
// digits; M/MM number, MMM "Nov", MMMM "November"; E..EEE "Thu", EEEE+
// "Thursday"; S..S = fraction of second truncated to that many digits; Z
// "+0000", ZZ "+00:00", ZZZ+ "UTC"; z..zzz "UTC", zzzz+ "Coordinated Universal
// Time". Weeks (x, w, e) are ISO: Monday first, week 1 holds the first
// Thursday. English names. An unterminated quote runs to the end of the
// pattern, as Joda accepts it.
//
// java.time differences handled by java_time(): y is year-of-era, u is the
// proleptic year, Y/w are the ISO week-based year/week (Java's depend on the
// JVM locale; logpipe always uses ISO), e/c are ISO day numbers, Q quarters,
// n/N/A nano-of-second/nano-of-day/milli-of-day, zone letters print UTC as
// java.time does for ZoneOffset.UTC (z "Z", X "Z", x "+00", O "GMT" ...),
// [ ] optional sections are always printed. W, F, p and zone names other than
// UTC are refused.
//
// Construction throws std::invalid_argument with a reason on a bad pattern.
// Formatting allocates nothing beyond appending to the caller's string.
// Thread-safe after construction (const use from several workers).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/value.h"

namespace logpipe {

class JodaFormat {
 public:
  // Joda-Time pattern.
  explicit JodaFormat(std::string_view pattern);
  // java.time DateTimeFormatter pattern.
  static JodaFormat java_time(std::string_view pattern);

  // Appends ts formatted in UTC.
  void append(Timestamp ts, std::string& out) const;
  std::string format(Timestamp ts) const;

  const std::string& pattern() const { return pattern_; }

 private:
  enum class Field : uint8_t {
    Literal,
    Era,  // width: Short "AD", Full "Anno Domini", Narrow "A"
    CenturyOfEra,
    Year,  // proleptic year, may be negative
    YearOfEra,
    TwoDigitYear,  // |year| % 100
    Weekyear,
    TwoDigitWeekyear,
    WeekOfWeekyear,
    DayOfWeek,  // 1 = Monday
    DayOfWeekText,
    DayOfYear,
    Month,
    MonthText,
    Quarter,
    QuarterText,
    DayOfMonth,
    HalfdayText,
    HourOfDay,           // H 0-23
    ClockhourOfDay,      // k 1-24
    HourOfHalfday,       // K 0-11
    ClockhourOfHalfday,  // h 1-12
    Minute,
    Second,
    Fraction,
    NanoOfSecond,
    NanoOfDay,
    MilliOfDay,
  };
  enum class TextWidth : uint8_t { Short, Full, Narrow };
  struct Token {
    Field field = Field::Literal;
    int digits = 0;  // minimum digits (numbers) or exact digits (Fraction)
    TextWidth width = TextWidth::Short;
    bool plus_beyond_digits = false;  // java.time SignStyle.EXCEEDS_PAD
    std::string literal;
  };

  JodaFormat() = default;
  void add_literal(std::string_view text);
  void add(Field f, int digits, TextWidth w = TextWidth::Short);
  void parse_joda(std::string_view pattern);
  void parse_java_time(std::string_view pattern);

  std::vector<Token> tokens_;
  std::string pattern_;
  bool needs_week_ = false;  // skip the ISO week computation when unused
};

}  // namespace logpipe
