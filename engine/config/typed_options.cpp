#include "engine/config/typed_options.h"

#include <algorithm>

#include "engine/text/byte_size.h"
#include "engine/text/friendly_duration.h"

namespace logpipe {

OptionDecl& OptionDecl::fallback(Value v) {
  spec_.default_value.emplace(std::move(v));
  return *this;
}

OptionDecl& OptionDecl::required() {
  spec_.required = true;
  return *this;
}

OptionDecl& OptionDecl::one_of(std::vector<std::string> allowed) {
  spec_.allowed = std::move(allowed);
  return *this;
}

OptionDecl& OptionDecl::range(double lo, double hi) {
  spec_.min = lo;
  spec_.max = hi;
  return *this;
}

OptionDecl& OptionDecl::at_least(double lo) {
  spec_.min = lo;
  return *this;
}

OptionDecl& OptionDecl::no_effect() {
  spec_.deprecated_noop = true;
  return *this;
}

namespace option_value {

std::string to_string(const Value& v) { return v.is_string() ? v.as_string() : v.to_string(); }

int64_t to_integer(const OptionSpec& spec, const Value& v, int64_t lo, int64_t hi) {
  double d = v.is_int() ? static_cast<double>(v.as_int()) : v.as_number();
  if (v.is_int() ? (v.as_int() < lo || v.as_int() > hi) : (d < static_cast<double>(lo) || d > static_cast<double>(hi)))
    throw OptionError(spec.name, "must be between " + std::to_string(lo) + " and " +
                                     std::to_string(hi) + ", got " + v.to_string());
  return v.is_int() ? v.as_int() : static_cast<int64_t>(d);
}

double to_number(const Value& v) { return v.is_number() ? v.as_number() : 0; }

bool to_bool(const Value& v) { return v.is_bool() && v.as_bool(); }

std::vector<std::string> to_strings(const Value& v) {
  std::vector<std::string> out;
  if (!v.is_array()) {
    out.push_back(to_string(v));
    return out;
  }
  for (auto& e : v.as_array()) out.push_back(to_string(e));
  return out;
}

Array to_array(const Value& v) {
  if (v.is_array()) return v.as_array();
  Array a;
  a.push_back(v);
  return a;
}

Object to_hash(const Value& v) { return v.is_object() ? v.as_object() : Object(); }

Duration to_duration(const OptionSpec& spec, const Value& v) {
  std::optional<double> seconds;
  if (v.is_number())
    seconds = v.as_number() * spec.duration_unit;
  else
    seconds = parse_duration(to_string(v), spec.duration_unit);
  if (!seconds)
    throw OptionError(spec.name, "'" + to_string(v) +
                                     "' is not a duration (e.g. 15, 0.5, 250ms, 60 sec, 1 hour, 14 days)");
  return Duration{*seconds};
}

Bytes to_bytes(const OptionSpec& spec, const Value& v) {
  std::optional<uint64_t> n;
  if (v.is_int() && v.as_int() >= 0)
    n = static_cast<uint64_t>(v.as_int());
  else if (v.is_string())
    n = parse_byte_size(v.as_string());
  if (!n)
    throw OptionError(spec.name, "'" + to_string(v) +
                                     "' is not a size (e.g. 1048576, \"512 KiB\", \"20mib\", \"10mb\")");
  return Bytes{*n};
}

void check_default(const OptionSpec& spec) {
  if (!spec.default_value) return;
  const Value& v = *spec.default_value;
  bool ok = true;
  switch (spec.type) {
    case OptionType::String:
    case OptionType::Password:
    case OptionType::Path: ok = v.is_string(); break;
    case OptionType::Number: ok = v.is_number() && (!spec.whole_number || v.is_int()); break;
    case OptionType::Boolean: ok = v.is_bool(); break;
    case OptionType::Array: ok = v.is_array(); break;
    case OptionType::Hash: ok = v.is_object(); break;
    case OptionType::Duration:
      ok = v.is_number() || (v.is_string() && parse_duration(v.as_string(), 1));
      break;
    case OptionType::Bytes:
      ok = (v.is_int() && v.as_int() >= 0) || (v.is_string() && parse_byte_size(v.as_string()));
      break;
    case OptionType::Codec:
    case OptionType::Any: break;
  }
  if (ok && !spec.allowed.empty())
    ok = v.is_string() &&
         std::find(spec.allowed.begin(), spec.allowed.end(), v.as_string()) != spec.allowed.end();
  if (!ok)
    throw std::logic_error("the default of option \"" + spec.name + "\" is not a valid " +
                           option_type_name(spec.type));
}

}  // namespace option_value

}  // namespace logpipe
