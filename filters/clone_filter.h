// clone filter: a copy of the event for every name in `clones`, as
// Logstash's clone filter. Each copy gets the name as its `type` (ECS
// disabled) or as a tag (v1, v8), then the filter's add_field, add_tag,
// remove_field and remove_tag (the original gets none of them), and goes
// through the rest of the filter graph beside the original
// (FilterContext::emit); the copies belong to the original's batch, so an
// input's position is committed only once they are delivered too.
// One instance per filter worker: not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/event/ecs.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo clone_filter_info();

class CloneFilter : public Filter {
 public:
  explicit CloneFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  std::vector<std::string> clones_;
  EcsMode ecs_ = EcsMode::Disabled;
};

}  // namespace logpipe
