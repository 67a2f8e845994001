#include "filters/clone_filter.h"

#include "engine/config/typed_options.h"
#include "engine/system/log.h"

namespace logpipe {

namespace {

struct CloneOptions {
  std::vector<std::string> clones;
  std::string ecs_compatibility;
};

const OptionSchema<CloneOptions>& clone_schema() {
  static const OptionSchema<CloneOptions> schema = [] {
    OptionSchema<CloneOptions> s;
    s.strings("clones", &CloneOptions::clones,
              "One copy of the event per name; the name becomes the copy's type (ECS disabled) or a tag.")
        .fallback(Value(Array{}));
    declare_ecs_compatibility(s, &CloneOptions::ecs_compatibility, "the name in `type`");
    return s;
  }();
  return schema;
}

}  // namespace

CloneFilter::CloneFilter(const PluginArgs& args) : Filter(args) {
  CloneOptions o = clone_schema().bind(args.settings);
  clones_ = std::move(o.clones);
  ecs_ = ecs_mode(o.ecs_compatibility);
  if (clones_.empty() && args.env.validating)
    log_warn("clone {}: `clones` is empty, so no copies are made", id());
}

void CloneFilter::filter(Event& e, FilterContext& ctx) {
  for (const std::string& name : clones_) {
    auto copy = std::make_unique<Event>(e);
    if (ecs_ == EcsMode::Disabled) copy->set_top("type", Value(name));
    else copy->add_tag(name);
    filter_matched(*copy);
    ctx.emit(std::move(copy));
  }
}

PluginInfo clone_filter_info() {
  PluginInfo info;
  info.name = "clone";
  info.kind = PluginKind::Filter;
  info.description = "Makes a copy of the event for every name in `clones`; the copies go on through the filters.";
  info.options = clone_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<CloneFilter>(args);
  };
  return info;
}

}  // namespace logpipe
