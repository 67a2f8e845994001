// GrokCompiler: turns a grok expression into one RE2 regex plus a table of
// what each capture group stores.
//
// Expansion follows jls-grok: %{NAME} (a group, captured as NAME only when
// named_captures_only is off), %{NAME:field}, %{NAME:field:int|float},
// %{NAME=regex} (defines NAME inline); text after the name up to `}` that is
// not `:...` or `=...` is ignored. Raw (?<name>...) groups always capture;
// plain (...) groups never store anything and become non-capturing.
//
// Definitions are written for Oniguruma (Ruby syntax); engine/text/ruby_regex.h
// translates them, as for every other regex in a config, with grok's
// always-dot-all and plain groups made non-capturing. Two regexes come out:
//  - `re2`: what RE2 runs. Atomic groups and possessive quantifiers become
//    plain groups and single-character lookaround guards are dropped, so its
//    language is a superset of the Oniguruma one (exactly equal when the
//    expression has none of these: `exact_in_re2`).
//  - `pcre`: the same expression keeping those constructs, for the PCRE2
//    extractor, which restores the exact meaning on the lines RE2 accepted.
// What the translator refuses, compile() throws as GrokCompileError naming
// the pattern, the construct and why.
//
// Not thread-safe; a compiler is used while building one filter.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "filters/grok/pattern_library.h"

namespace logpipe {

struct GrokCompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A %{NAME} that no loaded pattern file or definition defines.
struct GrokUndefinedPattern : GrokCompileError {
  using GrokCompileError::GrokCompileError;
};

enum class GrokCoercion { None, Int, Float };

struct GrokCapture {
  std::string field;  // as written in the expression: "foo", "[source][port]"
  GrokCoercion coercion = GrokCoercion::None;
};

struct GrokProgram {
  std::string expression;            // as written
  std::string re2;                   // RE2 syntax, flags included
  std::string pcre;                  // PCRE2 syntax, flags included
  bool exact_in_re2 = true;          // re2 alone has the Oniguruma meaning
  std::vector<GrokCapture> captures; // captures[i] is capture group i + 1
};

class GrokCompiler {
 public:
  GrokCompiler(const PatternLibrary& library, bool named_captures_only)
      : library_(library), named_captures_only_(named_captures_only) {}

  GrokProgram compile(std::string_view expression);

 private:
  const PatternLibrary& library_;
  bool named_captures_only_;
};

}  // namespace logpipe
