// RubyGsub: String#gsub as mutate's gsub option runs it, over a regex from
// engine/text/ruby_regex.h: every non-overlapping match left to right, an empty
// match copying one character on, and Ruby's replacement escapes.
// A GsubReplacement is parsed once per option and then read-only; ruby_gsub
// uses only the caller's scratch memory. Thread-compatible.
#pragma once

#include <re2/re2.h>

#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

// A Ruby gsub replacement string, parsed: \0-\9 and \& (groups), \k<name>,
// \` (before the match), \' (after it), \+ (last group that matched), \\.
struct GsubReplacement {
  struct Part {
    enum Kind { Literal, Group, Named, Before, After, LastGroup } kind = Literal;
    std::string text;  // Literal text, or the group name for Named
    int group = 0;
  };
  std::vector<Part> parts;
  int submatches = 1;  // how many RE2 submatches append() reads

  void parse(std::string_view replacement);
  // Turns \k<name> into group numbers and sizes the submatch array. False
  // (with the name in *missing) for a name the regex does not define, which
  // Ruby raises on.
  bool bind(const re2::RE2& re, std::string* missing);
  // Appends the replacement for match m (m[0] the whole match) in text.
  void append(std::string& out, std::string_view text, const re2::StringPiece* m) const;
};

// Ruby's String#gsub: every non-overlapping match, scanning left to right; an
// empty match copies one character and moves on. Returns false when nothing
// matched (s untouched); else s holds the result and `scratch` its old buffer.
bool ruby_gsub(std::string& s, const re2::RE2& re, const GsubReplacement& rep,
               std::vector<re2::StringPiece>& m, std::string& scratch);

}  // namespace logpipe
