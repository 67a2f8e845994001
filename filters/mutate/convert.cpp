#include "filters/mutate/convert.h"

#include <cmath>
#include <cstdint>
#include <string_view>

#include "engine/text/ruby_number.h"
#include "engine/text/utf8.h"
#include "filters/mutate/ruby_string.h"

namespace logpipe {

namespace {

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

}  // namespace

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

}  // namespace logpipe
