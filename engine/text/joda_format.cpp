#include "engine/text/joda_format.h"

#include <stdexcept>

#include "engine/text/civil_time.h"
#include "engine/text/date_names.h"
#include "engine/text/date_pattern_tokens.h"

namespace logpipe {

namespace {

constexpr std::string_view kMonthNarrow[12] = {"J", "F", "M", "A", "M", "J",
                                               "J", "A", "S", "O", "N", "D"};
// Index 0 is Monday (ISO day 1).
constexpr std::string_view kDayNarrow[7] = {"M", "T", "W", "T", "F", "S", "S"};
constexpr std::string_view kQuarterFull[4] = {"1st quarter", "2nd quarter", "3rd quarter",
                                              "4th quarter"};

// Every calendar field of one instant, computed once per append().
struct Fields {
  int64_t year;
  int month, day;
  int day_of_year;
  int day_of_week;  // 1 = Monday
  int64_t second_of_day;
  int64_t nano_of_second;
  int64_t weekyear = 0;
  int week = 0;
};

Fields break_down(Timestamp ts, bool with_week) {
  Fields f;
  // Remainder first: secs * 1e9 would overflow near the ends of the range.
  int64_t secs = ts.nanos / civil::kNanosPerSecond;
  f.nano_of_second = ts.nanos % civil::kNanosPerSecond;
  if (f.nano_of_second < 0) {
    f.nano_of_second += civil::kNanosPerSecond;
    --secs;
  }
  const int64_t days = civil::floor_div(secs, 86400);
  f.second_of_day = secs - days * 86400;
  const civil::CivilDate date = civil::civil_from_days(days);
  f.year = date.year;
  f.month = date.month;
  f.day = date.day;
  f.day_of_year = static_cast<int>(days - civil::days_from_civil(f.year, 1, 1)) + 1;
  f.day_of_week = civil::iso_weekday(days);
  if (with_week) {
    // The ISO week belongs to the year of its Thursday.
    const int64_t thursday = days + (4 - f.day_of_week);
    f.weekyear = civil::civil_from_days(thursday).year;
    f.week = static_cast<int>((thursday - civil::days_from_civil(f.weekyear, 1, 1)) / 7) + 1;
  }
  return f;
}

void append_number(std::string& out, int64_t v, int min_digits, bool plus_beyond_digits = false) {
  char digits[24];
  int n = 0;
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    digits[n++] = static_cast<char>('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  if (v < 0)
    out += '-';
  else if (plus_beyond_digits && n > min_digits)
    out += '+';
  for (int i = n; i < min_digits; ++i) out += '0';
  while (n > 0) out += digits[--n];
}

void append_text(std::string& out, std::string_view full, std::string_view shrt,
                 std::string_view narrow, int width) {
  out += width == 1 ? full : width == 2 ? narrow : shrt;
}

std::string letter_error(std::string_view what, char c, int count, std::string_view pattern) {
  return std::string(what) + " '" + std::string(static_cast<size_t>(count), c) + "' in pattern \"" +
         std::string(pattern) + "\"";
}

}  // namespace

JodaFormat::JodaFormat(std::string_view pattern) : pattern_(pattern) { parse_joda(pattern); }

JodaFormat JodaFormat::java_time(std::string_view pattern) {
  JodaFormat f;
  f.pattern_ = std::string(pattern);
  f.parse_java_time(pattern);
  return f;
}

void JodaFormat::add_literal(std::string_view text) {
  if (text.empty()) return;
  if (!tokens_.empty() && tokens_.back().field == Field::Literal) {
    tokens_.back().literal += text;
    return;
  }
  Token t;
  t.literal = std::string(text);
  tokens_.push_back(std::move(t));
}

void JodaFormat::add(Field f, int digits, TextWidth w) {
  Token t;
  t.field = f;
  t.digits = digits;
  t.width = w;
  if (f == Field::Weekyear || f == Field::TwoDigitWeekyear || f == Field::WeekOfWeekyear)
    needs_week_ = true;
  tokens_.push_back(std::move(t));
}

void JodaFormat::parse_joda(std::string_view p) {
  std::vector<DatePatternToken> tokens;
  tokenize_date_pattern(p, DatePatternDialect::Joda, &tokens, nullptr);
  for (const DatePatternToken& token : tokens) {
    const char c = token.letter;
    const int n = token.count;
    if (c) {
      const TextWidth text_width = n >= 4 ? TextWidth::Full : TextWidth::Short;
      switch (c) {
        case 'G':
          add(Field::Era, 0);
          break;
        case 'C':
          add(Field::CenturyOfEra, n);
          break;
        case 'y':
          n == 2 ? add(Field::TwoDigitYear, 2) : add(Field::Year, n);
          break;
        case 'Y':
          n == 2 ? add(Field::TwoDigitYear, 2) : add(Field::YearOfEra, n);
          break;
        case 'x':
          n == 2 ? add(Field::TwoDigitWeekyear, 2) : add(Field::Weekyear, n);
          break;
        case 'w':
          add(Field::WeekOfWeekyear, n);
          break;
        case 'e':
          add(Field::DayOfWeek, n);
          break;
        case 'E':
          add(Field::DayOfWeekText, 0, text_width);
          break;
        case 'D':
          add(Field::DayOfYear, n);
          break;
        case 'M':
          n >= 3 ? add(Field::MonthText, 0, text_width) : add(Field::Month, n);
          break;
        case 'd':
          add(Field::DayOfMonth, n);
          break;
        case 'a':
          add(Field::HalfdayText, 0);
          break;
        case 'K':
          add(Field::HourOfHalfday, n);
          break;
        case 'h':
          add(Field::ClockhourOfHalfday, n);
          break;
        case 'H':
          add(Field::HourOfDay, n);
          break;
        case 'k':
          add(Field::ClockhourOfDay, n);
          break;
        case 'm':
          add(Field::Minute, n);
          break;
        case 's':
          add(Field::Second, n);
          break;
        case 'S':
          add(Field::Fraction, n);
          break;
        // Timestamps are UTC, so zone fields are constant text.
        case 'z':
          add_literal(n >= 4 ? "Coordinated Universal Time" : "UTC");
          break;
        case 'Z':
          add_literal(n == 1 ? "+0000" : n == 2 ? "+00:00" : "UTC");
          break;
        default:
          throw std::invalid_argument(letter_error("unknown Joda-Time pattern letter", c, n, p));
      }
      continue;
    }
    add_literal(token.text);
  }
}

void JodaFormat::parse_java_time(std::string_view p) {
  std::vector<DatePatternToken> tokens;
  std::string error;
  if (!tokenize_date_pattern(p, DatePatternDialect::JavaTime, &tokens, &error))
    throw std::invalid_argument(error);
  for (const DatePatternToken& token : tokens) {
    const char c = token.letter;
    const int n = token.count;
    if (c) {
      auto too_many = [&](int max) {
        if (n > max) throw std::invalid_argument(letter_error("too many pattern letters", c, n, p));
      };
      auto text = [&](Field f) {
        too_many(5);
        add(f, 0, n == 4 ? TextWidth::Full : n == 5 ? TextWidth::Narrow : TextWidth::Short);
      };
      switch (c) {
        case 'G':
          text(Field::Era);
          break;
        case 'u':
        case 'y':
        case 'Y':
          if (n == 2) {
            add(c == 'Y' ? Field::TwoDigitWeekyear : Field::TwoDigitYear, 2);
          } else {
            add(c == 'u' ? Field::Year : c == 'y' ? Field::YearOfEra : Field::Weekyear, n);
            // java.time's SignStyle.EXCEEDS_PAD: yyyy prints year 12345 as +12345.
            tokens_.back().plus_beyond_digits = n >= 4;
          }
          break;
        case 'Q':
        case 'q':
          n <= 2 ? add(Field::Quarter, n) : text(Field::QuarterText);
          break;
        case 'M':
        case 'L':
          n <= 2 ? add(Field::Month, n) : text(Field::MonthText);
          break;
        case 'w':
          too_many(2);
          add(Field::WeekOfWeekyear, n);
          break;
        case 'E':
          n <= 3 ? add(Field::DayOfWeekText, 0) : text(Field::DayOfWeekText);
          break;
        case 'e':
        case 'c':
          if (c == 'c' && n == 2)
            throw std::invalid_argument(letter_error("invalid pattern", c, n, p));
          n <= 2 ? add(Field::DayOfWeek, n) : text(Field::DayOfWeekText);
          break;
        case 'a':
          too_many(1);
          add(Field::HalfdayText, 0);
          break;
        case 'h':
          too_many(2);
          add(Field::ClockhourOfHalfday, n);
          break;
        case 'K':
          too_many(2);
          add(Field::HourOfHalfday, n);
          break;
        case 'k':
          too_many(2);
          add(Field::ClockhourOfDay, n);
          break;
        case 'H':
          too_many(2);
          add(Field::HourOfDay, n);
          break;
        case 'm':
          too_many(2);
          add(Field::Minute, n);
          break;
        case 's':
          too_many(2);
          add(Field::Second, n);
          break;
        case 'd':
          too_many(2);
          add(Field::DayOfMonth, n);
          break;
        case 'D':
          too_many(3);
          add(Field::DayOfYear, n);
          break;
        case 'S':
          too_many(9);
          add(Field::Fraction, n);
          break;
        case 'n':
          too_many(19);
          add(Field::NanoOfSecond, n);
          break;
        case 'N':
          too_many(19);
          add(Field::NanoOfDay, n);
          break;
        case 'A':
          too_many(19);
          add(Field::MilliOfDay, n);
          break;
        // The zone is ZoneOffset.UTC, whose id and name are "Z".
        case 'V':
          if (n != 2)
            throw std::invalid_argument(letter_error("pattern letter count must be 2:", c, n, p));
          add_literal("Z");
          break;
        case 'v':
        case 'z':
          too_many(4);
          add_literal("Z");
          break;
        case 'O':
          if (n != 1 && n != 4)
            throw std::invalid_argument(
                letter_error("pattern letter count must be 1 or 4:", c, n, p));
          add_literal("GMT");
          break;
        case 'X':
          too_many(5);
          add_literal("Z");
          break;
        case 'x': {
          too_many(5);
          static constexpr std::string_view kOffsets[5] = {"+00", "+0000", "+00:00", "+0000",
                                                           "+00:00"};
          add_literal(kOffsets[n - 1]);
          break;
        }
        case 'Z':
          too_many(5);
          add_literal(n <= 3 ? "+0000" : n == 4 ? "GMT" : "Z");
          break;
        default:
          throw std::invalid_argument(
              letter_error("unsupported java.time pattern letter", c, n, p));
      }
      continue;
    }
    if (token.quoted) {
      add_literal(token.text);
      continue;
    }
    const char t = token.text[0];
    if (t == '{' || t == '}' || t == '#')
      throw std::invalid_argument("pattern \"" + std::string(p) + "\" uses reserved character '" +
                                  token.text + "'");
    // Optional sections always print: every field is available for an instant.
    if (t != '[' && t != ']') add_literal(token.text);
  }
}

void JodaFormat::append(Timestamp ts, std::string& out) const {
  const Fields f = break_down(ts, needs_week_);
  const DateNames& names = english_date_names();
  const int hour = static_cast<int>(f.second_of_day / 3600);
  const bool bc = f.year <= 0;
  const int64_t year_of_era = bc ? 1 - f.year : f.year;
  for (const Token& t : tokens_) {
    const int w = static_cast<int>(t.width);  // 0 short, 1 full, 2 narrow
    switch (t.field) {
      case Field::Literal:
        out += t.literal;
        break;
      case Field::Era:
        append_text(out, bc ? "Before Christ" : "Anno Domini", names.eras[bc ? 0 : 1], bc ? "B" : "A", w);
        break;
      case Field::CenturyOfEra:
        append_number(out, year_of_era / 100, t.digits);
        break;
      case Field::Year:
        append_number(out, f.year, t.digits, t.plus_beyond_digits);
        break;
      case Field::YearOfEra:
        append_number(out, year_of_era, t.digits, t.plus_beyond_digits);
        break;
      case Field::TwoDigitYear:
        append_number(out, (f.year < 0 ? -f.year : f.year) % 100, 2);
        break;
      case Field::Weekyear:
        append_number(out, f.weekyear, t.digits, t.plus_beyond_digits);
        break;
      case Field::TwoDigitWeekyear:
        append_number(out, (f.weekyear < 0 ? -f.weekyear : f.weekyear) % 100, 2);
        break;
      case Field::WeekOfWeekyear:
        append_number(out, f.week, t.digits);
        break;
      case Field::DayOfWeek:
        append_number(out, f.day_of_week, t.digits);
        break;
      case Field::DayOfWeekText: {
        const int d = f.day_of_week - 1;
        append_text(out, names.weekdays[d], names.weekdays_short[d], kDayNarrow[d], w);
        break;
      }
      case Field::DayOfYear:
        append_number(out, f.day_of_year, t.digits);
        break;
      case Field::Month:
        append_number(out, f.month, t.digits);
        break;
      case Field::MonthText: {
        const unsigned m = f.month - 1;
        append_text(out, names.months[m], names.months_short[m], kMonthNarrow[m], w);
        break;
      }
      case Field::Quarter:
        append_number(out, (f.month - 1) / 3 + 1, t.digits);
        break;
      case Field::QuarterText: {
        const unsigned q = (f.month - 1) / 3;
        if (w == 0) {
          out += 'Q';
          out += static_cast<char>('1' + q);
        } else if (w == 1) {
          out += kQuarterFull[q];
        } else {
          out += static_cast<char>('1' + q);
        }
        break;
      }
      case Field::DayOfMonth:
        append_number(out, f.day, t.digits);
        break;
      case Field::HalfdayText:
        out += names.halfdays[hour < 12 ? 0 : 1];
        break;
      case Field::HourOfDay:
        append_number(out, hour, t.digits);
        break;
      case Field::ClockhourOfDay:
        append_number(out, hour == 0 ? 24 : hour, t.digits);
        break;
      case Field::HourOfHalfday:
        append_number(out, hour % 12, t.digits);
        break;
      case Field::ClockhourOfHalfday:
        append_number(out, hour % 12 == 0 ? 12 : hour % 12, t.digits);
        break;
      case Field::Minute:
        append_number(out, f.second_of_day / 60 % 60, t.digits);
        break;
      case Field::Second:
        append_number(out, f.second_of_day % 60, t.digits);
        break;
      case Field::Fraction: {
        // Truncated, never rounded: 12:00:00.9999 with SSS is .999.
        const int shown = t.digits < 9 ? t.digits : 9;
        int64_t scaled = f.nano_of_second;
        for (int k = shown; k < 9; ++k) scaled /= 10;
        append_number(out, scaled, shown);
        for (int k = shown; k < t.digits; ++k) out += '0';
        break;
      }
      case Field::NanoOfSecond:
        append_number(out, f.nano_of_second, t.digits);
        break;
      case Field::NanoOfDay:
        append_number(out, f.second_of_day * civil::kNanosPerSecond + f.nano_of_second, t.digits);
        break;
      case Field::MilliOfDay:
        append_number(out, f.second_of_day * 1000 + f.nano_of_second / 1000000, t.digits);
        break;
    }
  }
}

std::string JodaFormat::format(Timestamp ts) const {
  std::string s;
  append(ts, s);
  return s;
}

}  // namespace logpipe
