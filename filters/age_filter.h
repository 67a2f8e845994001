// age filter: stores how old an event is, as Logstash's age filter: the
// seconds (a float, sub-second precision) from its @timestamp to now, in
// target (default [@metadata][age]). Usually followed by a conditional that
// drops events older than some limit.
//
// An event without a @timestamp (removed, or not a timestamp) is left
// unchanged and gets no add_field/add_tag (Logstash raises there).
// One instance per filter worker: not thread-safe.
#pragma once

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo age_filter_info();

class AgeFilter : public Filter {
 public:
  explicit AgeFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;
  // The same with "now" given (tests, benchmarks).
  void filter_at(Event& e, Timestamp now) const;

 private:
  FieldRef target_;
};

}  // namespace logpipe
