// GrokDiagnoser: says why a grok expression does not match a line, or what it
// captured when it does (for `logpipe grok` and `logpipe sandbox`).
//
// A non-matching line is explained by how far the expression got. The
// expression is split into its top-level parts (literal runs, %{...}
// references, groups with their quantifiers); any prefix of those parts is
// itself a valid regex, and a line a prefix of k + 1 parts matches is also
// matched by the prefix of k, so the largest matching k is found by binary
// search. Matching is unanchored, as grok's: the prefix may start anywhere.
// Where matching stopped is the end of that prefix's (leftmost) match, and
// the part after it is the one that failed. When the failed part is a
// %{NAME} reference whose definition splits into parts, the search
// descends into it, so %{COMBINEDAPACHELOG} on a line with a bad status
// stops at %{NUMBER:response}, not at the start of the line.
//
// Prefixes run through GrokMatcher, so the engines (RE2, PCRE2 where RE2
// cannot be exact) are the filter's own. Each prefix is compiled once and
// cached: repeated failures of the same shape cost only matching.
//
// Not thread-safe (the cached matchers have scratch memory). Construction
// throws GrokCompileError as GrokCompiler does.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/event/value.h"
#include "filters/grok/grok_compiler.h"
#include "filters/grok/grok_matcher.h"
#include "filters/grok/pattern_library.h"

namespace logpipe {

struct GrokPart {
  enum class Kind { Literal, Reference, Group };
  Kind kind = Kind::Literal;
  std::string text;  // as written, quantifier included: "%{WORD:verb}", " \\[", "(?:x)?"
};

// The top-level parts of an expression. An expression with a top-level `|`
// is one part (a prefix of an alternation is not a prefix of the match).
std::vector<GrokPart> split_grok_parts(std::string_view expression);

struct GrokCaptureSpan {
  std::string field;
  size_t begin = 0, end = 0;  // byte offsets into the line
  bool participated = false;  // false: the group took no part in the match
};

struct GrokDiagnosis {
  bool matched = false;
  std::vector<GrokCaptureSpan> captures;  // when matched
  // When not matched: the parts the search ended with (top-level parts with
  // failed references expanded), how many of them matched from match_begin,
  // and where they stopped. failed is the index of the part that could not
  // match at stop (== parts_matched).
  std::vector<GrokPart> parts;
  size_t parts_matched = 0;
  size_t match_begin = 0;
  size_t stop = 0;
  // The references descended into, outermost first ("COMBINEDAPACHELOG").
  std::vector<std::string> within;
  const GrokPart* failed_part() const {
    return parts_matched < parts.size() ? &parts[parts_matched] : nullptr;
  }
};

class GrokDiagnoser {
 public:
  GrokDiagnoser(std::shared_ptr<const PatternLibrary> library, bool named_captures_only,
                std::string expression);
  GrokDiagnoser(GrokDiagnoser&&) noexcept;
  ~GrokDiagnoser();

  GrokDiagnosis diagnose(std::string_view line);

  const std::string& expression() const { return expression_; }
  const GrokProgram& program() const { return full_.program(); }
  // Which engine decides and which extracts, and why (for --explain).
  std::string engine_explanation() const;

 private:
  GrokMatcher& prefix_matcher(const std::vector<GrokPart>& parts, size_t k);
  bool prefix_matches(const std::vector<GrokPart>& parts, size_t k, std::string_view line,
                      size_t* begin, size_t* end);
  // The parts of a reference's definition, or empty when it should not be
  // descended into (undefined, one group, or flags that would leak).
  std::vector<GrokPart> expansion(const GrokPart& reference, std::string* name) const;

  std::shared_ptr<const PatternLibrary> library_;
  bool named_captures_only_;
  std::string expression_;
  GrokMatcher full_;
  std::unordered_map<std::string, std::unique_ptr<GrokMatcher>> prefixes_;
};

// What a `match => [...]` list of expressions makes of one line, as a Value
// for printing or JSON: the first that matches, as the filter tries them
//   {"matched": true, "pattern_index": i, "pattern": "...",
//    "captures": [{"field", "value", "begin", "end"}]}   (absent groups left out)
// or, when none does, each one's diagnosis, and which got furthest:
//   {"matched": false, "furthest": i, "failures": [{"pattern", "match_begin",
//    "stop", "matched_parts": [...], "failed_part", "within": [...]}]}
Value grok_report(std::vector<GrokDiagnoser>& diagnosers, std::string_view line);
Value diagnosis_value(const GrokDiagnoser& diagnoser, const GrokDiagnosis& d,
                      std::string_view line);

}  // namespace logpipe
