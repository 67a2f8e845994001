// Plugin options: declared once, with type, default and one line of help.
//
// The compiler validates a plugin block's attributes against its OptionSpecs
// (unknown option, wrong type, missing required, value not among the allowed
// ones), applies Logstash's coercions (a numeric string is a number, "true" is
// a boolean, an even-length array is a hash, a scalar is a one-element array)
// and defaults, and hands the plugin a Settings object holding exactly one
// checked Value per declared option. The generated option reference
// (`logpipe --help-plugin NAME`, docs/plugins.md) comes from the same specs.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/event/value.h"

namespace logpipe {

enum class OptionType {
  String,    // a string (numbers and barewords are taken as their text)
  Number,    // an integer or a float (numeric strings accepted)
  Boolean,   // true/false, as bareword or string
  Array,     // an array of values; a scalar becomes a one-element array
  Hash,      // an object; an even-length array [k1, v1, k2, v2] becomes one
  Codec,     // a codec name, optionally with settings: codec => json { ... }
  Password,  // a string that is never printed or logged
  Path,      // a string naming a file or directory
  Duration,  // a friendly duration: "250ms", "15 sec", "1 hour", or a number in the option's unit
  Bytes,     // a size: a whole number of bytes, or "10 KiB", "10kb", "2 MiB"
  Any,       // any value, unchecked (the plugin checks it)
};

const char* option_type_name(OptionType t);

struct OptionSpec {
  std::string name;
  OptionType type = OptionType::String;
  std::optional<Value> default_value;  // nullopt: no default (absent unless given)
  std::string help;
  bool required = false;
  std::vector<std::string> allowed;  // for enumerations: the accepted strings
  bool deprecated_noop = false;      // accepted for compatibility, does nothing here
  bool whole_number = false;         // Number: only integers (2.0 is 2, 2.5 is refused)
  std::optional<double> min, max;    // Number, Duration (in seconds), Bytes: the accepted range
  double duration_unit = 1;          // Duration: seconds in a bare number
};

using OptionSpecs = std::vector<OptionSpec>;

// "between 0 and 65535", "at least 1" (with the unit of durations and sizes);
// "" when the option has no range.
std::string option_range_text(const OptionSpec& spec);

// Builders for OptionSpecs, the way plugins declare their options:
//   option("path", OptionType::Array, "Files to read.")            no default
//   option("mode", OptionType::String, Value("tail"), "...", {"tail", "read"})
// (They take the default by value: GCC's sanitizer builds warn falsely about a
// std::optional<Value> made from a temporary.)
inline OptionSpec option(std::string name, OptionType type, std::string help) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.help = std::move(help);
  return spec;
}
inline OptionSpec option(std::string name, OptionType type, Value default_value, std::string help,
                         std::vector<std::string> allowed = {}) {
  OptionSpec spec = option(std::move(name), type, std::move(help));
  spec.default_value.emplace(std::move(default_value));
  spec.allowed = std::move(allowed);
  return spec;
}
inline OptionSpec option(std::string name, OptionType type, std::nullopt_t, std::string help,
                         std::vector<std::string> allowed = {}) {
  OptionSpec spec = option(std::move(name), type, std::move(help));
  spec.allowed = std::move(allowed);
  return spec;
}

// A codec choice after validation: its name and its own checked settings.
struct CodecSpec;

// Thrown by a plugin's constructor for a setting it cannot accept; the compiler
// reports it with the position of the option (or of the plugin block).
struct OptionError : std::runtime_error {
  OptionError(std::string option, const std::string& why)
      : std::runtime_error(why), option(std::move(option)) {}
  std::string option;  // "" when it is about the block as a whole
};

class Settings {
 public:
  // The checked value of a declared option; nullptr when it was not given
  // and has no default. Plugins read their options through their
  // OptionSchema (typed_options.h), not by name here.
  bool has(const std::string& name) const;
  const Value* get(const std::string& name) const;
  // The codec option, when the plugin declares one.
  const CodecSpec* codec() const { return codec_.get(); }

  void set(const std::string& name, Value v);
  void set_codec(std::shared_ptr<const CodecSpec> c) { codec_ = std::move(c); }
  const Object& all() const { return values_; }

 private:
  Object values_;
  std::shared_ptr<const CodecSpec> codec_;
};

struct CodecSpec {
  std::string name;
  Settings settings;
};

}  // namespace logpipe
