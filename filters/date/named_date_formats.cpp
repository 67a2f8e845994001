#include "filters/date/named_date_formats.h"

#include <charconv>
#include <cmath>

#include "engine/text/civil_time.h"

namespace logpipe {

namespace {

// |milliseconds| that still fit in int64 nanoseconds.
constexpr int64_t kMaxMillis = INT64_MAX / civil::kNanosPerMilli;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Exactly n digits at *pos.
bool fixed_digits(std::string_view s, size_t* pos, int n, int* out) {
  if (s.size() - *pos < static_cast<size_t>(n)) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool at(std::string_view s, size_t pos, char c) { return pos < s.size() && s[pos] == c; }

}  // namespace

bool parse_iso8601_date(std::string_view s, const TimeZoneRules& zone, int64_t* utc_millis) {
  size_t pos = 0;
  int year = 0, month = 1, day = 1;
  if (!fixed_digits(s, &pos, 4, &year)) return false;
  int64_t days;
  if (at(s, pos, '-')) {
    ++pos;
    if (at(s, pos, 'W') || at(s, pos, 'w')) {  // week date
      ++pos;
      int week = 0, weekday = 1;
      if (!fixed_digits(s, &pos, 2, &week)) return false;
      if (at(s, pos, '-')) {
        ++pos;
        if (!fixed_digits(s, &pos, 1, &weekday) || weekday < 1 || weekday > 7) return false;
      }
      const int64_t jan4 = civil::days_from_civil(year, 1, 4);
      const int64_t monday1 = jan4 - (civil::iso_weekday(jan4) - 1);
      const int64_t next_jan4 = civil::days_from_civil(year + 1, 1, 4);
      const int64_t weeks = (next_jan4 - (civil::iso_weekday(next_jan4) - 1) - monday1) / 7;
      if (week < 1 || week > weeks) return false;
      days = monday1 + (week - 1) * 7 + weekday - 1;
    } else {
      size_t start = pos;
      int n = 0;
      while (pos < s.size() && is_digit(s[pos]) && pos - start < 4) n = n * 10 + (s[pos++] - '0');
      if (pos - start == 3) {  // ordinal date
        if (n < 1 || n > (civil::is_leap_year(year) ? 366 : 365)) return false;
        days = civil::days_from_civil(year, 1, 1) + n - 1;
      } else if (pos - start == 2) {
        month = n;
        if (month < 1 || month > 12) return false;
        if (at(s, pos, '-')) {
          ++pos;
          if (!fixed_digits(s, &pos, 2, &day)) return false;
        }
        if (day < 1 || day > civil::days_in_month(year, month)) return false;
        days = civil::days_from_civil(year, month, day);
      } else {
        return false;
      }
    }
  } else {
    days = civil::days_from_civil(year, 1, 1);
  }

  int hour = 0, minute = 0, second = 0;
  int64_t millis = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!fixed_digits(s, &pos, 2, &hour) || hour > 23) return false;
    if (at(s, pos, ':')) {
      ++pos;
      if (!fixed_digits(s, &pos, 2, &minute) || minute > 59) return false;
      if (at(s, pos, ':')) {
        ++pos;
        if (!fixed_digits(s, &pos, 2, &second) || second > 59) return false;
        if (at(s, pos, '.') || at(s, pos, ',')) {
          ++pos;
          size_t start = pos;
          while (pos < s.size() && is_digit(s[pos])) {
            if (pos - start < 3) millis = millis * 10 + (s[pos] - '0');
            ++pos;
          }
          if (pos == start || pos - start > 9) return false;
          for (size_t d = pos - start; d < 3; ++d) millis *= 10;
        }
      }
    }
  }
  const int64_t local = days * 86400 + hour * 3600 + minute * 60 + second;
  int64_t utc;
  if (pos == s.size()) {
    if (!zone.local_to_utc(local, &utc)) return false;
  } else if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    utc = local;
  } else {
    int32_t offset = 0;
    if (!parse_utc_offset(s.substr(pos), &offset)) return false;
    utc = local - offset;
  }
  if (year < civil::kMinYear || year > civil::kMaxYear) return false;
  *utc_millis = utc * 1000 + millis;
  return true;
}

bool parse_epoch_text(std::string_view s, int64_t scale, int64_t* utc_millis) {
  size_t pos = 0;
  bool negative = false;
  if (at(s, 0, '-') || at(s, 0, '+')) {
    negative = s[0] == '-';
    pos = 1;
  }
  const size_t int_start = pos;
  int64_t whole = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (whole > kMaxMillis) return false;
    whole = whole * 10 + (s[pos++] - '0');
  }
  const size_t int_digits = pos - int_start;
  int64_t fraction_millis = 0;  // only for seconds: the first three digits
  size_t frac_digits = 0;
  if (at(s, pos, '.')) {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) {
      if (pos - start < 3) fraction_millis = fraction_millis * 10 + (s[pos] - '0');
      ++pos;
    }
    frac_digits = pos - start;
    for (size_t d = frac_digits; d < 3; ++d) fraction_millis *= 10;
  }
  if (pos != s.size() || (int_digits == 0 && frac_digits == 0)) return false;
  if (whole > kMaxMillis / scale) return false;
  int64_t ms = whole * scale + (scale == 1000 ? fraction_millis : 0);
  *utc_millis = negative ? -ms : ms;
  return true;
}

bool parse_epoch_integer(int64_t value, int64_t scale, int64_t* utc_millis) {
  if (value > kMaxMillis / scale || value < -kMaxMillis / scale) return false;
  *utc_millis = value * scale;
  return true;
}

bool parse_epoch_number(double value, int64_t scale, int64_t* utc_millis) {
  if (!std::isfinite(value)) return false;
  char buf[64];
  // The shortest decimal that round-trips, in plain notation: what Java's
  // BigDecimal.valueOf sees, so 1326149001.132 gives exactly ...132 ms.
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  if (res.ec != std::errc()) return false;
  return parse_epoch_text(std::string_view(buf, res.ptr - buf), scale, utc_millis);
}

bool parse_tai64n(std::string_view s, int64_t* utc_millis) {
  if (!s.empty() && s[0] == '@') s.remove_prefix(1);
  if (s.size() != 24) return false;
  uint64_t label = 0, nanos = 0;
  for (size_t i = 0; i < 24; ++i) {
    const char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    if (i < 16)
      label = (label << 4) | d;
    else
      nanos = (nanos << 4) | d;
  }
  constexpr uint64_t kEpochLabel = 0x4000000000000000ULL + 10;
  if (nanos >= 1000000000ULL) return false;
  const int64_t seconds = static_cast<int64_t>(label - kEpochLabel);
  if (seconds > kMaxMillis / 1000 || seconds < -kMaxMillis / 1000) return false;
  *utc_millis = seconds * 1000 + static_cast<int64_t>(nanos / 1000000);
  return true;
}

}  // namespace logpipe
