#include "engine/codecs/iso8601.h"

#include <cstdint>

#include "engine/text/civil_time.h"

namespace logpipe {

namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool eat_letter(char upper) {
    char c = peek();
    if (c != upper && c != upper + ('a' - 'A')) return false;
    ++pos_;
    return true;
  }
  // Exactly n digits.
  bool digits(int n, int* out) {
    if (s_.size() - pos_ < static_cast<size_t>(n)) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      char c = s_[pos_ + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    *out = v;
    return true;
  }
  bool is_digit() const { return peek() >= '0' && peek() <= '9'; }
  size_t pos() const { return pos_; }
  void advance() { ++pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Parses the zone after the time; *offset is seconds east of UTC.
bool parse_zone(Cursor& c, int* offset) {
  *offset = 0;
  if (c.done()) return true;
  if (c.eat_letter('Z')) return c.done();
  if (c.eat_letter('U')) return c.eat_letter('T') && c.eat_letter('C') && c.done();
  if (c.eat_letter('G')) return c.eat_letter('M') && c.eat_letter('T') && c.done();
  int sign = c.eat('+') ? 1 : c.eat('-') ? -1 : 0;
  if (!sign) return false;
  int hh = 0, mm = 0, ss = 0;
  if (!c.digits(2, &hh)) return false;
  if (!c.done()) {
    bool colon = c.eat(':');
    if (!c.digits(2, &mm)) return false;
    if (!c.done()) {
      if (colon && !c.eat(':')) return false;
      if (!c.digits(2, &ss)) return false;
    }
  }
  if (!c.done() || hh > 18 || mm > 59 || ss > 59) return false;
  *offset = sign * (hh * 3600 + mm * 60 + ss);
  return true;
}

}  // namespace

bool parse_iso8601(std::string_view text, Timestamp* out) {
  Cursor c(text);
  int year, month, day;
  if (!c.digits(4, &year) || !c.eat('-') || !c.digits(2, &month) || !c.eat('-') ||
      !c.digits(2, &day))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > civil::days_in_month(year, month)) return false;

  int hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  if (c.eat_letter('T')) {
    if (!c.digits(2, &hour) || !c.eat(':') || !c.digits(2, &minute)) return false;
    if (c.eat(':')) {
      if (!c.digits(2, &second)) return false;
      if (c.eat('.')) {
        int count = 0;
        while (c.is_digit()) {
          if (++count > 9) return false;
          nanos = nanos * 10 + (c.peek() - '0');
          c.advance();
        }
        if (count == 0) return false;
        for (int i = count; i < 9; ++i) nanos *= 10;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return false;
  }
  int offset;
  if (!parse_zone(c, &offset)) return false;

  int64_t seconds = civil::days_from_civil(year, month, day) * 86400 +
                    hour * 3600 + minute * 60 + second - offset;
  // int64 nanoseconds cover the years 1677 to 2262.
  constexpr int64_t kMaxSeconds = INT64_MAX / 1000000000LL - 1;
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return false;
  out->nanos = seconds * 1000000000LL + nanos;
  return true;
}

}  // namespace logpipe
