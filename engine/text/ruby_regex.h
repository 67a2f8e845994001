// RubyRegex: the one translation of regex text written for Ruby (Oniguruma,
// Joni in Logstash) into RE2 syntax. Grok, mutate's gsub, `=~` in conditions
// and kv's patterns and character classes all go through it, so a construct
// is accepted by all of them or by none, and means the same in each.
//
// Translated where the meaning is kept: (?<name>) and (?'name'), \h \H, \s
// with \v, \a \e \uHHHH, nested classes (a union) and [[:alnum:]] (Unicode
// aware, as Joni in UTF-8), (?m) = dot-all (Ruby's m is RE2's s), {,n},
// stacked quantifiers (.?*), an unknown letter escape as the letter, and
// Ruby's always-on line anchors (^ and $ match at line breaks).
//
// Two regexes come out: `re2`, what RE2 runs, and `pcre`, the same keeping
// atomic groups, possessive quantifiers and single-character lookaround
// guards. RE2 runs those without them (a superset of the Ruby language), so
// only a caller that has PCRE2 judge the lines RE2 accepted (grok) may ask
// for them (Options::allow_pcre_only); everyone else gets them refused, with
// the reason. Anything RE2 cannot express at all (backreferences, general
// lookaround, \G, \K, conditionals, (?x), class intersection...) is refused:
// translate() throws RubyRegexError naming the construct and why.
//
// A translator holds state only during translate(); not thread-safe.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace logpipe {

// what(): "<where>: <construct> cannot be used: <why>" (no "<where>: " when
// the caller gave none).
struct RubyRegexError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RubyRegexTranslation {
  std::string re2;            // RE2 syntax, flags included
  std::string pcre;           // PCRE2 syntax, flags included
  bool exact_in_re2 = true;   // re2 alone has the Ruby meaning
};

class RubyRegexTranslator {
 public:
  struct Options {
    bool dot_matches_newline = false;  // Ruby's /m; grok compiles everything with it
    bool plain_groups_capture = true;  // false: (...) becomes (?:...) (grok numbers only stores)
    bool allow_pcre_only = false;      // accept what only the `pcre` twin keeps exactly
  };

  // What a caller may put in a pattern besides regex syntax: grok's %{NAME}.
  class Extensions {
   public:
    virtual ~Extensions() = default;
    // A sub-pattern written inline at text[i]: `open` (a group opening, e.g.
    // "(?:") then `body` translated as regex text, reported as `where`.
    struct Inline {
      size_t length = 0;  // characters of text it replaces
      std::string open;
      std::string body;
      std::string where;
    };
    // False when text[i] starts no inline sub-pattern (it is then a literal).
    // `depth` is how many inline sub-patterns enclose text.
    virtual bool inline_at(std::string_view text, size_t i, const std::string& where, int depth,
                           Inline* out) {
      return false;
    }
    // The RE2 name for a named group of the pattern (default: its own name).
    virtual std::string group_name(std::string_view name) { return std::string(name); }
  };

  explicit RubyRegexTranslator(Options options) : options_(options) {}
  RubyRegexTranslator(Options options, Extensions* extensions)
      : options_(options), extensions_(extensions) {}

  // Throws RubyRegexError; errors from Extensions propagate as thrown.
  RubyRegexTranslation translate(std::string_view pattern, const std::string& where = "");

 private:
  struct Output;
  void translate_into(std::string_view text, const std::string& where, int depth, Output& out);
  Options options_;
  Extensions* extensions_ = nullptr;
};

// Translates and compiles for RE2 (the callers without PCRE2: mutate,
// conditions, kv). nullptr with *error set when the translator refuses the
// pattern or RE2 rejects it; RE2's quote of the whole translated pattern is
// left out, since the caller's message shows the pattern as written.
std::unique_ptr<re2::RE2> compile_ruby_regex(std::string_view pattern, std::string* error,
                                             bool latin1 = false);

}  // namespace logpipe
