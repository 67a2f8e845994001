#include "filters/mutate_filter.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log.h"
#include "engine/sprintf.h"

namespace logpipe {

namespace {

// ------------------------------------------------------------ UTF-8 and case

// Decodes the character at s[i]; an invalid or truncated sequence is one
// byte with code point -1, so callers copy it unchanged.
int32_t decode_utf8(std::string_view s, size_t i, size_t* len) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    *len = 1;
    return b;
  }
  size_t n;
  int32_t cp;
  if ((b & 0xE0) == 0xC0) {
    n = 2, cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, cp = b & 0x07;
  } else {
    *len = 1;
    return -1;
  }
  if (i + n > s.size()) {
    *len = 1;
    return -1;
  }
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      *len = 1;
      return -1;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  static const int32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *len = 1;
    return -1;
  }
  *len = n;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool in(uint32_t c, uint32_t lo, uint32_t hi) { return c >= lo && c <= hi; }

// Simple (one to one) Unicode case mappings of the alphabets logs mostly use.
// In blocks where upper and lower case alternate, `upper_even` says which
// parity is the capital.
uint32_t alternating_upper(uint32_t c, bool upper_even) {
  return ((c & 1) == 0) == upper_even ? c : c - 1;
}
uint32_t alternating_lower(uint32_t c, bool upper_even) {
  return ((c & 1) == 0) == upper_even ? c + 1 : c;
}

uint32_t upper_of(uint32_t c) {
  if (in(c, 'a', 'z')) return c - 32;
  if (c < 0xB5) return c;
  if (c == 0xB5) return 0x39C;  // micro sign -> Greek capital mu
  if (in(c, 0xE0, 0xFE) && c != 0xF7) return c - 0x20;
  if (c == 0xFF) return 0x178;
  if (in(c, 0x100, 0x12F) || in(c, 0x132, 0x137) || in(c, 0x14A, 0x177)) return alternating_upper(c, true);
  if (c == 0x131) return 'I';
  if (in(c, 0x139, 0x148) || in(c, 0x179, 0x17E)) return alternating_upper(c, false);
  if (c == 0x17F) return 'S';
  if (in(c, 0x3B1, 0x3CB) && c != 0x3C2) return c - 0x20;
  if (c == 0x3C2) return 0x3A3;  // final sigma
  if (c == 0x3AC) return 0x386;
  if (in(c, 0x3AD, 0x3AF)) return c - 0x25;
  if (c == 0x3CC) return 0x38C;
  if (in(c, 0x3CD, 0x3CE)) return c - 0x3F;
  if (in(c, 0x430, 0x44F)) return c - 0x20;
  if (in(c, 0x450, 0x45F)) return c - 0x50;
  if (in(c, 0x460, 0x481) || in(c, 0x48A, 0x4BF) || in(c, 0x4D0, 0x52F)) return alternating_upper(c, true);
  if (in(c, 0x4C1, 0x4CE)) return alternating_upper(c, false);
  if (c == 0x4CF) return 0x4C0;
  if (in(c, 0x561, 0x586)) return c - 0x30;
  if (in(c, 0x1E00, 0x1E95) || in(c, 0x1EA0, 0x1EFF)) return alternating_upper(c, true);
  if (in(c, 0xFF41, 0xFF5A)) return c - 0x20;
  return c;
}

uint32_t lower_of(uint32_t c) {
  if (in(c, 'A', 'Z')) return c + 32;
  if (c < 0xC0) return c;
  if (in(c, 0xC0, 0xDE) && c != 0xD7) return c + 0x20;
  if (c == 0x178) return 0xFF;
  if (in(c, 0x100, 0x12F) || in(c, 0x132, 0x137) || in(c, 0x14A, 0x177)) return alternating_lower(c, true);
  if (in(c, 0x139, 0x148) || in(c, 0x179, 0x17E)) return alternating_lower(c, false);
  if (in(c, 0x391, 0x3AB) && c != 0x3A2) return c + 0x20;
  if (c == 0x386) return 0x3AC;
  if (in(c, 0x388, 0x38A)) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (in(c, 0x38E, 0x38F)) return c + 0x3F;
  if (in(c, 0x410, 0x42F)) return c + 0x20;
  if (in(c, 0x400, 0x40F)) return c + 0x50;
  if (in(c, 0x460, 0x481) || in(c, 0x48A, 0x4BF) || in(c, 0x4D0, 0x52F)) return alternating_lower(c, true);
  if (in(c, 0x4C1, 0x4CE)) return alternating_lower(c, false);
  if (c == 0x4C0) return 0x4CF;
  if (in(c, 0x531, 0x556)) return c + 0x30;
  if (c == 0x1E9E) return 0xDF;  // capital sharp s
  if (in(c, 0x1E00, 0x1E95) || in(c, 0x1EA0, 0x1EFF)) return alternating_lower(c, true);
  if (in(c, 0xFF21, 0xFF3A)) return c + 0x20;
  return c;
}

enum class CaseOp { Upper, Lower, Capitalize };

// Appends c in the requested case; the few mappings to two characters are
// Ruby's (full Unicode case mapping): ß -> SS / Ss, İ -> i + combining dot.
void append_cased(std::string& out, uint32_t c, bool upper, bool title) {
  if (upper && c == 0xDF) {
    out += title ? "Ss" : "SS";
    return;
  }
  if (!upper && c == 0x130) {
    out += "i\xCC\x87";
    return;
  }
  append_utf8(out, upper ? upper_of(c) : lower_of(c));
}

// Recases s; `scratch` is reused for non-ASCII text so the work allocates
// only when a string grows.
void recase_string(std::string& s, CaseOp op, std::string& scratch) {
  bool ascii = true;
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (size_t i = 0; i < s.size(); ++i) {
      char& ch = s[i];
      bool upper = op == CaseOp::Upper || (op == CaseOp::Capitalize && i == 0);
      if (upper && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
      if (!upper && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    }
    return;
  }
  scratch.clear();
  scratch.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t len;
    int32_t cp = decode_utf8(s, i, &len);
    if (cp < 0) {
      scratch += s[i];
    } else {
      bool first = i == 0;
      bool upper = op == CaseOp::Upper || (op == CaseOp::Capitalize && first);
      append_cased(scratch, static_cast<uint32_t>(cp), upper, op == CaseOp::Capitalize && first);
    }
    i += len;
  }
  s.swap(scratch);
}

// ------------------------------------------------------------ Ruby strings

// Ruby's String#strip whitespace: NUL, \t, \n, \v, \f, \r and space.
bool is_strip_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == '\0';
}

void strip_in_place(std::string& s) {
  size_t end = s.size();
  while (end > 0 && is_strip_space(s[end - 1])) --end;
  size_t begin = 0;
  while (begin < end && is_strip_space(s[begin])) ++begin;
  s.erase(end);
  s.erase(0, begin);
}

bool is_awk_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Ruby's String#split with a string separator: " " splits on runs of
// whitespace ignoring leading ones, "" splits into characters, anything else
// is literal; trailing empty pieces are dropped.
Array ruby_split(const std::string& s, const std::string& sep) {
  Array out;
  if (sep == " ") {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && is_awk_space(s[i])) ++i;
      if (i == s.size()) break;
      size_t start = i;
      while (i < s.size() && !is_awk_space(s[i])) ++i;
      out.emplace_back(std::string_view(s).substr(start, i - start));
    }
    return out;
  }
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      size_t len;
      decode_utf8(s, i, &len);
      out.emplace_back(std::string_view(s).substr(i, len));
      i += len;
    }
    return out;
  }
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    if (at == std::string::npos) {
      out.emplace_back(std::string_view(s).substr(start));
      break;
    }
    out.emplace_back(std::string_view(s).substr(start, at - start));
    start = at + sep.size();
  }
  while (!out.empty() && out.back().as_string().empty()) out.pop_back();
  return out;
}

// Ruby's Array#join: nested arrays are joined with the same separator.
void ruby_join(const Array& a, const std::string& sep, std::string& out) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (i) out += sep;
    if (a[i].is_array())
      ruby_join(a[i].as_array(), sep, out);
    else
      a[i].append_string(out);
  }
}

// ------------------------------------------------------------ Ruby numbers

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
  while (!s.empty() && is_awk_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_awk_space(s.back()) || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

// Ruby's Kernel#Float(string): the whole text must be a number (decimal with
// optional fraction and exponent, or 0x hex); nullopt otherwise.
std::optional<double> ruby_float(std::string_view text) {
  std::string_view s = trim_ruby_space(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
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

// Ruby's String#to_i: leading digits, 0 when there are none. nullopt only
// when the number does not fit 64 bits.
std::optional<int64_t> ruby_to_i(std::string_view s) {
  s = trim_ruby_space(s);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  scan_digits(s, 0, false, digits);
  int64_t v = 0;
  if (!digits_to_int(digits, 10, negative, &v)) return std::nullopt;
  return v;
}

// Ruby's Kernel#Integer(string) for a hex string: [+-]0x followed by digits.
std::optional<int64_t> ruby_hex_integer(std::string_view s) {
  s = trim_ruby_space(s);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.size() < 3) return std::nullopt;
  std::string digits;
  if (scan_digits(s, 2, true, digits) != s.size() - 2) return std::nullopt;
  int64_t v = 0;
  if (!digits_to_int(digits, 16, negative, &v)) return std::nullopt;
  return v;
}

// BigDecimal(string).to_i: exact truncation of a decimal number with an
// exponent ("1.5e3" -> 1500), without going through a double.
std::optional<int64_t> big_decimal_to_i(std::string_view text) {
  std::string_view s = trim_ruby_space(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
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

bool has_hex_prefix(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// The string as mutate's convert prepares it: stripped, commas removed.
std::string numeric_text(const std::string& s, bool eu) {
  std::string out;
  out.reserve(s.size());
  std::string_view v = s;
  size_t b = 0, e = v.size();
  while (e > 0 && is_strip_space(v[e - 1])) --e;
  while (b < e && is_strip_space(v[b])) ++b;
  for (size_t i = b; i < e; ++i) {
    char c = v[i];
    if (eu && (c == '.' || c == ',')) c = c == '.' ? ',' : '.';  // 1.234,5 -> 1,234.5
    if (c != ',') out += c;
  }
  return out;
}

bool float_from_string(const std::string& raw, bool eu, double* out) {
  std::string s = numeric_text(raw, eu);
  std::optional<double> v;
  if (has_hex_prefix(s)) {
    bool negative = s[0] == '-';
    size_t skip = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    v = ruby_float(std::string_view(s).substr(skip));
    if (v && negative) v = -*v;
  } else {
    v = ruby_float(s);
  }
  if (!v) return false;
  *out = *v;
  return true;
}

bool truncate_to_int(double d, int64_t* out) {
  if (!std::isfinite(d)) return false;
  double t = std::trunc(d);
  if (t < -9223372036854775808.0 || t >= 9223372036854775808.0) return false;
  *out = static_cast<int64_t>(t);
  return true;
}

bool int_from_string(const std::string& raw, bool eu, int64_t* out) {
  std::string s = numeric_text(raw, eu);
  std::optional<int64_t> v;
  if (has_hex_prefix(s)) {
    double f;
    if (!float_from_string(s, false, &f)) return false;
    if (s.find('.') == std::string::npos) {
      v = ruby_hex_integer(s);
    } else {
      int64_t t;
      if (truncate_to_int(f, &t)) v = t;
    }
  } else if (s.find('e') != std::string::npos) {
    v = big_decimal_to_i(s);
  } else {
    v = ruby_to_i(s);
  }
  if (!v) return false;
  *out = *v;
  return true;
}

// ------------------------------------------------------------ convert

enum class ConvertType { Integer, IntegerEu, Float, FloatEu, String, Boolean };

const char* convert_type_name(ConvertType t) {
  switch (t) {
    case ConvertType::Integer: return "integer";
    case ConvertType::IntegerEu: return "integer_eu";
    case ConvertType::Float: return "float";
    case ConvertType::FloatEu: return "float_eu";
    case ConvertType::String: return "string";
    case ConvertType::Boolean: return "boolean";
  }
  return "?";
}

std::optional<ConvertType> convert_type_named(const std::string& name) {
  if (name == "integer") return ConvertType::Integer;
  if (name == "integer_eu") return ConvertType::IntegerEu;
  if (name == "float") return ConvertType::Float;
  if (name == "float_eu") return ConvertType::FloatEu;
  if (name == "string") return ConvertType::String;
  if (name == "boolean") return ConvertType::Boolean;
  return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != b[i]) return false;
  }
  return true;
}

// One line against Logstash's /^(true|t|yes|y|1|1.0)$/i (or the false words);
// the unescaped dot there matches any one character, so "1x0" is true too.
bool line_is_word(std::string_view line, bool truth) {
  static const std::string_view true_words[] = {"true", "t", "yes", "y", "1"};
  static const std::string_view false_words[] = {"false", "f", "no", "n", "0"};
  for (auto w : truth ? true_words : false_words)
    if (iequals(line, w)) return true;
  char first = truth ? '1' : '0';
  if (line.size() >= 3 && line.front() == first && line.back() == '0') {
    size_t len;
    decode_utf8(line, 1, &len);
    if (1 + len + 1 == line.size() && line[1] != '\n') return true;
  }
  return false;
}

// Ruby's ^ and $ are line anchors, so any line of the text may match.
bool any_line_is_word(std::string_view s, bool truth) {
  size_t start = 0;
  for (;;) {
    size_t nl = s.find('\n', start);
    if (line_is_word(s.substr(start, nl == std::string_view::npos ? nl : nl - start), truth))
      return true;
    if (nl == std::string_view::npos) return false;
    start = nl + 1;
  }
}

// Converts one non-null value in place. False when Logstash's converter
// raises (the event is then tagged); a boolean that matches neither word list
// is left as it is, which is not a failure.
bool convert_value(Value& v, ConvertType type) {
  switch (type) {
    case ConvertType::String:
      if (!v.is_string()) v = Value(v.to_string());
      return true;

    case ConvertType::Boolean: {
      if (!(v.is_string() || v.is_number() || v.is_bool())) return true;
      std::string text = v.is_string() ? std::string() : v.to_string();
      const std::string& s = v.is_string() ? v.as_string() : text;
      if (any_line_is_word(s, true))
        v = Value(true);
      else if (s.empty() || any_line_is_word(s, false))
        v = Value(false);
      return true;
    }

    case ConvertType::Integer:
    case ConvertType::IntegerEu: {
      int64_t out = 0;
      switch (v.kind()) {
        case Value::Kind::Int: return true;
        case Value::Kind::Bool: out = v.as_bool() ? 1 : 0; break;
        case Value::Kind::Float:
          if (!truncate_to_int(v.as_float(), &out)) return false;
          break;
        case Value::Kind::String:
          if (!int_from_string(v.as_string(), type == ConvertType::IntegerEu, &out)) return false;
          break;
        case Value::Kind::Timestamp: out = v.as_timestamp().seconds(); break;
        default: return false;  // Integer() of an array or hash raises
      }
      v = Value(out);
      return true;
    }

    case ConvertType::Float:
    case ConvertType::FloatEu: {
      double out = 0;
      switch (v.kind()) {
        case Value::Kind::Float: return true;
        case Value::Kind::Int: out = static_cast<double>(v.as_int()); break;
        case Value::Kind::Bool: out = v.as_bool() ? 1.0 : 0.0; break;
        case Value::Kind::String:
          if (!float_from_string(v.as_string(), type == ConvertType::FloatEu, &out)) return false;
          break;
        case Value::Kind::Timestamp: out = static_cast<double>(v.as_timestamp().nanos) / 1e9; break;
        default: return false;
      }
      v = Value(out);
      return true;
    }
  }
  return true;
}

// ------------------------------------------------------------ gsub

// Rewrites a Ruby (Onigmo) regex into RE2 syntax where the meaning is the
// same. Constructs RE2 lacks are left for RE2 to reject with its message.
std::string ruby_regex_to_re2(std::string_view p, std::string* error) {
  std::string out = "(?m)";  // Ruby's ^ and $ always match at line breaks
  out.reserve(p.size() + 8);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[++i];
      if (n == 'h') {
        out += in_class ? "0-9A-Fa-f" : "[0-9A-Fa-f]";
      } else if (n == 'H' && !in_class) {
        out += "[^0-9A-Fa-f]";
      } else {
        out += c;
        out += n;
      }
      continue;
    }
    if (in_class) {
      if (c == '[') {
        if (i + 1 < p.size() && p[i + 1] == ':') {  // POSIX bracket [:alpha:]
          size_t end = p.find(":]", i + 2);
          if (end != std::string_view::npos) {
            out.append(p.substr(i, end + 2 - i));
            i = end + 1;
            continue;
          }
        }
        *error = "nested character classes are not supported";
        return {};
      }
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];  // leading ] is literal
      continue;
    }
    if (c == '(' && i + 2 < p.size() && p[i + 1] == '?') {
      // (?<name>...) -> (?P<name>...); (?<= and (?<! stay for RE2 to refuse.
      if (p[i + 2] == '<' && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') {
        out += "(?P<";
        i += 2;
        continue;
      }
      // Inline options: Ruby's m (dot matches newline) is RE2's s.
      size_t j = i + 2;
      while (j < p.size() && (p[j] == 'i' || p[j] == 'm' || p[j] == 'x' || p[j] == '-')) ++j;
      if (j > i + 2 && j < p.size() && (p[j] == ')' || p[j] == ':')) {
        out += "(?";
        for (size_t k = i + 2; k < j; ++k) out += p[k] == 'm' ? 's' : p[k];
        i = j - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::unique_ptr<re2::RE2> compile_ruby_regex(const std::string& pattern, std::string* error) {
  std::string translated = ruby_regex_to_re2(pattern, error);
  if (translated.empty()) return nullptr;
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(translated, opts);
  if (!re->ok()) {
    // RE2 quotes the offending fragment; when that is the whole (translated)
    // pattern, the caller's message already shows what the user wrote.
    *error = re->error();
    const std::string suffix = ": " + re->error_arg();
    if (re->error_arg() == translated && error->size() >= suffix.size() &&
        error->compare(error->size() - suffix.size(), suffix.size(), suffix) == 0)
      error->resize(error->size() - suffix.size());
    return nullptr;
  }
  return re;
}

// A Ruby gsub replacement string, parsed: \0-\9 and \& (groups), \k<name>,
// \` (before the match), \' (after it), \+ (last group that matched), \\.
struct Replacement {
  struct Part {
    enum Kind { Literal, Group, Named, Before, After, LastGroup } kind = Literal;
    std::string text;  // Literal text, or the group name for Named
    int group = 0;
  };
  std::vector<Part> parts;
  int submatches = 1;  // how many RE2 submatches apply() reads

  void parse(std::string_view r) {
    parts.clear();
    auto literal = [this]() -> std::string& {
      if (parts.empty() || parts.back().kind != Part::Literal) parts.push_back({});
      return parts.back().text;
    };
    for (size_t i = 0; i < r.size(); ++i) {
      if (r[i] != '\\' || i + 1 == r.size()) {
        literal() += r[i];
        continue;
      }
      char n = r[i + 1];
      if (is_digit(n)) {
        parts.push_back({Part::Group, {}, n - '0'});
      } else if (n == '&') {
        parts.push_back({Part::Group, {}, 0});
      } else if (n == '`') {
        parts.push_back({Part::Before, {}, 0});
      } else if (n == '\'') {
        parts.push_back({Part::After, {}, 0});
      } else if (n == '+') {
        parts.push_back({Part::LastGroup, {}, 0});
      } else if (n == '\\') {
        literal() += '\\';
      } else if (n == 'k' && i + 2 < r.size() && r[i + 2] == '<' &&
                 r.find('>', i + 3) != std::string_view::npos && r.find('>', i + 3) > i + 3) {
        size_t close = r.find('>', i + 3);
        parts.push_back({Part::Named, std::string(r.substr(i + 3, close - i - 3)), 0});
        i = close;
        continue;
      } else {
        literal() += '\\';
        literal() += n;
      }
      ++i;
    }
  }

  // Turns \k<name> into group numbers and sizes the submatch array. False
  // (with the name in *missing) for a name the regex does not define, which
  // Ruby raises on.
  bool bind(const re2::RE2& re, std::string* missing) {
    int groups = re.NumberOfCapturingGroups();
    int highest = 0;
    for (auto& p : parts) {
      if (p.kind == Part::Named) {
        auto& names = re.NamedCapturingGroups();
        auto it = names.find(p.text);
        if (it == names.end()) {
          *missing = p.text;
          return false;
        }
        p.kind = Part::Group;
        p.group = it->second;
      }
      if (p.kind == Part::Group) highest = std::max(highest, std::min(p.group, groups));
      if (p.kind == Part::LastGroup) highest = groups;
    }
    submatches = 1 + highest;
    return true;
  }

  void append(std::string& out, std::string_view text, const re2::StringPiece* m) const {
    for (auto& p : parts) {
      switch (p.kind) {
        case Part::Literal: out += p.text; break;
        case Part::Group:
          if (p.group < submatches && m[p.group].data()) out.append(m[p.group].data(), m[p.group].size());
          break;
        case Part::Before: out.append(text.data(), size_t(m[0].data() - text.data())); break;
        case Part::After: {
          size_t end = size_t(m[0].data() - text.data()) + m[0].size();
          out.append(text.substr(end));
          break;
        }
        case Part::LastGroup:
          for (int g = submatches - 1; g > 0; --g) {
            if (m[g].data()) {
              out.append(m[g].data(), m[g].size());
              break;
            }
          }
          break;
        case Part::Named: break;  // bound before use
      }
    }
  }
};

// Ruby's String#gsub: every non-overlapping match, scanning left to right; an
// empty match copies one character and moves on. Returns false when nothing
// matched (s untouched); else s holds the result and `scratch` its old buffer.
bool ruby_gsub(std::string& s, const re2::RE2& re, const Replacement& rep,
               std::vector<re2::StringPiece>& m, std::string& scratch) {
  if (m.size() < size_t(rep.submatches)) m.resize(size_t(rep.submatches));
  const size_t n = s.size();
  size_t pos = 0;
  bool any = false;
  while (pos <= n) {
    if (!re.Match(s, pos, n, re2::RE2::UNANCHORED, m.data(), rep.submatches)) break;
    size_t start = size_t(m[0].data() - s.data());
    size_t end = start + m[0].size();
    if (!any) {
      scratch.clear();
      scratch.reserve(n + 16);
      any = true;
    }
    scratch.append(s, pos, start - pos);
    rep.append(scratch, s, m.data());
    if (end == start) {
      if (start >= n) {
        pos = n;
        break;
      }
      size_t len;
      decode_utf8(s, start, &len);
      scratch.append(s, start, len);
      pos = start + len;
    } else {
      pos = end;
    }
  }
  if (!any) return false;
  scratch.append(s, pos, std::string::npos);
  s.swap(scratch);
  return true;
}

// ------------------------------------------------------------ the filter

FieldRef parse_field(const std::string& option, const std::string& text) {
  std::string why;
  auto ref = FieldRef::parse(text, &why);
  if (!ref) throw OptionError(option, "invalid field reference '" + text + "': " + why);
  return *ref;
}

// A field name that may contain %{...}, formatted per event (rename).
class FieldName {
 public:
  FieldName(const std::string& option, const std::string& text) {
    if (text.find("%{") != std::string::npos)
      template_ = SprintfTemplate(text);
    else
      ref_ = parse_field(option, text);
  }
  // nullptr when the formatted name is not a valid field reference.
  const FieldRef* resolve(const Event& e, std::optional<FieldRef>& scratch) const {
    if (!template_) return &ref_;
    scratch = FieldRef::parse(template_->format(e));
    return scratch ? &*scratch : nullptr;
  }

 private:
  FieldRef ref_;
  std::optional<SprintfTemplate> template_;
};

Value format_value(const SprintfTemplate& t, const Event& e) {
  return t.constant() ? Value(t.text()) : Value(t.format(e));
}

class MutateFilter : public Filter {
 public:
  explicit MutateFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  struct FieldValue {
    FieldRef field;
    SprintfTemplate value;
  };
  struct Rename {
    FieldName from, to;
  };
  struct Conversion {
    FieldRef field;
    ConvertType type;
  };
  struct Gsub {
    FieldRef field;
    std::string pattern_text;
    std::unique_ptr<re2::RE2> regex;                // fixed pattern
    std::optional<SprintfTemplate> pattern_template;  // pattern with %{...}
    std::string cached_pattern;                      // last formatted pattern
    std::unique_ptr<re2::RE2> cached_regex;
    SprintfTemplate replacement_template;
    Replacement replacement;  // parsed once when both parts are fixed
  };
  struct Separator {
    FieldRef field;
    std::string separator;
  };
  struct Merge {
    FieldRef dest;
    std::vector<FieldRef> sources;
  };
  struct Copy {
    FieldRef from, to;
  };

  static std::vector<FieldValue> field_values(const Settings& s, const std::string& option);
  static std::vector<FieldRef> fields(const Settings& s, const std::string& option);
  static std::vector<Separator> separators(const Settings& s, const std::string& option);

  // Each returns false when the operation fails on e, with failure_ set.
  bool coerce(Event& e) const;
  bool rename(Event& e);
  bool update(Event& e) const;
  bool replace(Event& e);
  bool convert(Event& e);
  bool gsub(Event& e);
  bool gsub_string(std::string& s, Gsub& g, const Event& e);
  void recase(Event& e, const std::vector<FieldRef>& which, CaseOp op);
  bool strip(Event& e);
  void split(Event& e) const;
  void join(Event& e) const;
  bool merge(Event& e);
  bool copy(Event& e);
  bool conversion_failed(const Conversion& c, const Value& v) {
    return fail("convert: cannot convert " + c.field.text() + " value '" + v.to_string() + "' to " +
                convert_type_name(c.type));
  }
  bool fail(std::string why) {
    failure_ = std::move(why);
    return false;
  }

  std::vector<FieldValue> coerce_, update_, replace_;
  std::vector<Rename> rename_;
  std::vector<Conversion> convert_;
  std::vector<Gsub> gsub_;
  std::vector<FieldRef> uppercase_, capitalize_, lowercase_, strip_;
  std::vector<Separator> split_, join_;
  std::vector<Merge> merge_;
  std::vector<Copy> copy_;
  std::string tag_on_failure_;

  // Per-worker scratch, reused across events.
  std::string scratch_;
  std::vector<re2::StringPiece> submatches_;
  Replacement dynamic_replacement_;
  std::string failure_;
};

std::vector<MutateFilter::FieldValue> MutateFilter::field_values(const Settings& s,
                                                                 const std::string& option) {
  std::vector<FieldValue> out;
  for (auto& [name, value] : s.get_hash(option))
    out.push_back({parse_field(option, name), SprintfTemplate(value.to_string())});
  return out;
}

std::vector<FieldRef> MutateFilter::fields(const Settings& s, const std::string& option) {
  std::vector<FieldRef> out;
  for (auto& name : s.get_strings(option)) out.push_back(parse_field(option, name));
  return out;
}

std::vector<MutateFilter::Separator> MutateFilter::separators(const Settings& s,
                                                              const std::string& option) {
  std::vector<Separator> out;
  for (auto& [name, value] : s.get_hash(option))
    out.push_back({parse_field(option, name), value.to_string()});
  return out;
}

MutateFilter::MutateFilter(const PluginArgs& args) : Filter(args) {
  const Settings& s = args.settings;
  coerce_ = field_values(s, "coerce");
  update_ = field_values(s, "update");
  replace_ = field_values(s, "replace");
  for (auto& [from, to] : s.get_hash("rename"))
    rename_.push_back({FieldName("rename", from), FieldName("rename", to.to_string())});

  for (auto& [name, type] : s.get_hash("convert")) {
    auto t = type.is_string() ? convert_type_named(type.as_string()) : std::nullopt;
    if (!t)
      throw OptionError("convert", "Invalid conversion type '" + type.to_string() + "' for field '" +
                                       name + "', expected one of 'string,integer,float,boolean,integer_eu,float_eu'");
    convert_.push_back({parse_field("convert", name), *t});
  }

  const Array& gsub = s.get_array("gsub");
  if (gsub.size() % 3 != 0)
    throw OptionError("gsub", "gsub requires 3 elements per entry (field, pattern, replacement); got " +
                                  std::to_string(gsub.size()) + " elements");
  for (size_t i = 0; i < gsub.size(); i += 3) {
    for (size_t k = i; k < i + 3; ++k)
      if (gsub[k].is_null()) throw OptionError("gsub", "gsub entries must not be null");
    Gsub g;
    g.field = parse_field("gsub", gsub[i].to_string());
    g.pattern_text = gsub[i + 1].to_string();
    g.replacement_template = SprintfTemplate(gsub[i + 2].to_string());
    if (g.pattern_text.find("%{") != std::string::npos) {
      g.pattern_template = SprintfTemplate(g.pattern_text);
    } else {
      std::string why;
      g.regex = compile_ruby_regex(g.pattern_text, &why);
      if (!g.regex) throw OptionError("gsub", "invalid regex '" + g.pattern_text + "': " + why);
    }
    if (g.regex && g.replacement_template.constant()) {
      g.replacement.parse(g.replacement_template.text());
      std::string missing;
      if (!g.replacement.bind(*g.regex, &missing))
        throw OptionError("gsub", "replacement '" + g.replacement_template.text() +
                                      "' refers to group <" + missing + ">, which regex '" +
                                      g.pattern_text + "' does not define");
    }
    gsub_.push_back(std::move(g));
  }

  uppercase_ = fields(s, "uppercase");
  capitalize_ = fields(s, "capitalize");
  lowercase_ = fields(s, "lowercase");
  strip_ = fields(s, "strip");
  split_ = separators(s, "split");
  join_ = separators(s, "join");

  for (auto& [dest, sources] : s.get_hash("merge")) {
    Merge m{parse_field("merge", dest), {}};
    if (sources.is_array()) {
      for (auto& src : sources.as_array()) m.sources.push_back(parse_field("merge", src.to_string()));
    } else {
      m.sources.push_back(parse_field("merge", sources.to_string()));
    }
    merge_.push_back(std::move(m));
  }
  for (auto& [from, to] : s.get_hash("copy"))
    copy_.push_back({parse_field("copy", from), parse_field("copy", to.to_string())});

  tag_on_failure_ = s.get_string("tag_on_failure", "_mutate_error");
}

void MutateFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  // Logstash's fixed order; the first failure skips the rest.
  bool ok = coerce(e) && rename(e) && update(e) && replace(e) && convert(e) && gsub(e);
  if (ok) {
    recase(e, uppercase_, CaseOp::Upper);
    recase(e, capitalize_, CaseOp::Capitalize);
    recase(e, lowercase_, CaseOp::Lower);
    ok = strip(e);
  }
  if (ok) {
    split(e);
    join(e);
    ok = merge(e) && copy(e);
  }
  if (ok) {
    filter_matched(e);
    return;
  }
  log_warn("mutate {}: {}; event tagged {}", id(), failure_, tag_on_failure_);
  e.add_tag(tag_on_failure_);
}

bool MutateFilter::coerce(Event& e) const {
  for (auto& c : coerce_) {
    Value* v = e.get(c.field);
    if (v && v->is_null()) *v = format_value(c.value, e);
  }
  return true;
}

bool MutateFilter::rename(Event& e) {
  std::optional<FieldRef> from_scratch, to_scratch;
  for (auto& r : rename_) {
    const FieldRef* from = r.from.resolve(e, from_scratch);
    const FieldRef* to = r.to.resolve(e, to_scratch);
    if (!from || !to) return fail("rename: a name formats to an invalid field reference");
    if (!e.has(*from)) continue;
    if (from->is_top_level() && to->is_top_level()) {
      e.fields().rename(from->path()[0], to->path()[0]);  // keeps the field's position
      continue;
    }
    Value moved = std::move(*e.get(*from));
    e.remove(*from);
    if (!e.set(*to, std::move(moved))) return fail("rename: cannot set " + to->text());
  }
  return true;
}

bool MutateFilter::update(Event& e) const {
  for (auto& u : update_) {
    if (Value* v = e.get(u.field)) *v = format_value(u.value, e);
  }
  return true;
}

bool MutateFilter::replace(Event& e) {
  for (auto& r : replace_)
    if (!e.set(r.field, format_value(r.value, e))) return fail("replace: cannot set " + r.field.text());
  return true;
}

bool MutateFilter::convert(Event& e) {
  for (auto& c : convert_) {
    Value* v = e.get(c.field);
    if (!v || v->is_null() || v->is_object()) continue;
    if (!v->is_array()) {
      if (!convert_value(*v, c.type)) return conversion_failed(c, *v);
      continue;
    }
    // All or nothing, as Logstash maps the array and then sets it.
    Array converted = v->as_array();
    for (auto& elem : converted)
      if (!elem.is_null() && !convert_value(elem, c.type)) return conversion_failed(c, elem);
    v->as_array() = std::move(converted);
  }
  return true;
}

bool MutateFilter::gsub_string(std::string& s, Gsub& g, const Event& e) {
  const re2::RE2* re = g.regex.get();
  if (!re) {
    std::string pattern = g.pattern_template->format(e);
    if (!g.cached_regex || pattern != g.cached_pattern) {
      std::string why;
      g.cached_regex = compile_ruby_regex(pattern, &why);
      g.cached_pattern = std::move(pattern);
      if (!g.cached_regex)  // Ruby raises RegexpError
        return fail("gsub: invalid regex '" + g.cached_pattern + "': " + why);
    }
    re = g.cached_regex.get();
  }
  const Replacement* rep = &g.replacement;
  if (!g.regex || !g.replacement_template.constant()) {
    dynamic_replacement_.parse(g.replacement_template.constant() ? g.replacement_template.text()
                                                                 : g.replacement_template.format(e));
    std::string missing;
    if (!dynamic_replacement_.bind(*re, &missing))
      return fail("gsub: replacement refers to undefined group <" + missing + ">");
    rep = &dynamic_replacement_;
  }
  ruby_gsub(s, *re, *rep, submatches_, scratch_);
  return true;
}

bool MutateFilter::gsub(Event& e) {
  for (auto& g : gsub_) {
    Value* v = e.get(g.field);
    if (!v) continue;
    // Formatting a dynamic pattern or replacement only reads the event, and
    // happens before the string is rewritten, so strings change in place.
    if (v->is_string()) {
      if (!gsub_string(v->as_string(), g, e)) return false;
      continue;
    }
    if (!v->is_array()) continue;
    bool dynamic = !g.regex || !g.replacement_template.constant();
    if (!dynamic) {
      for (auto& elem : v->as_array())
        if (elem.is_string() && !gsub_string(elem.as_string(), g, e)) return false;
      continue;
    }
    // Logstash formats every element's templates against the unchanged event.
    Array rewritten = v->as_array();
    for (auto& elem : rewritten)
      if (elem.is_string() && !gsub_string(elem.as_string(), g, e)) return false;
    v->as_array() = std::move(rewritten);
  }
  return true;
}

void MutateFilter::recase(Event& e, const std::vector<FieldRef>& which, CaseOp op) {
  for (auto& f : which) {
    Value* v = e.get(f);
    if (!v) continue;
    if (v->is_string()) {
      recase_string(v->as_string(), op, scratch_);
    } else if (v->is_array()) {
      for (auto& elem : v->as_array())
        if (elem.is_string()) recase_string(elem.as_string(), op, scratch_);
    }
  }
}

bool MutateFilter::strip(Event& e) {
  for (auto& f : strip_) {
    Value* v = e.get(f);
    if (!v) continue;
    if (v->is_string()) {
      strip_in_place(v->as_string());
    } else if (v->is_array()) {
      // Ruby calls strip on every element: anything but a string raises.
      for (auto& elem : v->as_array())
        if (!elem.is_string()) return fail("strip: " + f.text() + " holds a non-string element");
      for (auto& elem : v->as_array()) strip_in_place(elem.as_string());
    }
  }
  return true;
}

void MutateFilter::split(Event& e) const {
  for (auto& s : split_) {
    Value* v = e.get(s.field);
    if (v && v->is_string()) *v = Value(ruby_split(v->as_string(), s.separator));
  }
}

void MutateFilter::join(Event& e) const {
  for (auto& j : join_) {
    Value* v = e.get(j.field);
    if (!v || !v->is_array()) continue;
    std::string joined;
    ruby_join(v->as_array(), j.separator, joined);
    *v = Value(std::move(joined));
  }
}

// Ruby's Array(x): nil -> [], array -> itself, anything else -> [x].
void append_as_array(Array& out, const Value* v) {
  if (!v || v->is_null()) return;
  if (v->is_array())
    out.insert(out.end(), v->as_array().begin(), v->as_array().end());
  else
    out.push_back(*v);
}

bool MutateFilter::merge(Event& e) {
  for (auto& m : merge_) {
    for (auto& source : m.sources) {
      Value* dest = e.get(m.dest);
      const Value* added = e.get(source);
      bool dest_hash = dest && dest->is_object();
      bool added_hash = added && added->is_object();
      if (dest_hash != added_hash) {  // Logstash logs this and goes on
        log_debug("mutate {}: cannot merge {} into {}: one is a hash, the other not", id(),
                  source.text(), m.dest.text());
        continue;
      }
      if (dest_hash) {
        Object copy = added->as_object();  // the source may live inside dest
        for (auto& [k, v] : copy) dest->as_object().set(k, std::move(v));
        continue;
      }
      Array addition;
      append_as_array(addition, added);
      if (dest && dest->is_array()) {
        auto& a = dest->as_array();
        a.insert(a.end(), std::make_move_iterator(addition.begin()), std::make_move_iterator(addition.end()));
        continue;
      }
      Array merged;
      if (dest && !dest->is_null()) merged.push_back(std::move(*dest));
      merged.insert(merged.end(), std::make_move_iterator(addition.begin()), std::make_move_iterator(addition.end()));
      if (!e.set(m.dest, Value(std::move(merged)))) return fail("merge: cannot set " + m.dest.text());
    }
  }
  return true;
}

bool MutateFilter::copy(Event& e) {
  for (auto& c : copy_) {
    const Value* v = e.get(c.from);
    if (!v || v->is_null()) continue;
    if (!e.set(c.to, Value(*v))) return fail("copy: cannot set " + c.to.text());
  }
  return true;
}

}  // namespace

PluginInfo mutate_filter_info() {
  PluginInfo info;
  info.name = "mutate";
  info.kind = PluginKind::Filter;
  info.description =
      "Renames, replaces, converts and rewrites fields; operations run in a fixed order "
      "(coerce, rename, update, replace, convert, gsub, uppercase, capitalize, lowercase, "
      "strip, split, join, merge, copy).";
  info.options = {
      {"coerce", OptionType::Hash, std::nullopt, "Field => value to set when the field exists but is null."},
      {"rename", OptionType::Hash, std::nullopt, "Old name => new name; a missing field is left alone."},
      {"update", OptionType::Hash, std::nullopt, "Field => new value (%{field} allowed), only if the field exists."},
      {"replace", OptionType::Hash, std::nullopt, "Field => new value (%{field} allowed), set in any case."},
      {"convert", OptionType::Hash, std::nullopt,
       "Field => type: integer, integer_eu, float, float_eu, string or boolean; arrays convert each element."},
      {"gsub", OptionType::Array, std::nullopt,
       "Triples of field, regex, replacement: replaces every match in a string or array of strings."},
      {"uppercase", OptionType::Array, std::nullopt, "Fields to convert to upper case."},
      {"capitalize", OptionType::Array, std::nullopt, "Fields to capitalize (first letter upper, rest lower)."},
      {"lowercase", OptionType::Array, std::nullopt, "Fields to convert to lower case."},
      {"strip", OptionType::Array, std::nullopt, "Fields to strip of leading and trailing whitespace."},
      {"split", OptionType::Hash, std::nullopt, "Field => separator: splits a string into an array."},
      {"join", OptionType::Hash, std::nullopt, "Field => separator: joins an array into a string."},
      {"merge", OptionType::Hash, std::nullopt, "Destination => source: merges arrays, strings or hashes."},
      {"copy", OptionType::Hash, std::nullopt, "Source => destination: copies a field, replacing the destination."},
      {"tag_on_failure", OptionType::String, Value("_mutate_error"), "Tag added when an operation fails."},
  };
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<MutateFilter>(args);
  };
  return info;
}

}  // namespace logpipe
