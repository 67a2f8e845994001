#include "engine/text/friendly_duration.h"

#include <cctype>
#include <cstdlib>

namespace logpipe {

std::optional<double> parse_duration(std::string_view text, double default_unit) {
  while (!text.empty() && isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  std::string number(text.substr(0, i));
  char* end = nullptr;
  double value = strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return std::nullopt;
  std::string_view unit = text.substr(i);
  if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (unit.empty()) return value * default_unit;
  struct Unit {
    const char* names[5];
    double seconds;
  };
  static const Unit units[] = {
      {{"us", "usec", "usecs"}, 1e-6},
      {{"ms", "msec", "msecs"}, 1e-3},
      {{"s", "sec", "secs", "second", "seconds"}, 1},
      {{"m", "min", "mins", "minute", "minutes"}, 60},
      {{"h", "hour", "hours"}, 3600},
      {{"d", "day", "days"}, 86400},
      {{"w", "week", "weeks"}, 7 * 86400},
  };
  for (const Unit& u : units)
    for (const char* name : u.names)
      if (name && unit == name) return value * u.seconds;
  return std::nullopt;
}

}  // namespace logpipe
