// JodaFormat: formats timestamps with Joda-Time patterns ("yyyy.MM.dd",
// "YYYY-MM-dd'T'HH:mm:ss.SSSZ", "EEE, dd MMM yyyy") in UTC or a fixed
// offset, for `%{+FORMAT}` in sprintf and (later) the date filter.
//
// Pattern letters as Joda-Time's DateTimeFormat: G C Y x w e E y D M d a K h H
// k m s S z Z, quoted literals with '...' and '' for a quote. Counts follow
// Joda's rules (MMM = short month name, MMMM = full name, yy = two-digit year,
// SSS = milliseconds, ...). English names. Thread-safe after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/value.h"

namespace logpipe {

class JodaFormat {
 public:
  // Throws std::invalid_argument with a reason for an unknown pattern letter
  // or an unterminated quote.
  explicit JodaFormat(std::string_view pattern);

  // Appends ts formatted in UTC.
  void append(Timestamp ts, std::string& out) const;
  std::string format(Timestamp ts) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Token {
    char letter = 0;   // 0 for literal text
    int count = 0;
    std::string literal;
  };
  std::vector<Token> tokens_;
  std::string pattern_;
};

}  // namespace logpipe
