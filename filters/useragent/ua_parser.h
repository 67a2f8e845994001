// UaParser: the uap-core user-agent parser (github.com/ua-parser/uap-core,
// docs/specification.md), built from a regexes.yaml file.
//
// Three lists of regexes: user_agent_parsers (browser family and version),
// os_parsers (operating system) and device_parsers (device family, brand,
// model). For each list the first regex that matches anywhere in the string
// wins; its capture groups give the values in order, unless a *_replacement
// is given: family_replacement / v1..v4_replacement, os_replacement /
// os_v1..os_v4_replacement, device_replacement / brand_replacement /
// model_replacement, in which $1..$9 stand for the groups (an unmatched group
// for ""). Device values are trimmed. Empty values count as absent; no match
// gives family "Other" and nothing else. `regex_flag: 'i'` makes a regex case
// insensitive.
//
// Each regex is compiled with RE2 when RE2 accepts it (same leftmost-first
// semantics, linear time), else with PCRE2 (JIT), which the few using
// lookarounds or back-references need. To spare a string hundreds of
// scans, each list's RE2 regexes also sit in a FilteredRE2 prefilter: one
// RE2::Set pass finds which required literals occur, and only regexes that
// could match are run (an RE2::Set of the whole regexes was measured slower:
// its DFA keeps growing). Callers still cache results. A UaParser is immutable once built
// and safe to use from many threads at once (PCRE2 match data is per
// thread). Text that is not valid UTF-8 is repaired (U+FFFD) before matching.
// Building throws std::runtime_error naming the file and the entry at fault.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

struct UaVersion {
  std::string family;
  std::optional<std::string> major, minor, patch, patch_minor;
};

struct UaDevice {
  std::string family;
  std::optional<std::string> brand, model;
};

struct UaParsed {
  UaVersion ua;
  UaVersion os;
  UaDevice device;
};

class UaParser {
 public:
  static std::unique_ptr<UaParser> from_file(const std::string& path);
  static std::unique_ptr<UaParser> from_yaml(const std::string& text, const std::string& name);
  ~UaParser();

  UaVersion parse_ua(std::string_view s) const;
  UaVersion parse_os(std::string_view s) const;
  UaDevice parse_device(std::string_view s) const;
  UaParsed parse(std::string_view s) const;

  // How many regexes each engine holds (for tests and the log).
  size_t re2_count() const;
  size_t pcre2_count() const;

  class Regex;
  struct Rule;
  struct RuleList;

 private:
  UaParser();
  std::unique_ptr<RuleList> ua_, os_, device_;
};

}  // namespace logpipe
