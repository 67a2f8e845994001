#include "filters/grok/grok_matcher.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace logpipe {

namespace {

// RE2 caps counted repetition (1000 copies, nesting multiplied). A regex
// over the cap runs in RE2 with every {n,m} widened to * or + (a superset);
// PCRE2, which keeps the counts, then decides among the lines RE2 accepted.
std::string widen_repetitions(const std::string& re) {
  std::string out;
  out.reserve(re.size());
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      size_t end = i + 1;
      char d = re[i + 1];
      if ((d == 'x' || d == 'p' || d == 'P') && i + 2 < re.size() && re[i + 2] == '{')
        end = re.find('}', i);
      if (end == std::string::npos) end = re.size() - 1;
      out.append(re, i, end - i + 1);
      i = end;
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < re.size() && re[j] == '^') ++j;
      if (j < re.size() && re[j] == ']') ++j;
      while (j < re.size() && re[j] != ']') {
        if (re[j] == '\\') ++j;
        else if (re[j] == '[' && j + 1 < re.size() && re[j + 1] == ':') j = re.find(":]", j) + 1;
        ++j;
      }
      out.append(re, i, j - i + 1);
      i = j;
    } else if (c == '{') {
      size_t j = i + 1;
      size_t min_digits = 0;
      while (j < re.size() && std::isdigit(static_cast<unsigned char>(re[j]))) ++j, ++min_digits;
      while (j < re.size() && (re[j] == ',' || std::isdigit(static_cast<unsigned char>(re[j])))) ++j;
      if (min_digits > 0 && j < re.size() && re[j] == '}') {
        bool zero = re.find_first_not_of('0', i + 1) >= i + 1 + min_digits;
        out += zero ? "*" : "+";
        i = j;
      } else {
        out += c;
      }
    } else {
      out += c;
    }
  }
  return out;
}

// Backtracking steps PCRE2 may spend on one line before RE2 takes over: a
// well-formed line needs a few hundred; a near-miss may need millions.
constexpr uint32_t kPcreMatchLimit = 10000;
constexpr int64_t kRe2MaxMem = 64 << 20;

// The substrings every match must contain, found by RE2's prefilter
// analysis of the translated regex (a superset's needs hold for the exact
// expression too). Only ASCII strings without letters are kept: RE2
// lowercases its atoms and folds case under (?i) (also beyond ASCII), and a
// string that no folding touches is searched as it is. A line missing one
// cannot match and is rejected before any regex runs.
std::vector<std::string> find_required_substrings(const std::string& regex, const RE2::Options& options) {
  re2::FilteredRE2 filter(2);
  int id = 0;
  if (filter.Add(regex, options, &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  std::vector<std::string> required;
  std::vector<int> present, potential;
  for (size_t i = 0; i < atoms.size(); ++i) {
    if (std::any_of(atoms[i].begin(), atoms[i].end(), [](char c) {
          auto u = static_cast<unsigned char>(c);
          return u >= 0x80 || std::isalpha(u);
        }))
      continue;
    // Required when every other atom present still leaves no potential match.
    present.clear();
    for (size_t j = 0; j < atoms.size(); ++j)
      if (j != i) present.push_back(static_cast<int>(j));
    potential.clear();
    filter.AllPotentials(present, &potential);
    if (potential.empty()) required.push_back(atoms[i]);
  }
  // Longest first: the rarest, most often the first to be missing.
  std::stable_sort(required.begin(), required.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  if (required.size() > 4) required.resize(4);
  return required;
}

}  // namespace

struct GrokMatcher::Engines {
  std::unique_ptr<RE2> re2;
  std::vector<re2::StringPiece> pieces;  // RE2 fallback scratch: whole match + groups
  pcre2_code* pcre = nullptr;
  pcre2_code* pcre_at_start = nullptr;  // the same, anchored at the line's start
  bool jit_at_start = false;
  pcre2_match_data* match_data = nullptr;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  bool jit = false;

  ~Engines() {
    if (match_data) pcre2_match_data_free(match_data);
    if (match_context) pcre2_match_context_free(match_context);
    if (jit_stack) pcre2_jit_stack_free(jit_stack);
    if (pcre) pcre2_code_free(pcre);
    if (pcre_at_start) pcre2_code_free(pcre_at_start);
  }
};

GrokMatcher::GrokMatcher(GrokProgram program, bool decide_with_re2_first)
    : program_(std::move(program)),
      engines_(std::make_unique<Engines>()),
      exact_(program_.exact_in_re2),
      decide_first_(decide_with_re2_first) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRe2MaxMem);
  engines_->re2 = std::make_unique<RE2>(program_.re2, options);
  if (!engines_->re2->ok() && (engines_->re2->error_code() == RE2::ErrorRepeatSize ||
                               engines_->re2->error_code() == RE2::ErrorPatternTooLarge)) {
    engines_->re2 = std::make_unique<RE2>(widen_repetitions(program_.re2), options);
    exact_ = false;
  }
  if (!engines_->re2->ok())
    throw GrokCompileError("RE2 rejects the translated expression " + program_.expression + ": " +
                           engines_->re2->error());
  required_ = find_required_substrings(engines_->re2->pattern(), options);
  size_t groups = program_.captures.size();
  groups_.resize(groups);
  engines_->pieces.resize(groups + 1);

  uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_CIRCUMFLEX;
  int error = 0;
  PCRE2_SIZE offset = 0;
  engines_->pcre = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(program_.pcre.data()),
                                 program_.pcre.size(), flags, &error, &offset, nullptr);
  if (!engines_->pcre) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    pcre_error_ = reinterpret_cast<const char*>(message);
    if (!exact_)
      throw GrokCompileError("PCRE2 rejects the translated expression " + program_.expression +
                             " (" + pcre_error_ +
                             "), so its guards or counted repetitions cannot be checked exactly");
    return;  // RE2 alone extracts: exact, only slower
  }
  engines_->jit = pcre2_jit_compile(engines_->pcre, PCRE2_JIT_COMPLETE) == 0;
  engines_->pcre_at_start =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(program_.pcre.data()), program_.pcre.size(),
                    flags | PCRE2_ANCHORED, &error, &offset, nullptr);
  if (engines_->pcre_at_start)
    engines_->jit_at_start = pcre2_jit_compile(engines_->pcre_at_start, PCRE2_JIT_COMPLETE) == 0;
  engines_->match_data = pcre2_match_data_create_from_pattern(engines_->pcre, nullptr);
  engines_->match_context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(engines_->match_context, kPcreMatchLimit);
  if (engines_->jit) {
    engines_->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
    if (engines_->jit_stack)
      pcre2_jit_stack_assign(engines_->match_context, nullptr, engines_->jit_stack);
  }
}

GrokMatcher::GrokMatcher(GrokMatcher&&) noexcept = default;
GrokMatcher& GrokMatcher::operator=(GrokMatcher&&) noexcept = default;
GrokMatcher::~GrokMatcher() = default;

bool GrokMatcher::match(std::string_view text) {
  for (const std::string& r : required_)
    if (text.find(r) == std::string_view::npos) {
      ++stats_.prefiltered;
      return false;
    }
  return decide_first_ ? match_re2_first(text) : match_pcre_first(text);
}

// Most grok lines match from their first byte, and a match that starts there
// is the leftmost one: PCRE2 tries that first, anchored (cheap when it fails).
// Any other line goes to RE2's DFA, and only a line RE2 accepts is searched
// by PCRE2 unanchored, so near-misses never meet a backtracking search.
bool GrokMatcher::match_pcre_first(std::string_view text) {
  Engines& e = *engines_;
  if (e.pcre_at_start && run_pcre(e.pcre_at_start, e.jit_at_start, text) >= 0) return true;
  re2::StringPiece input(text.data(), text.size());
  if (!e.re2->Match(input, 0, text.size(), RE2::UNANCHORED, nullptr, 0)) return false;
  int rc = e.pcre ? run_pcre(e.pcre, e.jit, text) : PCRE2_ERROR_NULL;
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH && !exact_) return false;  // PCRE2 keeps the guards
  ++stats_.fallback;
  return extract_with_re2(text);
}

// RE2 first, with its forward DFA only (no submatches, no match start).
bool GrokMatcher::match_re2_first(std::string_view text) {
  Engines& e = *engines_;
  re2::StringPiece input(text.data(), text.size());
  if (!e.re2->Match(input, 0, text.size(), RE2::UNANCHORED, nullptr, 0)) return false;
  int rc = e.pcre ? run_pcre(e.pcre, e.jit, text) : PCRE2_ERROR_NULL;
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH && !exact_) return false;
  ++stats_.fallback;
  return extract_with_re2(text);
}

// Returns PCRE2's result; on a match, fills groups_.
int GrokMatcher::run_pcre(pcre2_code_8* code, bool jit, std::string_view text) {
  Engines& e = *engines_;
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  int rc = jit ? pcre2_jit_match(code, subject, text.size(), 0, 0, e.match_data, e.match_context)
               : pcre2_match(code, subject, text.size(), 0, 0, e.match_data, e.match_context);
  if (rc < 0) return rc;
  PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(e.match_data);
  for (size_t i = 0; i < groups_.size(); ++i) {
    size_t pair = i + 1;
    if (pair < static_cast<size_t>(rc) && ovector[2 * pair] != PCRE2_UNSET)
      groups_[i] = text.substr(ovector[2 * pair], ovector[2 * pair + 1] - ovector[2 * pair]);
    else
      groups_[i] = std::string_view();
  }
  ++stats_.pcre;
  return rc;
}

bool GrokMatcher::extract_with_re2(std::string_view text) {
  Engines& e = *engines_;
  re2::StringPiece input(text.data(), text.size());
  if (!e.re2->Match(input, 0, text.size(), RE2::UNANCHORED, e.pieces.data(),
                    static_cast<int>(e.pieces.size())))
    return false;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const re2::StringPiece& piece = e.pieces[i + 1];
    groups_[i] = piece.data() ? std::string_view(piece.data(), piece.size()) : std::string_view();
  }
  return true;
}

}  // namespace logpipe
