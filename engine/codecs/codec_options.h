// Option declarations and readers shared by several codecs, so that each is
// written once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/options.h"

namespace logpipe::codec_options {

using logpipe::option;

inline OptionSpec charset() {
  return option("charset", OptionType::String, Value("UTF-8"),
                "Character set of the input; converted to UTF-8 (UTF-8, ISO-8859-1, "
                "Windows-1252, US-ASCII, ASCII-8BIT).");
}

inline OptionSpec ecs_compatibility() {
  return option("ecs_compatibility", OptionType::String, Value("disabled"),
                "Elastic Common Schema mode: disabled, v1 or v8.", {"disabled", "v1", "v8"});
}

inline OptionSpec format() {
  return option("format", OptionType::String,
                "Text written for each event (sprintf); default: \"<@timestamp> <host> <message>\".");
}

inline OptionSpec delimiter() {
  return option("delimiter", OptionType::String, Value("\n"), "Separator between lines.");
}

inline OptionSpec target() {
  return option("target", OptionType::String,
                "Field to put the decoded JSON under; default: the root of the event.");
}

// The value of an option without default, when it was given.
inline std::optional<std::string> optional_string(const Settings& s, const std::string& name) {
  if (!s.has(name)) return std::nullopt;
  return s.get_string(name);
}

// `delimiter`, refused when empty (it would never split anything).
inline std::string checked_delimiter(const Settings& s) {
  std::string d = s.get_string("delimiter", "\n");
  if (d.empty()) throw OptionError("delimiter", "the delimiter must not be empty");
  return d;
}

}  // namespace logpipe::codec_options
