// The date filter's named formats: ISO8601, UNIX, UNIX_MS and TAI64N, parsed
// as Logstash's date filter does. Each returns UTC milliseconds since the
// epoch (Logstash's precision: extra fraction digits are dropped) and never
// allocates. Stateless apart from the per-worker zone; thread-compatible.
//
// ISO8601: yyyy[-MM[-dd]] | yyyy-DDD | yyyy-Www[-e], then optionally 'T' or a
//   space and HH[:mm[:ss[(.|,)fraction]]], then optionally Z | ±HH[[:]mm].
//   'T' and 'Z' in either case. Without an offset the text is read in `zone`.
// UNIX:    seconds, "1326149001" or "1326149001.132" (optional '-' or '+').
// UNIX_MS: milliseconds, "1326149001132" (a fraction is dropped).
// TAI64N:  "@4000000052f88ea32489532c" ('@' optional): TAI64 label (2^62 +
//   seconds, TAI being 10 s ahead of UTC at 1970 as Logstash counts it) and
//   nanoseconds, in hex.
// Numbers: an Int field is taken exactly; a Float field through its shortest
// decimal form (1326149001.132 -> ...132 ms, as Logstash's BigDecimal does).
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/text/time_zone_rules.h"

namespace logpipe {

bool parse_iso8601_date(std::string_view text, const TimeZoneRules& zone, int64_t* utc_millis);
// scale_to_millis: 1000 for UNIX (seconds), 1 for UNIX_MS.
bool parse_epoch_text(std::string_view text, int64_t scale_to_millis, int64_t* utc_millis);
bool parse_epoch_number(double value, int64_t scale_to_millis, int64_t* utc_millis);
bool parse_epoch_integer(int64_t value, int64_t scale_to_millis, int64_t* utc_millis);
bool parse_tai64n(std::string_view text, int64_t* utc_millis);

}  // namespace logpipe
