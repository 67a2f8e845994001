// DatePatternTokens: the one reading of a Joda-Time or java.time date pattern
// into letter runs ("yyyy" is y x4) and literal text, shared by JodaFormat
// (formatting, both dialects) and the date filter's JodaDateParser.
//
// Both dialects: an ASCII letter repeated is one run; '...' quotes text; ''
// is a quote, inside quotes or out; any other character is itself, one
// token each (so java.time's [ ] { } # are seen unquoted). They differ on a
// quote never closed: Joda's DateTimeFormat takes the rest of the pattern as
// text, for parsing as for formatting (one pattern compiler serves both),
// while java.time's DateTimeFormatterBuilder rejects it.
//
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

struct DatePatternToken {
  char letter = 0;      // 0 for literal text
  int count = 0;        // length of the letter run
  std::string text;     // the literal text when letter == 0
  bool quoted = false;  // the text came from '...' (or '')
};

enum class DatePatternDialect { Joda, JavaTime };

// False with *error ("pattern \"...\" ends with an incomplete string
// literal") for an unclosed quote in java.time; never false for Joda.
bool tokenize_date_pattern(std::string_view pattern, DatePatternDialect dialect,
                           std::vector<DatePatternToken>* tokens, std::string* error);

}  // namespace logpipe
