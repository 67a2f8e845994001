#include "tests/tools/es_server/json_syntax_error.h"

#include <cctype>
#include <cstdio>

namespace logpipe::es_fake {
namespace {

// A recursive-descent checker: small and slow, which is fine on the error path.
class Checker {
 public:
  explicit Checker(std::string_view text) : s_(text) {}

  std::optional<JsonSyntaxError> run() {
    skip_spaces();
    if (!value(0)) return error_;
    skip_spaces();
    if (pos_ < s_.size()) {
      fail(pos_, unexpected(s_[pos_]) + ": expected end-of-input");
      return error_;
    }
    return std::nullopt;
  }

 private:
  static std::string unexpected(char c) {
    unsigned code = static_cast<unsigned char>(c);
    char buf[64];
    if (code < 0x20)
      std::snprintf(buf, sizeof buf, "Unexpected character ((CTRL-CHAR, code %u))", code);
    else
      std::snprintf(buf, sizeof buf, "Unexpected character ('%c' (code %u))", c, code);
    return buf;
  }

  bool fail(size_t at, std::string message) {
    if (!error_) error_ = JsonSyntaxError{at + 1, std::move(message)};
    return false;
  }

  bool end_of_input(const char* what, size_t start) {
    return fail(s_.size(), std::string("Unexpected end-of-input: expected close marker for ") + what +
                               " (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
                               " disabled); line: 1, column: " + std::to_string(start + 1) + "])");
  }

  void skip_spaces() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) ++pos_;
  }

  bool value(int depth) {
    if (pos_ >= s_.size()) return fail(pos_, "Unexpected end-of-input: expected a value");
    char c = s_[pos_];
    if (c == '{' || c == '[') return container(depth + 1, c == '{');
    if (c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    if (c >= 'a' && c <= 'z') return keyword();
    return fail(pos_, unexpected(c) + ": expected a value");
  }

  // An object or an array: the same loop, objects with a field name before each value.
  bool container(int depth, bool is_object) {
    const size_t start = pos_++;
    const char close = is_object ? '}' : ']';
    const std::string name = is_object ? "Object" : "Array";
    skip_spaces();
    if (pos_ < s_.size() && s_[pos_] == close) return ++pos_, true;
    for (;;) {
      if (pos_ >= s_.size()) return end_of_input(name.c_str(), start);
      if (is_object && !field_name(start)) return false;
      if (!value(depth)) return false;
      skip_spaces();
      if (pos_ >= s_.size()) return end_of_input(name.c_str(), start);
      if (s_[pos_] == close) return ++pos_, true;
      if (s_[pos_] != ',') return fail(pos_, unexpected(s_[pos_]) + ": was expecting comma to separate " + name + " entries");
      ++pos_;
      skip_spaces();
    }
  }

  // `"name" :` and the spaces after it.
  bool field_name(size_t object_start) {
    if (s_[pos_] != '"') return fail(pos_, unexpected(s_[pos_]) + ": was expecting double-quote to start field name");
    if (!string()) return false;
    skip_spaces();
    if (pos_ >= s_.size()) return end_of_input("Object", object_start);
    if (s_[pos_] != ':')
      return fail(pos_, unexpected(s_[pos_]) + ": was expecting a colon to separate field name and value");
    ++pos_;
    skip_spaces();
    return true;
  }

  // One UTF-8 sequence at pos_ (first byte >= 0x80); advances past it.
  bool utf8_sequence() {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(s_[i]); };
    unsigned char b = byte(pos_);
    size_t extra = b >= 0xF0 && b <= 0xF4 ? 3 : b >= 0xE0 ? (b <= 0xEF ? 2 : 0) : b >= 0xC2 ? 1 : 0;
    char buf[48];
    if (extra == 0) {
      std::snprintf(buf, sizeof buf, "Invalid UTF-8 start byte 0x%02x", b);
      return fail(pos_, buf);
    }
    for (size_t i = 1; i <= extra; ++i) {
      if (pos_ + i >= s_.size()) return fail(s_.size(), "Unexpected end-of-input in character escape sequence");
      unsigned char m = byte(pos_ + i);
      bool ok = (m & 0xC0) == 0x80;
      // Overlong forms, surrogates and code points above U+10FFFF.
      if (ok && i == 1) {
        if (b == 0xE0) ok = m >= 0xA0;
        if (b == 0xED) ok = m <= 0x9F;
        if (b == 0xF0) ok = m >= 0x90;
        if (b == 0xF4) ok = m <= 0x8F;
      }
      if (!ok) {
        std::snprintf(buf, sizeof buf, "Invalid UTF-8 middle byte 0x%02x", m);
        return fail(pos_ + i, buf);
      }
    }
    pos_ += extra + 1;
    return true;
  }

  bool string() {
    ++pos_;
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) {
        char buf[128];
        std::snprintf(buf, sizeof buf,
                      "Illegal unquoted character ((CTRL-CHAR, code %u)): has to be escaped using backslash to be "
                      "included in string value",
                      c);
        return fail(pos_, buf);
      }
      if (c == '\\') {
        if (++pos_ >= s_.size()) break;
        char e = s_[pos_];
        if (e == 'u') {
          for (int i = 1; i <= 4; ++i) {
            if (pos_ + i >= s_.size()) return fail(s_.size(), "Unexpected end-of-input in character escape sequence");
            if (!std::isxdigit(static_cast<unsigned char>(s_[pos_ + i])))
              return fail(pos_ + i, unexpected(s_[pos_ + i]) + ": expected a hex-digit for character escape sequence");
          }
          pos_ += 5;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "Unrecognized character escape '%c' (code %u)", e,
                        static_cast<unsigned>(static_cast<unsigned char>(e)));
          return fail(pos_, buf);
        }
        ++pos_;
        continue;
      }
      if (c >= 0x80) {
        if (!utf8_sequence()) return false;
        continue;
      }
      ++pos_;
    }
    return fail(s_.size(), "Unexpected end-of-input: was expecting closing quote for a string value");
  }

  bool digits() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool number() {
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9')
      return fail(pos_ + 1, "Invalid numeric value: Leading zeroes not allowed");
    if (!digits()) {
      if (pos_ >= s_.size()) return fail(pos_, "Unexpected end-of-input in a Number value");
      return fail(pos_, unexpected(s_[pos_]) + ": Expected space separating root-level values");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits())
        return fail(pos_, pos_ < s_.size() ? unexpected(s_[pos_]) + ": Decimal point not followed by a digit"
                                           : std::string("Unexpected end-of-input in a Number value"));
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return fail(pos_, "Invalid numeric value: Exponent indicator not followed by a digit");
    }
    return true;
  }

  bool keyword() {
    size_t start = pos_;
    while (pos_ < s_.size() && ((s_[pos_] >= 'a' && s_[pos_] <= 'z') || (s_[pos_] >= 'A' && s_[pos_] <= 'Z') ||
                                (s_[pos_] >= '0' && s_[pos_] <= '9') || s_[pos_] == '_'))
      ++pos_;
    std::string_view word = s_.substr(start, pos_ - start);
    if (word == "true" || word == "false" || word == "null") return true;
    return fail(start, "Unrecognized token '" + std::string(word) +
                           "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::optional<JsonSyntaxError> error_;
};

}  // namespace

std::optional<JsonSyntaxError> find_json_syntax_error(std::string_view text) { return Checker(text).run(); }

std::string jackson_location_suffix(size_t column) {
  return "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: " +
         std::to_string(column) + "]";
}

}  // namespace logpipe::es_fake
