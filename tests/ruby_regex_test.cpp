// RubyRegex: one translation of Ruby regex text for grok, mutate, conditions
// and kv. Table-driven: what a Ruby construct matches once translated, what
// is refused and why, and that every caller accepts the same constructs.
#include "engine/text/ruby_regex.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>

#include "filters/grok/grok_compiler.h"

namespace logpipe {
namespace {

struct MatchCase {
  const char* ruby;
  const char* text;
  bool matches;
};

TEST(RubyRegexTest, TranslatedConstructsKeepRubysMeaning) {
  const MatchCase cases[] = {
      {"\\h+$", "beef", true},
      {"^\\h+$", "beefy", false},
      {"\\H", "0af", false},
      {"[\\h_]+$", "a_f", true},
      {"[a[0-9]]+$", "a7a", true},            // nested class: a union
      {"^[a[0-9]]+$", "b", false},
      {"^[[:alpha:]]+$", "caf\xC3\xA9", true},  // Unicode, as Joni in UTF-8
      {"\\s", "\v", true},                    // Ruby's \s has \v
      {"^a.b$", "a\nb", false},               // dot stops at a newline...
      {"(?m)^a.b$", "a\nb", true},            // ...unless Ruby's m (dot-all)
      {"(?s)^a.b$", "a\nb", true},            // s, not Ruby's, read as RE2's dot-all
      {"^b", "a\nb", true},                   // ^ and $ are line anchors
      {"(?<year>\\d{4})", "in 2024", true},
      {"(?'year'\\d{4})", "in 2024", true},
      {"^a{,2}$", "aa", true},
      {"^a{,2}$", "aaa", false},
      {"^a?*$", "aaa", true},                 // stacked quantifiers
      {"\\y", "y", true},                     // unknown escape: the letter
      {"\\u00e9", "\xC3\xA9", true},
      {"a(?#comment)b", "ab", true},
      {"^a\\/b$", "a/b", true},
      {"\\Ahello\\z", "hello", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ruby);
    std::string error;
    auto re = compile_ruby_regex(c.ruby, &error);
    ASSERT_TRUE(re) << error;
    EXPECT_EQ(re2::RE2::PartialMatch(c.text, *re), c.matches);
  }
}

struct RefusedCase {
  const char* ruby;
  const char* message_has;
};

TEST(RubyRegexTest, RefusesWhatRe2CannotMeanWithTheReason) {
  const RefusedCase cases[] = {
      {"(a)\\1", "backreference \\1"},
      {"(?<n>a)\\k<n>", "backreference \\k<name>"},
      {"a\\Z", "\\Z"},
      {"\\Ga", "\\G"},
      {"(?x) a", "(?x)"},
      {"[a-z&&[^aeiou]]", "class intersection"},
      {"[a[^b]]", "negated class nested"},
      {"(?(1)a|b)", "conditional"},
      {"a)|(b", "closing ) cannot be used: it has no opening ("},
      {"(a", "never closed"},
      {"[ab", "not closed with ]"},
      {"*a", "nothing to repeat"},
      // Without a PCRE2 judge, what RE2 would run loosened is refused.
      {"(?>a+)b", "atomic group"},
      {"a++", "possessive"},
      {"(?<=a)b", "lookbehind"},
      {"a(?!b)", "lookahead"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ruby);
    std::string error;
    EXPECT_FALSE(compile_ruby_regex(c.ruby, &error));
    EXPECT_NE(error.find(c.message_has), std::string::npos) << error;
  }
}

TEST(RubyRegexTest, ErrorsNameWhereWhenGiven) {
  try {
    RubyRegexTranslator({}).translate("a\\G", "field_split_pattern");
    FAIL() << "translated";
  } catch (const RubyRegexError& e) {
    EXPECT_EQ(std::string(e.what()),
              "field_split_pattern: \\G cannot be used: RE2 has no 'where the previous match "
              "ended' anchor");
  }
}

TEST(RubyRegexTest, PlainGroupsCaptureUnlessTheCallerNumbersItsOwn) {
  RubyRegexTranslator::Options capturing;
  EXPECT_EQ(RubyRegexTranslator(capturing).translate("(a)(?<n>b)").re2, "(?m)(a)(?P<n>b)");
  RubyRegexTranslator::Options grok_like;
  grok_like.dot_matches_newline = true;
  grok_like.plain_groups_capture = false;
  EXPECT_EQ(RubyRegexTranslator(grok_like).translate("(a)").re2, "(?sm)(?:a)");
}

// Grok and the RE2-only callers share the translator: a construct grok takes
// (outside the few only its PCRE2 twin keeps) is one mutate, conditions and
// kv take, and the other way round.
TEST(RubyRegexTest, GrokAndTheOtherCallersAcceptTheSameConstructs) {
  const char* patterns[] = {"\\h", "[a[b]]", "[[:alnum:]]", "(?<x>a)", "a{,3}", ".?*", "(?m:a.)",
                            "\\1", "[^a[^b]]", "(?x)a", "\\Z", "a)", "(?i)A", "\\p{L}", "\\x41"};
  PatternLibrary library;
  for (const char* p : patterns) {
    SCOPED_TRACE(p);
    bool grok_ok = true;
    try {
      GrokCompiler(library, true).compile(p);
    } catch (const GrokCompileError&) {
      grok_ok = false;
    }
    std::string error;
    EXPECT_EQ(grok_ok, compile_ruby_regex(p, &error) != nullptr) << error;
  }
}

}  // namespace
}  // namespace logpipe
