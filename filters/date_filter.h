// date filter: parses a date from a field and stores it as a Timestamp in
// `target` (default @timestamp), as Logstash's date filter does.
//
// Options (Logstash's names and defaults):
//   match          [field, format, format...]: formats are tried in order; each
//                  is a Joda-Time pattern (filters/date/joda_date_parser.h) or
//                  ISO8601, UNIX, UNIX_MS, TAI64N (filters/date/named_date_formats.h).
//   timezone       zone for text without one: IANA name (DST-correct), "UTC",
//                  or an offset "+01:00"; may be a %{field} template. Default
//                  UTC (Logstash uses the JVM's zone, UTC in containers).
//   locale         month/day names; English whatever the value (a non-English
//                  locale is accepted with a warning).
//   target         default "@timestamp".
//   tag_on_failure default ["_dateparsefailure"].
// Per event:
//   - missing or null source field (or an empty array): nothing happens;
//   - an array: its first element is parsed;
//   - success: target = Timestamp (millisecond precision, as Logstash) and the
//     common add_field/add_tag/... are applied (filter_matched);
//   - failure (no format matches, a DST-gap wall time, an unknown %{zone}):
//     tag_on_failure is added, nothing else changes.
// Patterns without a year take the current year; a December date seen in
// January goes to the previous year and a January date seen in December to
// the next one (Logstash's rule, by month, in the timezone option's zone; UTC
// when that is a %{field} template).
//
// One instance per filter worker: not thread-safe, no locking. It caches the
// last parsed text (with the zone and year it was parsed in) and its result,
// so logs that repeat the same second parse once; the cache compares the whole
// text, so it never answers for a different string. A bad config (fewer than
// two match elements, an illegal pattern letter, an unknown constant zone, an
// invalid target) is an OptionError. Checking a constant timezone reads the
// system tz database (read-only, once per process), so that a bad zone fails
// config validation as it does in Logstash.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/plugin.h"
#include "engine/event/sprintf.h"
#include "engine/text/time_zone_rules.h"
#include "filters/date/joda_date_parser.h"

namespace logpipe {

PluginInfo date_filter_info();

class DateFilter : public Filter {
 public:
  // Seconds since the epoch, now; tests pass a fixed clock.
  using Clock = std::function<int64_t()>;

  explicit DateFilter(const PluginArgs& args, Clock clock = nullptr);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  struct Format {
    enum class Kind { Joda, Iso8601, Unix, UnixMs, Tai64n } kind;
    std::optional<JodaDateParser> joda;
  };

  bool parse_text(std::string_view text, const TimeZoneRules& zone, int64_t* millis) const;
  bool parse_value(const Value& v, const TimeZoneRules& zone, int64_t* millis);
  const TimeZoneRules* zone_for(const Event& e);
  void refresh_year_context();

  FieldRef source_;
  FieldRef target_;
  std::vector<Format> formats_;
  std::vector<std::string> tag_on_failure_;
  Clock clock_;

  TimeZoneRules zone_;                              // the constant timezone (UTC when none)
  std::unique_ptr<SprintfTemplate> zone_template_;  // when timezone holds %{...}
  std::string zone_name_;                           // scratch: formatted zone name
  std::string resolved_zone_name_;                  // last name resolved ...
  std::optional<TimeZoneRules> resolved_zone_;      // ... and its rules (nullopt: unknown)

  bool needs_year_context_ = false;  // some pattern has no year
  YearContext year_context_;
  int64_t year_context_minute_ = INT64_MIN;

  // The last text parsed, the zone name and year context it was parsed with,
  // and the result.
  bool cache_valid_ = false;
  std::string cache_text_;
  std::string cache_zone_name_;
  YearContext cache_year_;
  bool cache_ok_ = false;
  int64_t cache_millis_ = 0;
  std::string scratch_;  // text form of non-string values
};

}  // namespace logpipe
