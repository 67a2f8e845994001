// parse_prometheus_text: a strict parser and validator of the Prometheus text
// exposition format, version 0.0.4, for tests that check logpipe's
// `GET /metrics` output. Written from the format's specification
// (https://prometheus.io/docs/instrumenting/exposition_formats/) and the
// Prometheus data model (metric and label name grammar).
//
// It returns the families in the order they appear, and throws
// std::runtime_error("line N: why") on the first violation. What it checks:
//
//  * The text: UTF-8; lines end with \n, so a non-empty text ends with one;
//    no \r\n line endings. Leading and trailing blanks and tabs of a line are
//    ignored, empty (or blank) lines are skipped, tokens are separated by
//    blanks and tabs.
//  * Comments: a line whose first non-blank character is `#`. `# HELP name
//    docstring` (docstring escapes \\ and \n only) and `# TYPE name type`
//    (exactly two tokens; counter, gauge, histogram, summary or untyped) are
//    read; other comments are ignored. `#HELP` / `#TYPE` without a blank are
//    rejected: parsers disagree on whether they are metadata.
//  * Samples: metric_name [ "{" label "=" "\"" value "\"" { "," ... } [ "," ]
//    "}" ] value [ timestamp ]. Metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label
//    names [a-zA-Z_][a-zA-Z0-9_]* without the reserved `__` prefix, no label
//    twice, at least one label inside braces (the 0.0.4 grammar), label value
//    escapes \\ \" \n only. Values are decimal floats ([+-], digits, point,
//    exponent), `+Inf`, `-Inf` or `NaN` spelled exactly so (no hex floats,
//    no `inf`/`nan`), finite unless spelled as infinity; timestamps are
//    base-10 int64 (milliseconds).
//  * Families: at most one HELP and one TYPE per family, both before its first
//    sample; a family's samples follow its HELP/TYPE contiguously; a sample
//    after a HELP/TYPE must belong to that family; a sample that does not
//    belong to the family in progress starts an untyped family of its own
//    name; a family name (or one of its sample names) never reappears later.
//    A family's sample names: counter, gauge, untyped: the family name;
//    histogram: name_bucket, name_sum, name_count; summary: name, name_sum,
//    name_count.
//  * No duplicate sample: the same name and the same label set (label order
//    does not matter, and a label with an empty value is the same as no label,
//    as in the data model).
//  * Counter: every value >= 0 (not NaN); a _total suffix is neither required
//    nor forbidden.
//  * Histogram: name_bucket carries `le` (a float, not NaN); name_sum and
//    name_count do not. Per label set (the labels other than `le`): no two
//    buckets with the same bound, bucket counts >= 0 and non-decreasing in
//    increasing `le` order (whatever order they are written in), a `+Inf`
//    bucket equal to name_count, and both name_sum and name_count present.
//  * Summary: the samples named like the family carry `quantile`, a float in
//    [0, 1] (no two equal per label set); name_sum and name_count do not;
//    name_count >= 0; name_sum and name_count present per label set (the
//    labels other than `quantile`).
//
// Errors about a whole histogram or summary series are reported on a line of
// that series: a decreasing bucket on its own line, a +Inf bucket differing
// from name_count on the name_count line, a missing +Inf bucket, name_sum or
// name_count on the series' first line.
//
// Header-only, test-only.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "engine/text/utf8.h"

namespace logpipe::testing {

struct PromSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // as written, values unescaped
  double value = 0;
  std::optional<int64_t> timestamp_ms;
};

struct PromFamily {
  std::string name, help, type;  // type "untyped" when no TYPE line declares it
  std::vector<PromSample> samples;
};

namespace prom_text_detail {

[[noreturn]] inline void fail(size_t line, const std::string& why) {
  throw std::runtime_error("line " + std::to_string(line) + ": " + why);
}

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
inline bool is_alpha_(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_metric_char(char c) { return is_alpha_(c) || is_digit(c) || c == ':'; }
inline bool is_label_char(char c) { return is_alpha_(c) || is_digit(c); }

inline bool valid_metric_name(std::string_view s) {
  if (s.empty() || !(is_alpha_(s[0]) || s[0] == ':')) return false;
  for (char c : s)
    if (!is_metric_char(c)) return false;
  return true;
}

inline bool valid_label_name(std::string_view s) {
  if (s.empty() || !is_alpha_(s[0])) return false;
  for (char c : s)
    if (!is_label_char(c)) return false;
  return true;
}

inline std::string single_quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// A float as the spec allows it: a decimal number, +Inf, -Inf or NaN.
inline std::optional<double> parse_float(std::string_view s) {
  if (s == "+Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  size_t start = i, int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data() + start, s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error (it would not round-trip); underflow reads as 0.
    std::string digits(s.substr(start));
    double probe = std::strtod(digits.c_str(), nullptr);
    if (std::isinf(probe)) return std::nullopt;
    v = probe;
  } else if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return negative ? -v : v;
}

inline std::optional<int64_t> parse_int64(std::string_view s) {
  if (!s.empty() && s[0] == '+') {  // from_chars takes '-' but not '+'
    s.remove_prefix(1);
    if (s.empty() || !is_digit(s[0])) return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

inline std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// The identity of a label set: sorted by name, labels with an empty value
// dropped (the data model treats them as absent), `skip` left out.
inline std::string label_set_key(const std::vector<std::pair<std::string, std::string>>& labels,
                                 std::string_view skip = {}) {
  std::map<std::string_view, std::string_view> sorted;
  for (const auto& [name, value] : labels)
    if (!value.empty() && name != skip) sorted.emplace(name, value);
  std::string key;
  for (const auto& [name, value] : sorted) {
    key += name;
    key += '=';
    key += std::to_string(value.size());
    key += ':';
    key += value;
    key += ',';
  }
  return key;
}

inline std::string describe_labels(const std::vector<std::pair<std::string, std::string>>& labels,
                                   std::string_view skip) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (name == skip || value.empty()) continue;
    out += out.empty() ? "{" : ",";
    out += name + "=\"" + value + "\"";
  }
  return out.empty() ? "{}" : out + "}";
}

inline const std::string* find_label(const PromSample& s, std::string_view name) {
  for (const auto& [n, v] : s.labels)
    if (n == name) return &v;
  return nullptr;
}

// Reads one sample line (already trimmed of leading and trailing blanks).
inline PromSample parse_sample_line(std::string_view l, size_t line) {
  PromSample s;
  size_t i = 0;
  auto skip_blanks = [&] {
    while (i < l.size() && is_blank(l[i])) ++i;
  };
  if (!(is_alpha_(l[0]) || l[0] == ':'))
    fail(line, "a sample must start with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), not " +
                   single_quoted(l.substr(0, 1)));
  while (i < l.size() && is_metric_char(l[i])) ++i;
  s.name = std::string(l.substr(0, i));
  if (i < l.size() && !is_blank(l[i]) && l[i] != '{')
    fail(line, "invalid character " + single_quoted(l.substr(i, 1)) + " in metric name " + single_quoted(s.name) +
                   " (metric names match [a-zA-Z_:][a-zA-Z0-9_:]*)");
  skip_blanks();
  if (i < l.size() && l[i] == '{') {
    ++i;
    skip_blanks();
    if (i < l.size() && l[i] == '}')
      fail(line, "empty label set {} (the 0.0.4 grammar wants at least one label inside braces)");
    std::set<std::string> names;
    for (;;) {
      skip_blanks();
      size_t start = i;
      while (i < l.size() && is_label_char(l[i])) ++i;
      std::string name(l.substr(start, i - start));
      if (name.empty())
        fail(line, "expected a label name, found " +
                       (i < l.size() ? single_quoted(l.substr(i, 1)) : std::string("the end of the line")));
      if (!valid_label_name(name))
        fail(line, "invalid label name " + single_quoted(name) + " (label names match [a-zA-Z_][a-zA-Z0-9_]*)");
      if (name.size() >= 2 && name[0] == '_' && name[1] == '_')
        fail(line, "label name " + single_quoted(name) + " starts with __, which is reserved");
      if (!names.insert(name).second) fail(line, "label " + single_quoted(name) + " appears twice");
      skip_blanks();
      if (i >= l.size() || l[i] != '=')
        fail(line, "expected '=' after label name " + single_quoted(name) +
                       (i < l.size() ? ", found " + single_quoted(l.substr(i, 1)) : std::string()));
      ++i;
      skip_blanks();
      if (i >= l.size() || l[i] != '"') fail(line, "the value of label " + single_quoted(name) + " must be in double quotes");
      ++i;
      std::string value;
      bool closed = false;
      while (i < l.size()) {
        char c = l[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value += c;
          continue;
        }
        if (i >= l.size()) break;
        char e = l[i++];
        if (e == '\\') value += '\\';
        else if (e == '"') value += '"';
        else if (e == 'n') value += '\n';
        else
          fail(line, "invalid escape \\" + std::string(1, e) + " in the value of label " + single_quoted(name) +
                         " (only \\\\, \\\" and \\n are allowed)");
      }
      if (!closed) fail(line, "unterminated value of label " + single_quoted(name));
      s.labels.emplace_back(std::move(name), std::move(value));
      skip_blanks();
      if (i < l.size() && l[i] == ',') {
        ++i;
        skip_blanks();
        if (i < l.size() && l[i] == '}') {  // a trailing comma is allowed
          ++i;
          break;
        }
        continue;
      }
      if (i < l.size() && l[i] == '}') {
        ++i;
        break;
      }
      fail(line, "expected ',' or '}' after the value of label " + single_quoted(s.labels.back().first));
    }
    skip_blanks();
  }
  if (i >= l.size()) fail(line, "sample " + single_quoted(s.name) + " has no value");
  size_t start = i;
  while (i < l.size() && !is_blank(l[i])) ++i;
  std::string_view value_token = l.substr(start, i - start);
  auto value = parse_float(value_token);
  if (!value)
    fail(line, "invalid sample value " + single_quoted(value_token) +
                   " (a decimal float, +Inf, -Inf or NaN; finite unless infinite by spelling)");
  s.value = *value;
  skip_blanks();
  if (i < l.size()) {
    start = i;
    while (i < l.size() && !is_blank(l[i])) ++i;
    std::string_view ts_token = l.substr(start, i - start);
    auto ts = parse_int64(ts_token);
    if (!ts) fail(line, "invalid timestamp " + single_quoted(ts_token) + " (a base-10 int64, milliseconds)");
    s.timestamp_ms = *ts;
    skip_blanks();
    if (i < l.size()) fail(line, "unexpected " + single_quoted(l.substr(i)) + " after the timestamp");
  }
  return s;
}

inline std::string unescape_help(std::string_view doc, size_t line) {
  std::string out;
  for (size_t i = 0; i < doc.size(); ++i) {
    if (doc[i] != '\\') {
      out += doc[i];
      continue;
    }
    if (i + 1 >= doc.size()) fail(line, "HELP text ends with a lone backslash (write \\\\)");
    char e = doc[++i];
    if (e == '\\') out += '\\';
    else if (e == 'n') out += '\n';
    else
      fail(line, "invalid escape \\" + std::string(1, e) + " in HELP text (only \\\\ and \\n are allowed)");
  }
  return out;
}

class Parser {
 public:
  std::vector<PromFamily> run(std::string_view text) {
    if (!text.empty() && text.back() != '\n') {
      size_t lines = 1;
      for (char c : text) lines += c == '\n';
      fail(lines, "the text must end with a line feed");
    }
    size_t line = 0, pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view raw = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line;
      check_utf8(raw, line);
      if (!raw.empty() && raw.back() == '\r') fail(line, "\\r\\n line ending (lines end with \\n alone)");
      size_t b = 0, e = raw.size();
      while (b < e && is_blank(raw[b])) ++b;
      while (e > b && is_blank(raw[e - 1])) --e;
      std::string_view l = raw.substr(b, e - b);
      if (l.empty()) continue;
      if (l[0] == '#') comment(l, line);
      else sample(parse_sample_line(l, line), line);
    }
    finish();
    return std::move(out_);
  }

 private:
  struct Building {
    PromFamily family;
    size_t first_line = 0;
    bool declared = false;  // by HELP or TYPE, as opposed to by its first sample
    size_t help_line = 0, type_line = 0;
    std::vector<size_t> lines;  // of each sample
  };

  static void check_utf8(std::string_view raw, size_t line) {
    auto p = reinterpret_cast<const unsigned char*>(raw.data());
    auto end = p + raw.size();
    while (p < end) {
      size_t n = utf8_sequence_length(p, end);
      if (n == 0) fail(line, "invalid UTF-8");
      p += n;
    }
  }

  void comment(std::string_view l, size_t line) {
    size_t i = 1;
    auto token = [&] {
      while (i < l.size() && is_blank(l[i])) ++i;
      size_t start = i;
      while (i < l.size() && !is_blank(l[i])) ++i;
      return l.substr(start, i - start);
    };
    std::string_view glued = l.substr(1, 4);
    if ((glued == "HELP" || glued == "TYPE") && (l.size() == 5 || is_blank(l[5])))
      fail(line, "'#" + std::string(glued) + "' needs a blank after '#' (write '# " + std::string(glued) + "')");
    if (l.size() > 1 && !is_blank(l[1])) return;  // "#foo": a plain comment
    std::string_view keyword = token();
    if (keyword != "HELP" && keyword != "TYPE") return;  // a plain comment
    std::string_view name = token();
    if (name.empty()) fail(line, std::string(keyword) + " without a metric name");
    if (!valid_metric_name(name))
      fail(line, "invalid metric name " + single_quoted(name) + " in " + std::string(keyword) +
                     " (metric names match [a-zA-Z_:][a-zA-Z0-9_:]*)");
    Building& fam = declare(std::string(name), line);
    if (keyword == "HELP") {
      if (fam.help_line) fail(line, "a second HELP for " + single_quoted(name) + " (first at line " + std::to_string(fam.help_line) + ")");
      while (i < l.size() && is_blank(l[i])) ++i;
      fam.family.help = unescape_help(l.substr(i), line);
      fam.help_line = line;
      return;
    }
    std::string_view type = token();
    if (type.empty()) fail(line, "TYPE " + std::string(name) + " without a type");
    if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped")
      fail(line, "unknown metric type " + single_quoted(type) + " (counter, gauge, histogram, summary or untyped)");
    std::string_view extra = token();
    if (!extra.empty()) fail(line, "TYPE takes exactly a metric name and a type; unexpected " + single_quoted(extra));
    if (fam.type_line) fail(line, "a second TYPE for " + single_quoted(name) + " (first at line " + std::to_string(fam.type_line) + ")");
    fam.family.type = std::string(type);
    fam.type_line = line;
  }

  // The family a HELP or TYPE line for `name` describes.
  Building& declare(const std::string& name, size_t line) {
    if (cur_ && cur_->family.name == name) {
      if (!cur_->lines.empty())
        fail(line, "HELP/TYPE for " + single_quoted(name) + " after its first sample (line " +
                       std::to_string(cur_->lines.front()) + "); they must come before the samples");
      return *cur_;
    }
    start(name, line, true);
    return *cur_;
  }

  void start(const std::string& name, size_t line, bool declared) {
    finish();
    if (auto it = family_lines_.find(name); it != family_lines_.end())
      fail(line, "family " + single_quoted(name) + " appears again (first at line " + std::to_string(it->second) +
                     "); a family's lines must be contiguous");
    if (auto it = sample_owner_.find(name); it != sample_owner_.end())
      fail(line, "family name " + single_quoted(name) + " is already a sample name of family " + single_quoted(it->second));
    family_lines_.emplace(name, line);
    cur_.emplace();
    cur_->family.name = name;
    cur_->family.type = "untyped";
    cur_->first_line = line;
    cur_->declared = declared;
  }

  static bool belongs(const PromFamily& f, const std::string& sample) {
    const std::string& n = f.name;
    if (f.type == "histogram") return sample == n + "_bucket" || sample == n + "_sum" || sample == n + "_count";
    if (f.type == "summary") return sample == n || sample == n + "_sum" || sample == n + "_count";
    return sample == n;
  }

  static std::string expected_names(const PromFamily& f) {
    const std::string& n = f.name;
    if (f.type == "histogram") return n + "_bucket, " + n + "_sum or " + n + "_count";
    if (f.type == "summary") return n + ", " + n + "_sum or " + n + "_count";
    return n;
  }

  void sample(PromSample s, size_t line) {
    if (!cur_ || !belongs(cur_->family, s.name)) {
      if (cur_ && cur_->declared && cur_->lines.empty())
        fail(line, "sample " + single_quoted(s.name) + " does not belong to " + cur_->family.type + " family " +
                       single_quoted(cur_->family.name) + " declared just before (expected " +
                       expected_names(cur_->family) + ")");
      if (cur_ && cur_->family.name == s.name)
        fail(line, "sample " + single_quoted(s.name) + " is not a sample of " + cur_->family.type + " family " +
                       single_quoted(s.name) + " (expected " + expected_names(cur_->family) + ")");
      start(s.name, line, false);
    }
    Building& fam = *cur_;
    const std::string& family = fam.family.name;
    if (s.name != family) {
      if (auto it = family_lines_.find(s.name); it != family_lines_.end())
        fail(line, "sample name " + single_quoted(s.name) + " of family " + single_quoted(family) +
                       " is the name of another family (line " + std::to_string(it->second) + ")");
    }
    sample_owner_.emplace(s.name, family);
    if (auto [it, fresh] = series_.emplace(s.name + '\0' + label_set_key(s.labels), line); !fresh)
      fail(line, "duplicate sample " + single_quoted(s.name) + describe_labels(s.labels, {}) + " (first at line " +
                     std::to_string(it->second) + ")");
    const std::string& type = fam.family.type;
    if (type == "counter" && !(s.value >= 0))
      fail(line, "counter " + single_quoted(s.name) + " has the value " + format_number(s.value) + "; counters are >= 0");
    if (type == "histogram") check_histogram_sample(fam.family, s, line);
    if (type == "summary") check_summary_sample(fam.family, s, line);
    fam.family.samples.push_back(std::move(s));
    fam.lines.push_back(line);
  }

  static void check_histogram_sample(const PromFamily& f, const PromSample& s, size_t line) {
    const std::string* le = find_label(s, "le");
    if (s.name == f.name + "_bucket") {
      if (!le || le->empty()) fail(line, "histogram bucket " + single_quoted(s.name) + " without an 'le' label");
      auto bound = parse_float(*le);
      if (!bound || std::isnan(*bound)) fail(line, "invalid bucket bound le=\"" + *le + "\" (a float, not NaN)");
      if (!(s.value >= 0)) fail(line, "histogram bucket count " + format_number(s.value) + " is not >= 0");
      return;
    }
    if (le) fail(line, single_quoted(s.name) + " must not carry an 'le' label (only " + f.name + "_bucket does)");
    if (s.name == f.name + "_count" && !(s.value >= 0))
      fail(line, "histogram count " + format_number(s.value) + " is not >= 0");
  }

  static void check_summary_sample(const PromFamily& f, const PromSample& s, size_t line) {
    const std::string* q = find_label(s, "quantile");
    if (s.name == f.name) {
      if (!q || q->empty()) fail(line, "summary quantile sample " + single_quoted(s.name) + " without a 'quantile' label");
      auto v = parse_float(*q);
      if (!v || !(*v >= 0 && *v <= 1)) fail(line, "quantile=\"" + *q + "\" is not a number in [0, 1]");
      return;
    }
    if (q) fail(line, single_quoted(s.name) + " must not carry a 'quantile' label (only " + f.name + " does)");
    if (s.name == f.name + "_count" && !(s.value >= 0))
      fail(line, "summary count " + format_number(s.value) + " is not >= 0");
  }

  // Series of a histogram or summary: the samples sharing the labels other
  // than `le` / `quantile`.
  struct Series {
    std::string labels;  // for messages
    size_t first_line = 0;
    std::vector<std::pair<double, size_t>> points;  // bound or quantile -> sample index
    std::optional<size_t> sum, count;               // sample index
  };

  void check_series(const Building& b) {
    const PromFamily& f = b.family;
    bool histogram = f.type == "histogram";
    if (!histogram && f.type != "summary") return;
    const char* special = histogram ? "le" : "quantile";
    std::vector<Series> series;
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < f.samples.size(); ++i) {
      const PromSample& s = f.samples[i];
      auto [it, fresh] = index.emplace(label_set_key(s.labels, special), series.size());
      if (fresh) {
        series.emplace_back();
        series.back().labels = describe_labels(s.labels, special);
        series.back().first_line = b.lines[i];
      }
      Series& se = series[it->second];
      if (s.name == f.name + "_sum") se.sum = i;
      else if (s.name == f.name + "_count") se.count = i;
      else se.points.emplace_back(*parse_float(*find_label(s, special)), i);
    }
    for (Series& se : series) {
      std::string what = f.type + " " + single_quoted(f.name) + se.labels;
      std::stable_sort(se.points.begin(), se.points.end(),
                       [](const auto& a, const auto& c) { return a.first < c.first; });
      for (size_t k = 1; k < se.points.size(); ++k) {
        const auto& [bound, i] = se.points[k];
        const auto& [prev_bound, j] = se.points[k - 1];
        size_t later = std::max(b.lines[i], b.lines[j]);
        if (bound == prev_bound)
          fail(later, what + ": two " + (histogram ? "buckets with le=" : "quantiles equal to ") +
                          format_number(bound) + " (lines " + std::to_string(std::min(b.lines[i], b.lines[j])) +
                          " and " + std::to_string(later) + ")");
        if (histogram && f.samples[i].value < f.samples[j].value)
          fail(b.lines[i], what + ": bucket le=" + format_number(bound) + " counts " +
                               format_number(f.samples[i].value) + ", less than bucket le=" +
                               format_number(prev_bound) + " (" + format_number(f.samples[j].value) +
                               "); buckets are cumulative");
      }
      if (histogram) {
        bool has_inf = !se.points.empty() && std::isinf(se.points.back().first) && se.points.back().first > 0;
        if (!has_inf) fail(se.first_line, what + " has no le=\"+Inf\" bucket");
      }
      if (!se.sum) fail(se.first_line, what + " has no " + f.name + "_sum");
      if (!se.count) fail(se.first_line, what + " has no " + f.name + "_count");
      if (histogram) {
        double inf = f.samples[se.points.back().second].value, count = f.samples[*se.count].value;
        if (inf != count)
          fail(b.lines[*se.count], what + ": " + f.name + "_count is " + format_number(count) +
                                       " but the le=\"+Inf\" bucket counts " + format_number(inf) +
                                       " (line " + std::to_string(b.lines[se.points.back().second]) + ")");
      }
    }
  }

  void finish() {
    if (!cur_) return;
    check_series(*cur_);
    out_.push_back(std::move(cur_->family));
    cur_.reset();
  }

  std::vector<PromFamily> out_;
  std::optional<Building> cur_;
  std::map<std::string, size_t> family_lines_;       // family name -> line of its first line
  std::map<std::string, std::string> sample_owner_;  // sample name -> family name
  std::map<std::string, size_t> series_;             // name + label set -> line
};

}  // namespace prom_text_detail

// Parses and validates `text`; throws std::runtime_error("line N: why").
inline std::vector<PromFamily> parse_prometheus_text(std::string_view text) {
  return prom_text_detail::Parser().run(text);
}

}  // namespace logpipe::testing
