// RubyNumber: Ruby's string-to-number conversions, the one copy grok's
// %{X:f:int|float} and mutate's convert share.
//
//  - ruby_to_i / ruby_to_f: String#to_i and #to_f, read the longest leading
//    number and give 0 when there is none (grok coercions).
//  - ruby_float / ruby_hex_integer / big_decimal_to_i: Kernel#Float,
//    Kernel#Integer("0x..") and BigDecimal#to_i, which take the whole string
//    or fail (mutate's convert).
//
// Out of range: Ruby's Integer is arbitrary precision and its Float reaches
// Infinity, logpipe's values are int64 and finite doubles. Every function
// here returns nullopt for a number it cannot hold, never a saturated or
// infinite one: a clamped 9223372036854775807 stored for 99999999999999999999
// would be a wrong number that looks right. Callers keep the text as written
// instead (grok stores the capture as a string, mutate tags the event).
// Underflow is 0.0, as in Ruby.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace logpipe {

// The whitespace String#to_i, #to_f, #strip (less NUL) and #split(" ") skip:
// space, \t, \n, \v, \f, \r.
inline bool is_ruby_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// String#to_i: leading whitespace, sign, digits with single underscores
// between them; anything after is ignored; "" and "x" are 0.
std::optional<int64_t> ruby_to_i(std::string_view s);

// String#to_f: the longest leading decimal number (fraction and exponent
// optional, no hex, inf or nan); 0.0 when there is none.
std::optional<double> ruby_to_f(std::string_view s);

// Kernel#Float(string): the whole text (surrounding whitespace aside) must
// be a decimal number or 0x hex (with optional fraction and p exponent).
std::optional<double> ruby_float(std::string_view s);

// Kernel#Integer(string) of a hex string: [+-]0x then hex digits, all of it.
std::optional<int64_t> ruby_hex_integer(std::string_view s);

// BigDecimal(string).to_i: exact truncation of a decimal with an exponent
// ("1.5e3" -> 1500), without going through a double.
std::optional<int64_t> big_decimal_to_i(std::string_view s);

}  // namespace logpipe
