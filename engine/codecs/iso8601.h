// ISO 8601 timestamps as Logstash reads them: the `@timestamp` string of a
// JSON document becomes a Timestamp through this parser.
//
// Accepted, as Logstash's lenient parser (letters case-insensitive):
//   yyyy-MM-dd[THH:mm[:ss[.fffffffff]]][zone]
//   zone: Z | UTC | GMT | ±HH | ±HH:mm | ±HH:mm:ss | ±HHmm | ±HHmmss
// A missing time is midnight. A missing zone means UTC (Logstash uses the
// JVM's default zone, which is UTC in our containers). Region names such as
// Europe/Paris are not accepted. Fractions keep up to nanoseconds.
// Returns false for anything else, including dates out of range (day 31 of
// a 30-day month, years outside what nanoseconds since 1970 can hold).
#pragma once

#include <string_view>

#include "engine/event/value.h"

namespace logpipe {

bool parse_iso8601(std::string_view text, Timestamp* out);

}  // namespace logpipe
