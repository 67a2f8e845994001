// GrokMatcher: runs one compiled grok expression over text, fast and in
// linear time.
//
// Two engines run the same translated regex with the same leftmost-first
// semantics: RE2 (linear time, slow to extract submatches) and PCRE2's JIT
// (fast extraction, exponential on near-misses). By default PCRE2 first tries
// a match anchored at the line's start, under a small step budget (its match
// limit): such a match is the leftmost one, the one RE2 would find, with its
// groups. Every other line is decided by RE2's DFA; only lines RE2 accepts
// are searched by PCRE2 (budgeted again), and when PCRE2 gives up RE2
// extracts the groups itself. A line thus costs at most two budgets plus
// RE2's linear scans. With decide_with_re2_first, RE2's DFA answers first on
// every line and PCRE2 only extracts (slower on clean input, same results).
//
// Expressions with atomic groups or lookaround guards (GrokProgram::
// exact_in_re2 false) run in RE2 without them, a superset; PCRE2, which keeps
// them, is then the exact judge, and RE2's superset answer is used only when
// PCRE2's budget runs out. The same holds for counted repetitions beyond
// RE2's limit, which RE2 runs widened.
//
// A matcher owns its RE2 and PCRE2 objects and scratch memory: one per filter
// worker, never shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "filters/grok/grok_compiler.h"

struct pcre2_real_code_8;
typedef struct pcre2_real_code_8 pcre2_code_8;

namespace logpipe {

class GrokMatcher {
 public:
  // Throws GrokCompileError when RE2 rejects the translated regex.
  explicit GrokMatcher(GrokProgram program, bool decide_with_re2_first = false);
  GrokMatcher(GrokMatcher&&) noexcept;
  GrokMatcher& operator=(GrokMatcher&&) noexcept;
  ~GrokMatcher();

  // True when the expression matches somewhere in text. Then groups()[i] is
  // capture i's text (a view into `text`), data() == nullptr when the group
  // did not take part in the match.
  bool match(std::string_view text);
  const std::vector<std::string_view>& groups() const { return groups_; }
  const GrokProgram& program() const { return program_; }
  // Substrings every match contains (at most four, none with a letter):
  // a line without one is rejected before any regex runs.
  const std::vector<std::string>& required_substrings() const { return required_; }

  // How the groups of matched lines were extracted (for tests and benchmarks).
  struct Stats {
    uint64_t pcre = 0;      // by PCRE2
    uint64_t fallback = 0;  // by RE2
    uint64_t prefiltered = 0;  // lines rejected for a missing required substring
  };
  const Stats& stats() const { return stats_; }

  // Why PCRE2 rejected the expression (most often its 64 KB limit on compiled
  // size); empty when it accepted it. Without PCRE2, RE2 extracts the groups
  // of every matched line, tens of times slower.
  const std::string& pcre_error() const { return pcre_error_; }
  // False when RE2 runs a superset (guards dropped, or counted repetitions
  // over its limit widened) and PCRE2 is the exact judge.
  bool exact_in_re2() const { return exact_; }

 private:
  struct Engines;
  bool match_pcre_first(std::string_view text);
  bool match_re2_first(std::string_view text);
  int run_pcre(pcre2_code_8* code, bool jit, std::string_view text);
  bool extract_with_re2(std::string_view text);

  GrokProgram program_;
  std::unique_ptr<Engines> engines_;
  std::vector<std::string_view> groups_;
  Stats stats_;
  std::string pcre_error_;
  std::vector<std::string> required_;
  bool exact_;         // RE2 alone has the expression's meaning
  bool decide_first_;  // RE2 answers before PCRE2 on every line
};

}  // namespace logpipe
