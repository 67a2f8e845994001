// DatePatternTokens: one reading of Joda and java.time patterns for the date
// filter's parser and JodaFormat; they differ only on an unclosed quote.
#include "engine/text/date_pattern_tokens.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace logpipe {
namespace {

std::string describe(std::string_view pattern, DatePatternDialect dialect) {
  std::vector<DatePatternToken> tokens;
  std::string error;
  if (!tokenize_date_pattern(pattern, dialect, &tokens, &error)) return "error: " + error;
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t.letter ? std::string(static_cast<size_t>(t.count), t.letter)
                    : (t.quoted ? "'" + t.text + "'" : "<" + t.text + ">");
  }
  return out;
}

TEST(DatePatternTokensTest, BothDialectsReadTheSameTokens) {
  const std::pair<const char*, const char*> cases[] = {
      {"yyyy-MM-dd'T'HH", "yyyy <-> MM <-> dd 'T' HH"},
      {"HH 'o''clock'", "HH < > 'o'clock'"},
      {"''yyyy''", "'\'' yyyy '\''"},
      {"[dd]", "<[> dd <]>"},
      {"'[x]'", "'[x]'"},
  };
  for (const auto& [pattern, expected] : cases) {
    EXPECT_EQ(describe(pattern, DatePatternDialect::Joda), expected) << pattern;
    EXPECT_EQ(describe(pattern, DatePatternDialect::JavaTime), expected) << pattern;
  }
}

TEST(DatePatternTokensTest, AnUnclosedQuoteIsTextInJodaAndAnErrorInJavaTime) {
  EXPECT_EQ(describe("yyyy' at", DatePatternDialect::Joda), "yyyy ' at'");
  EXPECT_EQ(describe("yyyy' at", DatePatternDialect::JavaTime),
            "error: pattern \"yyyy' at\" ends with an incomplete string literal");
}

}  // namespace
}  // namespace logpipe
