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

std::string Settings::get_string(const std::string& name, const std::string& fallback) const {
  const Value* v = get(name);
  if (!v || v->is_null()) return fallback;
  return v->to_string();
}

int64_t Settings::get_int(const std::string& name, int64_t fallback) const {
  const Value* v = get(name);
  if (!v) return fallback;
  if (v->is_int()) return v->as_int();
  if (v->is_float()) return static_cast<int64_t>(v->as_float());
  return fallback;
}

double Settings::get_number(const std::string& name, double fallback) const {
  const Value* v = get(name);
  if (!v || !v->is_number()) return fallback;
  return v->as_number();
}

bool Settings::get_bool(const std::string& name, bool fallback) const {
  const Value* v = get(name);
  if (!v || !v->is_bool()) return fallback;
  return v->as_bool();
}

std::vector<std::string> Settings::get_strings(const std::string& name) const {
  std::vector<std::string> out;
  const Value* v = get(name);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) {
    out.push_back(v->to_string());
    return out;
  }
  for (auto& e : v->as_array()) out.push_back(e.to_string());
  return out;
}

const Array& Settings::get_array(const std::string& name) const {
  static const Array empty;
  const Value* v = get(name);
  return v && v->is_array() ? v->as_array() : empty;
}

const Object& Settings::get_hash(const std::string& name) const {
  static const Object empty;
  const Value* v = get(name);
  return v && v->is_object() ? v->as_object() : empty;
}

void Settings::set(const std::string& name, Value v) { values_.set(name, std::move(v)); }

}  // namespace logpipe
