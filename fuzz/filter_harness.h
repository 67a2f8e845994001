// Builds a filter as the config compiler would (declared defaults, then the
// fuzzer's settings) and runs it over one event. A setting the filter
// refuses (OptionError, std::invalid_argument) is a valid outcome: the
// compiler reports it as a config error. Anything else escaping is a bug.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "engine/config/options.h"
#include "engine/event/event.h"
#include "engine/plugin.h"
#include "engine/text/json_writer.h"

namespace logpipe::fuzz {

struct DiscardContext : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

inline std::unique_ptr<Filter> build_filter(const PluginInfo& info, const Object& overrides) {
  Settings settings;
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  for (auto& [name, value] : overrides) settings.set(name, value);
  PluginEnv env;
  try {
    return info.make_filter(PluginArgs{info.name, info.name + "_1", settings, env, nullptr});
  } catch (const OptionError&) {
  } catch (const std::invalid_argument&) {
  }
  return nullptr;
}

// filter() itself, not process(): process() turns an exception into the
// `_filter_error` tag, which would hide it from the fuzzer. Then the event
// is serialised, as every output would.
inline void run_filter(Filter& filter, Event& e) {
  DiscardContext ctx;
  filter.filter(e, ctx);
  std::string out;
  append_json(Value(e.fields()), out);
}

}  // namespace logpipe::fuzz
