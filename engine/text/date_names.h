// DateNames: the one list of month, weekday, AM/PM and era names, for the
// date filter's parsers, Joda/java.time formatting (sprintf %{+FORMAT}) and
// syslog's BSD timestamps. Matched ignoring ASCII case, full names before
// short ones (Joda accepts either form for MMM and MMMM, E and EEEE). English only: it is the
// root locale's language and the only one logpipe ships; other locales fall
// back to it. Immutable, shared by all threads.
#pragma once

#include <cstddef>
#include <string_view>

namespace logpipe {

struct DateNames {
  std::string_view months[12];
  std::string_view months_short[12];
  std::string_view weekdays[7];  // Monday first (ISO)
  std::string_view weekdays_short[7];
  std::string_view halfdays[2];  // AM, PM
  std::string_view eras[2];      // BC, AD

  // Each returns the value (month 1-12, ISO weekday 1-7, halfday 0-1, era 0-1)
  // and advances *pos, or returns -1 and leaves *pos alone.
  int match_month(std::string_view text, size_t* pos) const;
  int match_weekday(std::string_view text, size_t* pos) const;
  int match_halfday(std::string_view text, size_t* pos) const;
  int match_era(std::string_view text, size_t* pos) const;
};

const DateNames& english_date_names();

// True for locale tags whose names logpipe knows ("en", "en-US", "en_GB", "").
bool date_locale_supported(std::string_view locale);

}  // namespace logpipe
