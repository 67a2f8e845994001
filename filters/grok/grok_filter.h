// grok filter: parses text fields with named patterns (Logstash's grok).
//
// Options and defaults are Logstash's. For each `match` field (in order), the
// field's patterns are tried in order on its value (each element of an array
// value; numbers and other values by their string form); the first match
// stores its captures (break_on_match) and the event gets the common
// add_field/add_tag/...; no match tags it with tag_on_failure. Captures follow
// Logstash's store rules: an absent field is set, a string becomes
// [old, new], an array is appended to, anything else is left alone, unless
// the field is listed in `overwrite`. Empty captures are skipped unless
// keep_empty_captures.
//
// The expressions are compiled when the filter is built (an unknown pattern or
// a construct RE2 cannot run exactly is an OptionError naming it), reading the
// built-in pattern set of the chosen ecs_compatibility, patterns_dir files and
// pattern_definitions. Matching runs in linear time (see GrokMatcher), so
// timeout_millis, timeout_scope and tag_on_timeout are accepted but never fire.
//
// With PluginEnv::trace set (the sandbox), each event's outcome is reported
// there: the pattern that matched, or every pattern's diagnosis.
//
// One instance per filter worker: each owns its compiled regexes; no locking.
#pragma once

#include <atomic>
#include <deque>

#include <string>
#include <utility>
#include <vector>

#include "engine/plugin.h"
#include "filters/grok/grok_diagnosis.h"
#include "filters/grok/grok_matcher.h"

namespace logpipe {

PluginInfo grok_filter_info();

class GrokFilter : public Filter {
 public:
  using PatternFiles = std::vector<std::pair<std::string, std::string>>;
  // `builtin` is the embedded pattern set (tests pass their own or none).
  GrokFilter(const PluginArgs& args, const PatternFiles& builtin);
  void filter(Event& e, FilterContext& ctx) override;
  // matches, failures, and matches per pattern with the engine that runs it.
  void collect_metrics(PluginMetrics& out) const override;

 private:
  struct CaptureSink {
    FieldRef ref;        // target applied
    bool overwrite = false;
    bool valid = true;   // false: the capture name is not a field reference
    bool captured_once = false;  // top-level name no other capture of the pattern uses
    GrokCoercion coercion = GrokCoercion::None;
  };
  struct Grok {
    GrokMatcher matcher;
    std::vector<CaptureSink> sinks;
    bool leaves_source_alone = true;  // no capture is stored under the matched field
    size_t counter = 0;               // its index in pattern_matches_
  };
  struct MatchField {
    FieldRef field;
    std::vector<Grok> groks;
    size_t max_captures = 0;    // of one pattern: what break_on_match may add
    size_t total_captures = 0;  // of all patterns: what may be added without it
  };

  bool match_field(MatchField& m, Event& e);
  bool match_groks(MatchField& m, std::string_view input, bool input_is_copy, Event& e);
  Value capture_value(const Grok& grok, size_t i) const;
  void trace_match(const Grok& grok, size_t index, const Event& e);
  void trace_failure(const Event& e);
  void store(const Grok& grok, bool direct, Event& e);

  std::vector<MatchField> match_;
  FilterTrace* trace_ = nullptr;
  std::vector<std::vector<GrokDiagnoser>> diagnosers_;  // per match field, with trace_ only
  struct PatternInfo {
    std::string field, pattern, engine;
  };
  std::vector<PatternInfo> patterns_;
  std::deque<std::atomic<uint64_t>> pattern_matches_;  // per pattern, this worker's
  std::atomic<uint64_t> matches_{0}, failures_{0};
  static void bump(std::atomic<uint64_t>& counter);
  std::vector<std::string> tag_on_failure_;
  bool break_on_match_ = true;
  bool keep_empty_captures_ = false;
  std::vector<Value> values_;  // scratch: the captures of one match
  std::string text_;           // scratch: string form of a non-string field
};

}  // namespace logpipe
