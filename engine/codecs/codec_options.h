// Option declarations shared by several codecs, so that each (name, type,
// default, help) is written once: each declares the option in a codec's
// schema, bound to the member the codec names.
//
//   s.string(...)  ->  codec_options::charset(s, &LineOptions::charset);
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/typed_options.h"

namespace logpipe::codec_options {

template <class T>
OptionDecl charset(OptionSchema<T>& s, std::string T::*m) {
  return s
      .string("charset", m,
              "Character set of the input; converted to UTF-8 (UTF-8, ISO-8859-1, "
              "Windows-1252, US-ASCII, ASCII-8BIT).")
      .fallback("UTF-8");
}

template <class T>
OptionDecl ecs_compatibility(OptionSchema<T>& s, std::string T::*m) {
  return s
      .string("ecs_compatibility", m, "Elastic Common Schema mode: disabled, v1 or v8.")
      .fallback("disabled")
      .one_of({"disabled", "v1", "v8"});
}

template <class T>
OptionDecl format(OptionSchema<T>& s, std::optional<std::string> T::*m) {
  return s.string(
      "format", m,
      "Text written for each event (sprintf); default: \"<@timestamp> <host> <message>\".");
}

template <class T>
OptionDecl delimiter(OptionSchema<T>& s, std::string T::*m) {
  return s.string("delimiter", m, "Separator between lines.").fallback("\n");
}

template <class T>
OptionDecl target(OptionSchema<T>& s, std::optional<std::string> T::*m) {
  return s.string("target", m,
                  "Field to put the decoded JSON under; default: the root of the event.");
}

// `delimiter`, refused when empty (it would never split anything).
inline const std::string& checked_delimiter(const std::string& d) {
  if (d.empty()) throw OptionError("delimiter", "the delimiter must not be empty");
  return d;
}

}  // namespace logpipe::codec_options
