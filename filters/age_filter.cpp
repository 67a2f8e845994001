#include "filters/age_filter.h"

#include "engine/config/typed_options.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

struct AgeOptions {
  std::string target;
};

const OptionSchema<AgeOptions>& age_schema() {
  static const OptionSchema<AgeOptions> schema = [] {
    OptionSchema<AgeOptions> s;
    s.string("target", &AgeOptions::target,
             "Field to store the event's age in, in seconds (a float).")
        .fallback("[@metadata][age]");
    return s;
  }();
  return schema;
}

}  // namespace

AgeFilter::AgeFilter(const PluginArgs& args) : Filter(args) {
  AgeOptions o = age_schema().bind(args.settings);
  target_ = field_option("target", o.target);
}

void AgeFilter::filter_at(Event& e, Timestamp now) const {
  Timestamp ts;
  if (!e.timestamp(&ts)) return;
  e.set(target_, Value(static_cast<double>(now.nanos - ts.nanos) / 1e9));
  filter_matched(e);
}

void AgeFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  filter_at(e, Timestamp::now());
}

PluginInfo age_filter_info() {
  PluginInfo info;
  info.name = "age";
  info.kind = PluginKind::Filter;
  info.description = "Stores the event's age (seconds from @timestamp to now) in a field.";
  info.options = age_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<AgeFilter>(args);
  };
  return info;
}

}  // namespace logpipe
