#include "filters/grok/grok_diagnosis.h"

#include <cctype>
#include <utility>

namespace logpipe {

namespace {

// Guards descent into recursive definitions (the compiler refuses them too).
constexpr int kMaxDescent = 64;
// The group the prefix regexes are wrapped in, to learn where a match ends.
constexpr std::string_view kPrefixGroup = "grok_diagnosis_prefix";

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Index just past the escape at t[i] == '\\' (\x{..}, \p{..}, \k<..> whole).
size_t skip_escape(std::string_view t, size_t i) {
  if (i + 1 >= t.size()) return t.size();
  char c = t[i + 1];
  if (i + 2 < t.size() && (t[i + 2] == '{' || t[i + 2] == '<') &&
      (c == 'x' || c == 'p' || c == 'P' || c == 'k' || c == 'g')) {
    size_t close = t.find(t[i + 2] == '{' ? '}' : '>', i + 3);
    return close == std::string_view::npos ? t.size() : close + 1;
  }
  return i + 2;
}

// Index just past the character class opened at t[i] == '['.
size_t skip_class(std::string_view t, size_t i) {
  int depth = 0;
  size_t j = i;
  while (j < t.size()) {
    if (t[j] == '\\') {
      j = skip_escape(t, j);
      continue;
    }
    if (t[j] == '[') {
      if (j + 1 < t.size() && t[j + 1] == ':') {
        size_t close = t.find(":]", j + 2);
        if (close != std::string_view::npos) {
          j = close + 2;
          continue;
        }
      }
      ++depth;
      ++j;
      // A ']' first in the class (or after '^') is a literal.
      if (j < t.size() && t[j] == '^') ++j;
      if (j < t.size() && t[j] == ']') ++j;
      continue;
    }
    if (t[j] == ']' && --depth == 0) return j + 1;
    ++j;
  }
  return t.size();
}

// Index just past the group opened at t[i] == '('.
size_t skip_group(std::string_view t, size_t i) {
  int depth = 0;
  size_t j = i;
  while (j < t.size()) {
    char c = t[j];
    if (c == '\\') {
      j = skip_escape(t, j);
    } else if (c == '[') {
      j = skip_class(t, j);
    } else {
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return j + 1;
      ++j;
    }
  }
  return t.size();
}

// Index just past the %{...} at t[i], or i when it is not a reference.
size_t skip_reference(std::string_view t, size_t i) {
  if (i + 2 >= t.size() || t[i] != '%' || t[i + 1] != '{' || !is_name_char(t[i + 2])) return i;
  int braces = 0;
  for (size_t j = i + 1; j < t.size(); ++j) {
    if (t[j] == '\\') {
      ++j;
      continue;
    }
    if (t[j] == '{') ++braces;
    if (t[j] == '}' && --braces == 0) return j + 1;
  }
  return i;
}

// Index just past a quantifier at t[i] (?, *, +, {n}, {n,}, {n,m}, then a
// lazy or possessive mark), or i when there is none.
size_t skip_quantifier(std::string_view t, size_t i) {
  size_t j = i;
  if (j < t.size() && (t[j] == '?' || t[j] == '*' || t[j] == '+')) {
    ++j;
  } else if (j < t.size() && t[j] == '{') {
    size_t k = j + 1;
    while (k < t.size() && (std::isdigit(static_cast<unsigned char>(t[k])) || t[k] == ',')) ++k;
    if (k == j + 1 || k >= t.size() || t[k] != '}') return i;
    j = k + 1;
  } else {
    return i;
  }
  if (j < t.size() && (t[j] == '?' || t[j] == '+')) ++j;
  return j;
}

// (?i), (?m-x): flags that apply to everything after them.
bool is_flag_group(std::string_view text) {
  if (text.size() < 3 || text.substr(0, 2) != "(?" || text.back() != ')') return false;
  for (char c : text.substr(2, text.size() - 3))
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

}  // namespace

std::vector<GrokPart> split_grok_parts(std::string_view t) {
  std::vector<GrokPart> parts;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) parts.push_back({GrokPart::Kind::Literal, std::move(literal)});
    literal.clear();
  };
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    size_t end = i;
    GrokPart::Kind kind = GrokPart::Kind::Group;
    if (c == '%') {
      end = skip_reference(t, i);
      kind = GrokPart::Kind::Reference;
    } else if (c == '(') {
      end = skip_group(t, i);
    } else if (c == '|') {
      return {{GrokPart::Kind::Group, std::string(t)}};
    }
    if (end > i) {
      flush();
      end = skip_quantifier(t, end);
      parts.push_back({kind, std::string(t.substr(i, end - i))});
      i = end;
      continue;
    }
    end = c == '\\' ? skip_escape(t, i) : c == '[' ? skip_class(t, i) : i + 1;
    literal.append(t.substr(i, end - i));
    i = end;
  }
  flush();
  return parts;
}

GrokDiagnoser::GrokDiagnoser(std::shared_ptr<const PatternLibrary> library,
                             bool named_captures_only, std::string expression)
    : library_(std::move(library)),
      named_captures_only_(named_captures_only),
      expression_(std::move(expression)),
      full_(GrokCompiler(*library_, named_captures_only_).compile(expression_)) {}

GrokDiagnoser::GrokDiagnoser(GrokDiagnoser&&) noexcept = default;
GrokDiagnoser::~GrokDiagnoser() = default;

GrokMatcher& GrokDiagnoser::prefix_matcher(const std::vector<GrokPart>& parts, size_t k) {
  std::string regex = "(?<" + std::string(kPrefixGroup) + ">";
  for (size_t i = 0; i < k; ++i) regex += parts[i].text;
  regex += ")";
  auto& slot = prefixes_[regex];
  if (!slot) slot = std::make_unique<GrokMatcher>(GrokCompiler(*library_, true).compile(regex));
  return *slot;
}

bool GrokDiagnoser::prefix_matches(const std::vector<GrokPart>& parts, size_t k,
                                   std::string_view line, size_t* begin, size_t* end) {
  if (k == 0) {
    *begin = *end = 0;  // the empty prefix matches at the line's start
    return true;
  }
  GrokMatcher* m = nullptr;
  try {
    m = &prefix_matcher(parts, k);
  } catch (const GrokCompileError&) {
    // A prefix an engine refuses though the whole expression compiled (a
    // size limit, a backreference cut off): the diagnosis stops before it
    // rather than failing the line.
    return false;
  }
  if (!m->match(line)) return false;
  // The wrapping group opens first, so it is capture 0.
  std::string_view whole = m->groups()[0];
  *begin = static_cast<size_t>(whole.data() - line.data());
  *end = *begin + whole.size();
  return true;
}

std::vector<GrokPart> GrokDiagnoser::expansion(const GrokPart& reference, std::string* name) const {
  if (reference.kind != GrokPart::Kind::Reference) return {};
  std::string_view t = reference.text;
  size_t k = 2;
  while (k < t.size() && is_name_char(t[k])) ++k;
  *name = std::string(t.substr(2, k - 2));
  // A quantified reference or an inline definition is not a plain splice.
  if (t.back() != '}' || t.find('=') != std::string_view::npos) return {};
  const std::string* definition = library_->find(*name);
  if (!definition) return {};
  std::vector<GrokPart> parts = split_grok_parts(*definition);
  // One part is worth entering only when it is itself a reference
  // (COMMONAPACHELOG is %{HTTPD_COMMONLOG}); a lone group cannot be split.
  if (parts.empty() || (parts.size() == 1 && parts[0].kind != GrokPart::Kind::Reference)) return {};
  for (auto& p : parts)
    if (p.kind == GrokPart::Kind::Group && is_flag_group(p.text)) return {};
  return parts;
}

GrokDiagnosis GrokDiagnoser::diagnose(std::string_view line) {
  GrokDiagnosis d;
  if (full_.match(line)) {
    d.matched = true;
    const auto& groups = full_.groups();
    for (size_t i = 0; i < groups.size(); ++i) {
      GrokCaptureSpan span;
      span.field = full_.program().captures[i].field;
      if (groups[i].data()) {
        span.participated = true;
        span.begin = static_cast<size_t>(groups[i].data() - line.data());
        span.end = span.begin + groups[i].size();
      }
      d.captures.push_back(std::move(span));
    }
    return d;
  }
  d.parts = split_grok_parts(expression_);
  size_t lo = 0;  // a prefix known to match (at match_begin .. stop)
  for (int depth = 0;; ++depth) {
    size_t hi = d.parts.size();  // the whole expression, known not to match
    while (hi - lo > 1) {
      size_t mid = lo + (hi - lo) / 2;
      size_t begin = 0, end = 0;
      if (prefix_matches(d.parts, mid, line, &begin, &end)) {
        lo = mid;
        d.match_begin = begin;
        d.stop = end;
      } else {
        hi = mid;
      }
    }
    std::string name;
    std::vector<GrokPart> inner =
        depth < kMaxDescent ? expansion(d.parts[lo], &name) : std::vector<GrokPart>();
    if (inner.empty()) break;
    d.within.push_back(name);
    d.parts.erase(d.parts.begin() + static_cast<std::ptrdiff_t>(lo));
    d.parts.insert(d.parts.begin() + static_cast<std::ptrdiff_t>(lo), inner.begin(), inner.end());
  }
  d.parts_matched = lo;
  return d;
}

std::string GrokDiagnoser::engine_explanation() const {
  if (!full_.pcre_error().empty())
    return "RE2 alone: PCRE2 rejects the expression (" + full_.pcre_error() +
           "), so RE2 decides and extracts the groups; exact, but slower";
  if (!full_.program().exact_in_re2)
    return "PCRE2 judges: the expression has atomic groups, possessive quantifiers or "
           "lookaround guards, which RE2 cannot run; RE2 runs it without them (a superset) "
           "and PCRE2 checks the lines RE2 accepts exactly";
  if (!full_.exact_in_re2())
    return "PCRE2 judges: the expression repeats more than RE2's limit allows, so RE2 runs "
           "it with the counts widened (a superset) and PCRE2 checks the lines RE2 accepts "
           "exactly";
  return "RE2 decides, in linear time (its regex means exactly the expression); PCRE2 (JIT) "
         "extracts the groups, trying the line's start first under a step budget, and RE2 "
         "extracts when that budget runs out";
}

Value diagnosis_value(const GrokDiagnoser& diagnoser, const GrokDiagnosis& d,
                      std::string_view line) {
  Object out;
  out.set("pattern", Value(diagnoser.expression()));
  if (d.matched) {
    Array captures;
    for (auto& c : d.captures) {
      if (!c.participated) continue;
      Object capture;
      capture.set("field", Value(c.field));
      capture.set("value", Value(line.substr(c.begin, c.end - c.begin)));
      capture.set("begin", Value(uint64_t{c.begin}));
      capture.set("end", Value(uint64_t{c.end}));
      captures.push_back(Value(std::move(capture)));
    }
    out.set("captures", Value(std::move(captures)));
    return Value(std::move(out));
  }
  out.set("match_begin", Value(uint64_t{d.match_begin}));
  out.set("stop", Value(uint64_t{d.stop}));
  Array matched;
  for (size_t i = 0; i < d.parts_matched; ++i) matched.push_back(Value(d.parts[i].text));
  out.set("matched_parts", Value(std::move(matched)));
  out.set("failed_part", d.failed_part() ? Value(d.failed_part()->text) : Value());
  Array within;
  for (auto& name : d.within) within.push_back(Value(name));
  out.set("within", Value(std::move(within)));
  return Value(std::move(out));
}

Value grok_report(std::vector<GrokDiagnoser>& diagnosers, std::string_view line) {
  Object out;
  Array failures;
  size_t furthest = 0, furthest_stop = 0;
  for (size_t i = 0; i < diagnosers.size(); ++i) {
    GrokDiagnosis d = diagnosers[i].diagnose(line);
    Value v = diagnosis_value(diagnosers[i], d, line);
    if (d.matched) {
      out.set("matched", Value(true));
      out.set("pattern_index", Value(uint64_t{i}));
      for (auto& [key, value] : v.as_object()) out.set(key, std::move(value));
      return Value(std::move(out));
    }
    if (i == 0 || d.stop > furthest_stop) {
      furthest = i;
      furthest_stop = d.stop;
    }
    failures.push_back(std::move(v));
  }
  out.set("matched", Value(false));
  out.set("furthest", Value(uint64_t{furthest}));
  out.set("failures", Value(std::move(failures)));
  return Value(std::move(out));
}

}  // namespace logpipe
