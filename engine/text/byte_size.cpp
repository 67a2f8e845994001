#include "engine/text/byte_size.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace logpipe {

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  while (!text.empty() && isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  size_t digits = 0;
  while (digits < text.size() &&
         (isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  if (digits == 0) return std::nullopt;
  std::string number(text.substr(0, digits));
  char* end = nullptr;
  double value = strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return std::nullopt;

  std::string unit;
  for (char c : text.substr(digits)) unit += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double multiplier = 1;
  if (unit.empty()) {
    if (number.find('.') != std::string::npos) return std::nullopt;  // bytes are whole
  } else if (unit != "b") {
    static const std::string prefixes = "kmgtpe";
    size_t power = prefixes.find(unit[0]);
    if (power == std::string::npos) return std::nullopt;
    double base;
    if (unit.size() == 2 && unit[1] == 'b')
      base = 1000;
    else if (unit.size() == 3 && unit[1] == 'i' && unit[2] == 'b')
      base = 1024;
    else
      return std::nullopt;
    multiplier = std::pow(base, static_cast<double>(power + 1));
  }
  double bytes = std::floor(value * multiplier);
  if (!(bytes < 18446744073709551616.0)) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

}  // namespace logpipe
