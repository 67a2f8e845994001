// RubyString: the String and Array methods mutate's strip, split and join
// options stand for, with Ruby's edge cases (what counts as whitespace,
// split(" ") versus split(","), trailing empty pieces, nested arrays).
// Pure; thread-safe.
#pragma once

#include <string>

#include "engine/event/value.h"

namespace logpipe {

// Ruby's String#strip whitespace: NUL, \t, \n, \v, \f, \r and space.
inline bool is_strip_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == '\0';
}

// String#strip.
void strip_in_place(std::string& s);

// String#split with a string separator: " " splits on runs of whitespace
// ignoring leading ones, "" splits into characters, anything else is
// literal; trailing empty pieces are dropped.
Array ruby_split(const std::string& s, const std::string& sep);

// Array#join: nested arrays are joined with the same separator.
void ruby_join(const Array& a, const std::string& sep, std::string& out);

}  // namespace logpipe
