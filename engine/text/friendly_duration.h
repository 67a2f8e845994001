// FriendlyDuration: Logstash's "friendly durations", as duration options
// (OptionType::Duration) and --pipeline.shutdown_timeout take them: a number with
// an optional unit ("15", "0.5", "45 sec", "1 hour", "250ms", "2w"). Pure;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logpipe {

// Seconds; a bare number is in default_unit seconds. nullopt when the text
// is no duration.
std::optional<double> parse_duration(std::string_view text, double default_unit);

}  // namespace logpipe
