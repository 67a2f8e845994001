#include "filters/date/joda_date_parser.h"

#include <array>

#include "engine/text/civil_time.h"
#include "engine/text/date_names.h"
#include "engine/text/date_pattern_tokens.h"

namespace logpipe {

namespace {

inline char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool starts_with_ignore_case(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (lower_ascii(text[pos + i]) != lower_ascii(word[i])) return false;
  return true;
}

// Reads 1..max_digits digits (exactly max_digits when fixed); -1 when none.
int64_t read_number(std::string_view text, size_t* pos, int max_digits, bool fixed) {
  size_t i = *pos;
  const size_t limit = std::min(text.size(), i + static_cast<size_t>(max_digits));
  int64_t value = 0;
  while (i < limit && is_digit(text[i])) value = value * 10 + (text[i++] - '0');
  if (i == *pos || (fixed && i - *pos != static_cast<size_t>(max_digits))) return -1;
  *pos = i;
  return value;
}

// Joda's default zone names for 'z': fixed set, mapped to regions.
struct NamedZone {
  std::string_view name;
  std::string_view zone_id;
};
constexpr std::array<NamedZone, 11> kDefaultZoneNames = {{
    {"UTC", "UTC"},
    {"UT", "UTC"},
    {"GMT", "UTC"},
    {"EST", "America/New_York"},
    {"EDT", "America/New_York"},
    {"CST", "America/Chicago"},
    {"CDT", "America/Chicago"},
    {"MST", "America/Denver"},
    {"MDT", "America/Denver"},
    {"PST", "America/Los_Angeles"},
    {"PDT", "America/Los_Angeles"},
}};

bool parse_zone_name(std::string_view text, size_t* pos, TimeZoneRules* zone) {
  // Longest name first: "UTC" before "UT".
  size_t best = 0;
  const NamedZone* found = nullptr;
  for (const auto& nz : kDefaultZoneNames) {
    if (nz.name.size() > best && text.compare(*pos, nz.name.size(), nz.name) == 0) {
      best = nz.name.size();
      found = &nz;
    }
  }
  if (found == nullptr) return false;
  auto rules = TimeZoneRules::lookup(found->zone_id);
  if (!rules) return false;
  *zone = *rules;
  *pos += best;
  return true;
}

bool is_zone_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '/' || c == '_' ||
         c == '-' || c == '+';
}

// Longest prefix that names a zone, as Joda's zone id parser.
bool parse_zone_id(std::string_view text, size_t* pos, TimeZoneRules* zone) {
  if (*pos >= text.size() || text[*pos] == '+' || text[*pos] == '-') return false;
  size_t end = *pos;
  while (end < text.size() && end - *pos < 64 && is_zone_id_char(text[end])) ++end;
  for (; end > *pos; --end) {
    auto rules = TimeZoneRules::lookup(text.substr(*pos, end - *pos));
    if (rules) {
      *zone = *rules;
      *pos = end;
      return true;
    }
  }
  return false;
}

// Joda's offset parser: "Z" (any case), or a sign, two-digit hours, then
// optional minutes and seconds, with or without ':' separators.
bool parse_offset(std::string_view text, size_t* pos, int32_t* offset) {
  size_t i = *pos;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    *offset = 0;
    *pos = i + 1;
    return true;
  }
  if (text.size() - i < 3 || (text[i] != '+' && text[i] != '-')) return false;
  const bool negative = text[i] == '-';
  ++i;
  if (!is_digit(text[i]) || !is_digit(text[i + 1])) return false;
  int hours = (text[i] - '0') * 10 + (text[i + 1] - '0');
  if (hours > 23) return false;
  i += 2;
  int32_t total = hours * 3600;
  bool separators = false;
  for (int unit = 60, part = 0; part < 2 && i < text.size(); ++part, unit /= 60) {
    size_t j = i;
    if (part == 0) {
      separators = text[j] == ':';
      if (separators) ++j;
    } else if (separators) {
      if (text[j] != ':') break;
      ++j;
    }
    if (j + 2 > text.size() || !is_digit(text[j]) || !is_digit(text[j + 1])) {
      if (separators) return false;
      break;
    }
    int v = (text[j] - '0') * 10 + (text[j + 1] - '0');
    if (v > 59) return false;
    total += v * unit;
    i = j + 2;
  }
  *offset = negative ? -total : total;
  *pos = i;
  return true;
}

bool is_numeric_token(char letter, size_t count) {
  switch (letter) {
    case 'C':
    case 'x':
    case 'y':
    case 'Y':
    case 'd':
    case 'h':
    case 'H':
    case 'm':
    case 's':
    case 'S':
    case 'e':
    case 'D':
    case 'k':
    case 'K':
    case 'w':
      return true;
    case 'M':
      return count <= 2;
    default:
      return false;
  }
}

// Fields as parsed; -1 means absent.
struct ParsedFields {
  int64_t year = -1;
  bool year_set = false;
  int64_t year_of_era = -1;
  int64_t weekyear = -1;
  bool weekyear_set = false;
  int era = -1;
  int century = -1;
  int month = -1;
  int week = -1;
  int day_of_year = -1;
  int day = -1;
  int day_of_week = -1;
  int halfday = -1;
  int hour_of_day = -1;
  int clock_hour_of_day = -1;
  int hour_of_halfday = -1;
  int clock_hour_of_halfday = -1;
  int minute = 0;
  int second = 0;
  int64_t nanos = 0;
  bool has_offset = false;
  int32_t offset = 0;
  bool has_zone = false;
  TimeZoneRules zone;
};

int64_t two_digit_year(int64_t t, int pivot) {
  const int low = pivot - 50;
  const int t2 = low >= 0 ? low % 100 : 99 + ((low + 1) % 100);
  return t + low + (t < t2 ? 100 : 0) - t2;
}

}  // namespace

std::optional<JodaDateParser> JodaDateParser::compile(std::string_view pattern, int current_year,
                                                      std::string* error) {
  JodaDateParser p;
  p.pattern_ = std::string(pattern);
  p.two_digit_pivot_ = current_year - 30;
  auto add_literal = [&p](std::string_view text) {
    if (!p.tokens_.empty() && p.tokens_.back().kind == Kind::Literal &&
        p.tokens_.back().literal_begin + p.tokens_.back().literal_size == p.literals_.size()) {
      p.tokens_.back().literal_size += static_cast<uint32_t>(text.size());
    } else {
      Token t{Kind::Literal};
      t.literal_begin = static_cast<uint32_t>(p.literals_.size());
      t.literal_size = static_cast<uint32_t>(text.size());
      p.tokens_.push_back(t);
    }
    p.literals_.append(text);
  };
  // Letter runs, with their count, so a token can peek at the next one. A
  // quote left open is text to the end, as in Joda (and JodaFormat).
  std::vector<DatePatternToken> runs;
  tokenize_date_pattern(pattern, DatePatternDialect::Joda, &runs, nullptr);
  for (size_t r = 0; r < runs.size(); ++r) {
    const DatePatternToken& run = runs[r];
    if (run.letter == 0) {
      if (!run.text.empty()) add_literal(run.text);
      continue;
    }
    const bool next_numeric = r + 1 < runs.size() && runs[r + 1].letter != 0 &&
                              is_numeric_token(runs[r + 1].letter, runs[r + 1].count);
    const size_t n = static_cast<size_t>(run.count);
    Token t{Kind::Literal};
    switch (run.letter) {
      case 'G':
        t.kind = Kind::Era;
        break;
      case 'C':
        t.kind = Kind::Century;
        t.max_digits = 7;
        break;
      case 'x':
      case 'y':
      case 'Y':
        p.has_year_ = true;
        if (n == 2) {
          t.kind = run.letter == 'x' ? Kind::TwoDigitWeekyear : Kind::TwoDigitYear;
          t.fixed_width = next_numeric;  // lenient only when not followed by a number
          t.max_digits = 9;
        } else {
          t.kind = run.letter == 'x' ? Kind::Weekyear
                                     : (run.letter == 'y' ? Kind::Year : Kind::YearOfEra);
          t.max_digits = next_numeric ? static_cast<uint8_t>(std::min<size_t>(n, 9)) : 9;
          t.fixed_width = next_numeric;
        }
        break;
      case 'M':
        t.kind = n >= 3 ? Kind::MonthName : Kind::Month;
        break;
      case 'w':
        t.kind = Kind::WeekOfWeekyear;
        break;
      case 'D':
        t.kind = Kind::DayOfYear;
        t.max_digits = 3;
        break;
      case 'd':
        t.kind = Kind::DayOfMonth;
        break;
      case 'e':
        t.kind = Kind::DayOfWeek;
        t.max_digits = 1;
        break;
      case 'E':
        t.kind = Kind::DayName;
        break;
      case 'a':
        t.kind = Kind::HalfDay;
        break;
      case 'K':
        t.kind = Kind::HourOfHalfday;
        break;
      case 'h':
        t.kind = Kind::ClockHourOfHalfday;
        break;
      case 'H':
        t.kind = Kind::HourOfDay;
        break;
      case 'k':
        t.kind = Kind::ClockHourOfDay;
        break;
      case 'm':
        t.kind = Kind::Minute;
        break;
      case 's':
        t.kind = Kind::Second;
        break;
      case 'S':
        t.kind = Kind::Fraction;
        t.max_digits = 9;
        break;
      case 'Z':
        t.kind = n >= 3 ? Kind::ZoneId : Kind::ZoneOffset;
        break;
      case 'z':
        t.kind = Kind::ZoneName;
        break;
      default:
        if (error)
          *error = std::string("illegal pattern component '") + std::string(n, run.letter) +
                   "' in date pattern \"" + std::string(pattern) + "\"";
        return std::nullopt;
    }
    p.tokens_.push_back(t);
  }
  return p;
}

bool JodaDateParser::parse(std::string_view text, const TimeZoneRules& default_zone,
                           const YearContext& now, int64_t* utc_millis) const {
  ParsedFields f;
  size_t pos = 0;
  const DateNames& names = english_date_names();
  for (const Token& t : tokens_) {
    int64_t v;
    switch (t.kind) {
      case Kind::Literal: {
        std::string_view lit(literals_.data() + t.literal_begin, t.literal_size);
        if (!starts_with_ignore_case(text, pos, lit)) return false;
        pos += lit.size();
        continue;
      }
      case Kind::Era:
        if ((f.era = names.match_era(text, &pos)) < 0) return false;
        continue;
      case Kind::MonthName:
        if ((f.month = names.match_month(text, &pos)) < 0) return false;
        continue;
      case Kind::DayName:
        if ((f.day_of_week = names.match_weekday(text, &pos)) < 0) return false;
        continue;
      case Kind::HalfDay:
        if ((f.halfday = names.match_halfday(text, &pos)) < 0) return false;
        continue;
      case Kind::ZoneOffset:
        if (!parse_offset(text, &pos, &f.offset)) return false;
        f.has_offset = true;
        f.has_zone = false;
        continue;
      case Kind::ZoneId:
      case Kind::ZoneName:
        if (!(t.kind == Kind::ZoneId ? parse_zone_id(text, &pos, &f.zone)
                                     : parse_zone_name(text, &pos, &f.zone)))
          return false;
        f.has_zone = true;
        f.has_offset = false;
        continue;
      case Kind::Year:
      case Kind::Weekyear: {
        bool negative = false;
        if (!t.fixed_width && pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
          negative = text[pos] == '-';
          ++pos;
        }
        if ((v = read_number(text, &pos, t.max_digits, t.fixed_width)) < 0) return false;
        if (negative) v = -v;
        if (t.kind == Kind::Year) {
          f.year = v;
          f.year_set = true;
        } else {
          f.weekyear = v;
          f.weekyear_set = true;
        }
        continue;
      }
      case Kind::TwoDigitYear:
      case Kind::TwoDigitWeekyear: {
        const size_t start = pos;
        bool sign = false, negative = false;
        if (!t.fixed_width && pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
          sign = true;
          negative = text[pos] == '-';
          ++pos;
        }
        if ((v = read_number(text, &pos, t.fixed_width ? 2 : 9, t.fixed_width)) < 0) return false;
        if (!sign && pos - start == 2) v = two_digit_year(v, two_digit_pivot_);
        if (negative) v = -v;
        if (t.kind == Kind::TwoDigitYear) {
          f.year = v;
          f.year_set = true;
        } else {
          f.weekyear = v;
          f.weekyear_set = true;
        }
        continue;
      }
      case Kind::Fraction: {
        const size_t start = pos;
        if ((v = read_number(text, &pos, t.max_digits, false)) < 0) return false;
        for (size_t digits = pos - start; digits < 9; ++digits) v *= 10;
        f.nanos = v;
        continue;
      }
      default:
        break;
    }
    if ((v = read_number(text, &pos, t.max_digits, t.fixed_width)) < 0) return false;
    const int n = static_cast<int>(v);
    switch (t.kind) {
      case Kind::Century:
        f.century = n;
        break;
      case Kind::YearOfEra:
        f.year_of_era = v;
        break;
      case Kind::Month:
        f.month = n;
        break;
      case Kind::WeekOfWeekyear:
        f.week = n;
        break;
      case Kind::DayOfYear:
        f.day_of_year = n;
        break;
      case Kind::DayOfMonth:
        f.day = n;
        break;
      case Kind::DayOfWeek:
        f.day_of_week = n;
        break;
      case Kind::HourOfHalfday:
        f.hour_of_halfday = n;
        break;
      case Kind::ClockHourOfHalfday:
        f.clock_hour_of_halfday = n;
        break;
      case Kind::HourOfDay:
        f.hour_of_day = n;
        break;
      case Kind::ClockHourOfDay:
        f.clock_hour_of_day = n;
        break;
      case Kind::Minute:
        f.minute = n;
        break;
      case Kind::Second:
        f.second = n;
        break;
      default:
        break;
    }
  }
  if (pos != text.size()) return false;

  // ---- date
  int64_t year;
  if (f.year_set) {
    year = f.year;
  } else if (f.year_of_era >= 0) {
    year = f.year_of_era;
  } else if (f.century >= 0) {
    year = int64_t{f.century} * 100 + now.current_year % 100;
  } else if (f.weekyear_set) {
    year = f.weekyear;
  } else {
    year = now.current_year;  // Logstash's default year for year-less patterns
  }
  if (f.era == 0 && year > 0 && !f.year_set) year = 1 - year;  // BC, year of era
  if (f.month >= 0 && (f.month < 1 || f.month > 12)) return false;
  if (f.day_of_week >= 0 && (f.day_of_week < 1 || f.day_of_week > 7)) return false;
  if (!has_year_ && f.day_of_year < 0) {
    const int month = f.month >= 1 ? f.month : 1;
    if (month == 12 && now.current_month == 1)
      --year;
    else if (month == 1 && now.current_month == 12)
      ++year;
  }
  if (year < civil::kMinYear || year > civil::kMaxYear) return false;

  int64_t days;
  if (f.week >= 0 || (f.weekyear_set && !f.year_set)) {
    const int64_t wy = f.weekyear_set ? f.weekyear : year;
    if (wy < civil::kMinYear || wy > civil::kMaxYear) return false;
    const int64_t jan4 = civil::days_from_civil(wy, 1, 4);
    const int64_t week1_monday = jan4 - (civil::iso_weekday(jan4) - 1);
    const int64_t next_jan4 = civil::days_from_civil(wy + 1, 1, 4);
    const int weeks =
        static_cast<int>((next_jan4 - (civil::iso_weekday(next_jan4) - 1) - week1_monday) / 7);
    const int week = f.week >= 0 ? f.week : 1;
    if (week < 1 || week > weeks) return false;
    days = week1_monday + int64_t{week - 1} * 7 + (f.day_of_week > 0 ? f.day_of_week - 1 : 0);
  } else {
    int month = f.month >= 1 ? f.month : 1;
    int day = f.day >= 0 ? f.day : 1;
    if (f.day_of_year >= 0) {
      if (f.day_of_year < 1 || f.day_of_year > (civil::is_leap_year(year) ? 366 : 365))
        return false;
      days = civil::days_from_civil(year, 1, 1) + f.day_of_year - 1;
      if (f.day >= 0) {
        civil::CivilDate cd = civil::civil_from_days(days);
        if (f.day < 1 || f.day > civil::days_in_month(cd.year, cd.month)) return false;
        days += f.day - cd.day;
      }
    } else {
      // Logstash parses a year-less date in Joda's default year 2000, a leap
      // year, and then moves it to the guessed year with withYear(), which
      // turns Feb 29 into Feb 28 when that year has none.
      if (!has_year_ && month == 2 && day == 29 && !civil::is_leap_year(year)) day = 28;
      if (day < 1 || day > civil::days_in_month(year, month)) return false;
      days = civil::days_from_civil(year, month, day);
    }
    if (f.day_of_week > 0) days += f.day_of_week - civil::iso_weekday(days);
  }

  // ---- time of day
  int hour = 0;
  if (f.halfday >= 0) hour = 12 * f.halfday;
  if (f.hour_of_day >= 0) {
    if (f.hour_of_day > 23) return false;
    hour = f.hour_of_day;
  } else if (f.clock_hour_of_day >= 0) {
    if (f.clock_hour_of_day < 1 || f.clock_hour_of_day > 24) return false;
    hour = f.clock_hour_of_day % 24;
  } else if (f.clock_hour_of_halfday >= 0) {
    if (f.clock_hour_of_halfday < 1 || f.clock_hour_of_halfday > 12) return false;
    hour = f.clock_hour_of_halfday % 12 + (f.halfday > 0 ? 12 : 0);
  } else if (f.hour_of_halfday >= 0) {
    if (f.hour_of_halfday > 11) return false;
    hour = f.hour_of_halfday + (f.halfday > 0 ? 12 : 0);
  }
  if (f.minute > 59 || f.second > 59) return false;

  const int64_t local = days * 86400 + hour * 3600 + f.minute * 60 + f.second;
  int64_t utc;
  if (f.has_offset) {
    utc = local - f.offset;
  } else if (f.has_zone) {
    if (!f.zone.local_to_utc(local, &utc)) return false;
  } else if (!default_zone.local_to_utc(local, &utc)) {
    return false;
  }
  *utc_millis = utc * 1000 + f.nanos / civil::kNanosPerMilli;
  return true;
}

}  // namespace logpipe
