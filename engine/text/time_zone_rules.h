// TimeZoneRules: a time zone as the date filter and the syslog input's
// `timezone` option need it — turn a wall-clock time into UTC the way
// Joda-Time does, for IANA zones (DST-correct, from the system tz database via
// Howard Hinnant's date library) and fixed offsets.
//
// Names follow Joda's DateTimeZone.forID: "UTC", offsets "+01:00", "-0500",
// "+01", and IANA names such as "Europe/Berlin" (also links like "GMT"). The
// UTC aliases (GMT, UCT, Zulu, Universal, Greenwich and their Etc/ forms) are
// built in, so they work where the tz package leaves out its legacy links.
// After a zone's last listed transition (the tz files stop at 2037) its POSIX
// rule applies, so DST goes on as the zone defines it.
// Local to UTC, as Joda's parser does it:
//   - a wall time that does not exist (spring-forward gap) fails;
//   - a wall time that happens twice (fall-back overlap) takes the earlier
//     instant, i.e. the summer-time offset.
// local_to_utc_shifting_gaps() is for readers that must not fail (syslog):
// a gap time is read with the offset before the gap, as java.time does.
// A value is cheap to copy; it remembers the last offset period it used, so
// one value must not be shared between threads (each filter worker, each
// syslog input has its own). The zone database itself is immutable and shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace date {
class time_zone;
}

namespace logpipe {

struct ZoneRuleAfterLastTransition;

class TimeZoneRules {
 public:
  TimeZoneRules() = default;  // UTC
  static TimeZoneRules fixed(int32_t offset_seconds);
  // nullopt for a name that is neither an offset nor a known zone. May read
  // the tz database on its first call (once per process).
  static std::optional<TimeZoneRules> lookup(std::string_view id);

  // Wall-clock seconds (as if UTC) to UTC seconds; false inside a DST gap.
  bool local_to_utc(int64_t local_seconds, int64_t* utc_seconds) const;
  // Same, but a wall time inside a gap is read with the offset in force just
  // before it, so it lands as far past the gap's end as it was past its start
  // (02:30 in a 02:00-03:00 gap is 03:30 summer time), like java.time's
  // ZonedDateTime.ofLocal: a sender whose clock has not sprung forward yet is
  // the likely writer. Overlaps take the earlier instant, as above.
  int64_t local_to_utc_shifting_gaps(int64_t local_seconds) const;
  // Offset from UTC in effect at a UTC instant.
  int32_t offset_at(int64_t utc_seconds) const;

  bool is_fixed() const { return zone_ == nullptr; }
  bool operator==(const TimeZoneRules& o) const {
    return zone_ == o.zone_ && fixed_offset_ == o.fixed_offset_;
  }

 private:
  bool convert(int64_t local_seconds, bool shift_gaps, int64_t* utc_seconds) const;

  const date::time_zone* zone_ = nullptr;  // nullptr: fixed_offset_ applies
  // The zone's POSIX rule for times after its last listed transition (the
  // tz files list transitions up to 2037 only); nullptr when it has none.
  const ZoneRuleAfterLastTransition* later_rule_ = nullptr;
  int32_t fixed_offset_ = 0;
  // Local range [cached_local_begin_, cached_local_end_) where every wall time
  // maps uniquely with cached_offset_ (kept a day away from transitions).
  mutable int64_t cached_local_begin_ = 0;
  mutable int64_t cached_local_end_ = 0;
  mutable int32_t cached_offset_ = 0;
};

// Parses a numeric offset "+HH", "+HH:mm", "+HHmm", "+HH:mm:ss" (also "-").
// Returns false unless the whole text is one.
bool parse_utc_offset(std::string_view text, int32_t* offset_seconds);

}  // namespace logpipe
