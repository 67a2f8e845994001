#include "engine/config/options.h"

namespace logpipe {

const char* option_type_name(OptionType t) {
  switch (t) {
    case OptionType::String: return "string";
    case OptionType::Number: return "number";
    case OptionType::Boolean: return "boolean";
    case OptionType::Array: return "array";
    case OptionType::Hash: return "hash";
    case OptionType::Codec: return "codec";
    case OptionType::Password: return "password";
    case OptionType::Path: return "path";
    case OptionType::Duration: return "duration";
    case OptionType::Bytes: return "bytes";
    case OptionType::Any: return "any";
  }
  return "?";
}

std::string option_range_text(const OptionSpec& spec) {
  auto number = [&](double x) {
    Value v = x == static_cast<double>(static_cast<int64_t>(x)) ? Value(static_cast<int64_t>(x)) : Value(x);
    std::string unit = spec.type == OptionType::Duration ? " seconds"
                       : spec.type == OptionType::Bytes  ? " bytes"
                                                         : "";
    return v.to_string() + unit;
  };
  if (spec.min && spec.max) return "between " + number(*spec.min) + " and " + number(*spec.max);
  if (spec.min) return "at least " + number(*spec.min);
  if (spec.max) return "at most " + number(*spec.max);
  return "";
}

bool Settings::has(const std::string& name) const { return values_.find(name) != nullptr; }

const Value* Settings::get(const std::string& name) const { return values_.find(name); }

void Settings::set(const std::string& name, Value v) { values_.set(name, std::move(v)); }

}  // namespace logpipe
