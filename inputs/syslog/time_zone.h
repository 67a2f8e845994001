// TimeZone: turns a wall-clock time written without a zone into UTC, for the
// `timezone` option (RFC 3164 times have no zone; some RFC 3339 ones neither).
//
// Accepted names: UTC/GMT/Z and their Etc/ aliases, fixed offsets ("+02:00",
// "-0530", "+02"), and IANA region names ("Europe/Paris") read from the
// system's compiled zone files (TZDIR, else /usr/share/zoneinfo; TZif v1-v3).
// Beyond the last transition in the file (2037 in Debian's "fat" files) the
// last offset is kept. A local time that falls in a DST gap or overlap gets
// one of its two possible readings, as date libraries do.
//
// Immutable after load(): thread-safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

class TimeZone {
 public:
  static TimeZone utc() { return TimeZone(); }
  static TimeZone fixed(int32_t offset_seconds);
  // nullopt with *error set when the name is neither a fixed zone nor a zone file.
  static std::optional<TimeZone> load(std::string_view name, std::string* error = nullptr);

  // Offset from UTC (seconds east) in force at a UTC instant.
  int32_t offset_at(int64_t utc_seconds) const;
  // UTC seconds of local wall-clock seconds (counted as if local were UTC).
  int64_t to_utc(int64_t local_seconds) const {
    if (transitions_.empty()) return local_seconds - initial_offset_;
    return local_seconds - offset_at(local_seconds - offset_at(local_seconds - initial_offset_));
  }
  bool is_utc() const { return transitions_.empty() && initial_offset_ == 0; }

 private:
  std::vector<int64_t> transitions_;  // UTC instants, ascending
  std::vector<int32_t> offsets_;      // offset in force from transitions_[i]
  int32_t initial_offset_ = 0;        // before the first transition
};

}  // namespace logpipe
