// Shared helpers for plugin unit tests: build a plugin as the config compiler
// would (its declared defaults, then the test's settings) and compare values
// strictly. Integration tests use the real binary instead (subprocess.h).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "engine/text/json_writer.h"
#include "engine/plugin.h"

namespace logpipe::testing {

struct NullFilterContext : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

// The plugin's declared defaults, overridden by `overrides`.
inline Settings settings_with_defaults(const PluginInfo& info, const Object& overrides) {
  Settings settings;
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  for (auto& [name, value] : overrides) settings.set(name, value);
  return settings;
}

inline std::unique_ptr<Filter> make_test_filter(const PluginInfo& info, const Object& overrides) {
  Settings settings = settings_with_defaults(info, overrides);
  PluginEnv env;
  return info.make_filter(PluginArgs{info.name, info.name + "_1", settings, env, nullptr});
}

inline std::unique_ptr<Codec> make_test_codec(const PluginInfo& info, const Object& overrides) {
  Settings settings = settings_with_defaults(info, overrides);
  PluginEnv env;
  return info.make_codec(PluginArgs{info.name, info.name + "_1", settings, env, nullptr});
}

inline Object opts(std::initializer_list<std::pair<const char*, Value>> kv) {
  Object o;
  for (auto& [k, v] : kv) o.set(k, v);
  return o;
}

// An array of strings, as a list option is written.
inline Value string_array(std::initializer_list<const char*> items) {
  Array a;
  for (const char* s : items) a.emplace_back(s);
  return Value(std::move(a));
}

// Equality that also requires the same kinds (Value's == says 1 == 1.0) and,
// in objects, the same key order (what a JSON output writes).
inline bool same_value(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    if (a.as_array().size() != b.as_array().size()) return false;
    for (size_t i = 0; i < a.as_array().size(); ++i)
      if (!same_value(a.as_array()[i], b.as_array()[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.as_object().size() != b.as_object().size()) return false;
    auto other = b.as_object().begin();
    for (auto& [k, v] : a.as_object()) {
      if (other->first != k || !same_value(v, other->second)) return false;
      ++other;
    }
    return true;
  }
  return a == b;
}

// The event's fields as JSON, leaving out the named top-level ones.
inline std::string fields_json_without(const Event& e, std::initializer_list<const char*> skip) {
  Object copy = e.fields();
  for (const char* name : skip) copy.erase(name);
  std::string out;
  append_json(Value(copy), out);
  return out;
}

}  // namespace logpipe::testing
