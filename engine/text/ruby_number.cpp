#include "engine/text/ruby_number.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace logpipe {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Copies a run of digits where single underscores may separate digits (Ruby
// numeric literal rule) into out; returns the number of characters consumed.
size_t scan_digits(std::string_view s, size_t i, bool hex, std::string& out) {
  size_t start = i;
  auto digit = [hex](char c) { return hex ? is_hex_digit(c) : is_digit(c); };
  while (i < s.size()) {
    if (digit(s[i])) {
      out += s[i++];
    } else if (s[i] == '_' && i > start && digit(s[i - 1]) && i + 1 < s.size() && digit(s[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  return i - start;
}

std::string_view trim_ruby_space(std::string_view s) {
  while (!s.empty() && is_ruby_whitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_ruby_whitespace(s.back()) || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

// Accumulates decimal or hex digits into an int64 with the sign applied;
// false on overflow.
bool digits_to_int(std::string_view digits, int base, bool negative, int64_t* out) {
  uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  uint64_t acc = 0;
  for (char c : digits) {
    uint64_t d = is_digit(c) ? uint64_t(c - '0') : uint64_t((c | 0x20) - 'a' + 10);
    if (acc > (limit - d) / uint64_t(base)) return false;
    acc = acc * uint64_t(base) + d;
  }
  *out = negative ? static_cast<int64_t>(0 - acc) : static_cast<int64_t>(acc);
  return true;
}

// Drops a leading + or -; true for -.
bool take_sign(std::string_view& s) {
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  bool negative = s[0] == '-';
  s.remove_prefix(1);
  return negative;
}

// Reads what scan_digits copied (a sign, digits, '.', 'e'); nullopt beyond
// double's range, 0 on underflow.
std::optional<double> finite_double(const std::string& number) {
  double value = std::strtod(number.c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> ruby_to_f(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_ruby_whitespace(s[i])) ++i;
  std::string number;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) number += s[i++];
  size_t int_digits = scan_digits(s, i, false, number);
  i += int_digits;
  if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
    number += '.';
    i += 1 + scan_digits(s, i + 1, false, number);
  } else if (int_digits == 0) {
    return 0.0;
  }
  if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::string exponent = "e";
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) exponent += s[j++];
    if (scan_digits(s, j, false, exponent) > 0) number += exponent;  // else "1e" reads as 1
  }
  return finite_double(number);
}

std::optional<double> ruby_float(std::string_view text) {
  std::string_view s = trim_ruby_space(text);
  const bool negative = take_sign(s);
  std::string clean;
  double value = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    size_t i = 2;
    size_t n = scan_digits(s, i, true, clean);
    if (n == 0) return std::nullopt;
    i += n;
    if (i < s.size() && s[i] == '.') {
      clean += '.';
      size_t f = scan_digits(s, i + 1, true, clean);
      if (f == 0) return std::nullopt;
      i += 1 + f;
    }
    if (i < s.size() && (s[i] == 'p' || s[i] == 'P')) {
      clean += 'p';
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean += s[i++];
      size_t e = scan_digits(s, i, false, clean);
      if (e == 0) return std::nullopt;
      i += e;
    }
    if (i != s.size()) return std::nullopt;
    auto r = std::from_chars(clean.data(), clean.data() + clean.size(), value, std::chars_format::hex);
    if (r.ec != std::errc() || r.ptr != clean.data() + clean.size()) return std::nullopt;
    return negative ? -value : value;
  }
  size_t i = scan_digits(s, 0, false, clean);
  bool has_digits = i > 0;
  if (i < s.size() && s[i] == '.') {
    clean += '.';
    size_t f = scan_digits(s, i + 1, false, clean);
    if (f == 0) return std::nullopt;  // "1." is not a Float
    has_digits = true;
    i += 1 + f;
  }
  if (!has_digits) return std::nullopt;
  bool negative_exponent = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    clean += 'e';
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      negative_exponent = s[i] == '-';
      clean += s[i++];
    }
    size_t e = scan_digits(s, i, false, clean);
    if (e == 0) return std::nullopt;
    i += e;
  }
  if (i != s.size()) return std::nullopt;
  auto r = std::from_chars(clean.data(), clean.data() + clean.size(), value);
  if (r.ec == std::errc::result_out_of_range) {
    if (!negative_exponent) return std::nullopt;  // beyond double: not representable here
    value = 0;                                     // underflow, as Ruby: 0.0
  } else if (r.ec != std::errc() || r.ptr != clean.data() + clean.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

std::optional<int64_t> ruby_to_i(std::string_view s) {
  s = trim_ruby_space(s);
  const bool negative = take_sign(s);
  std::string digits;
  scan_digits(s, 0, false, digits);
  int64_t v = 0;
  if (!digits_to_int(digits, 10, negative, &v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ruby_hex_integer(std::string_view s) {
  s = trim_ruby_space(s);
  const bool negative = take_sign(s);
  if (s.size() < 3) return std::nullopt;
  std::string digits;
  if (scan_digits(s, 2, true, digits) != s.size() - 2) return std::nullopt;
  int64_t v = 0;
  if (!digits_to_int(digits, 16, negative, &v)) return std::nullopt;
  return v;
}

std::optional<int64_t> big_decimal_to_i(std::string_view text) {
  std::string_view s = trim_ruby_space(text);
  const bool negative = take_sign(s);
  std::string digits;
  size_t i = scan_digits(s, 0, false, digits);
  long point = static_cast<long>(digits.size());
  bool has_digits = i > 0;
  if (i < s.size() && s[i] == '.') {
    size_t f = scan_digits(s, i + 1, false, digits);
    has_digits |= f > 0;
    i += 1 + f;
  }
  if (!has_digits) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg_exp = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg_exp = s[i++] == '-';
    std::string exp_digits;
    size_t e = scan_digits(s, i, false, exp_digits);
    if (e == 0) return std::nullopt;
    i += e;
    int64_t exponent = 0;
    if (!digits_to_int(exp_digits, 10, false, &exponent) || exponent > 100000) {
      if (!neg_exp) return std::nullopt;  // far too big for 64 bits
      return 0;
    }
    point += neg_exp ? -static_cast<long>(exponent) : static_cast<long>(exponent);
  }
  if (i != s.size()) return std::nullopt;
  if (point <= 0) return 0;
  std::string whole = digits.substr(0, static_cast<size_t>(std::min<long>(point, long(digits.size()))));
  whole.append(static_cast<size_t>(std::max<long>(0, point - long(digits.size()))), '0');
  size_t nz = whole.find_first_not_of('0');
  if (nz == std::string::npos) return 0;
  int64_t v = 0;
  if (!digits_to_int(std::string_view(whole).substr(nz), 10, negative, &v)) return std::nullopt;
  return v;
}


}  // namespace logpipe
