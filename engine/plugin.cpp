#include "engine/plugin.h"

#include <chrono>

#include "engine/event/field_decorators.h"
#include "engine/system/log.h"

namespace logpipe {

struct Filter::Common {
  AddFields add_field;
  RemoveFields remove_field;
  TagList add_tag;
  TagList remove_tag;
};

Filter::Filter(const PluginArgs& args) : id_(args.id) {
  CommonOptions o = common_schema().bind(args.settings);
  auto c = std::make_shared<Common>();
  c->add_field = AddFields(o.add_field);
  c->remove_field = RemoveFields(o.remove_field);
  c->add_tag = TagList(o.add_tag);
  c->remove_tag = TagList(o.remove_tag);
  common_ = std::move(c);
}

void Filter::process(const std::vector<Event*>& events, FilterContext& ctx) {
  for (Event* e : events) {
    try {
      filter(*e, ctx);
    } catch (const std::exception& ex) {
      // A filter bug must not lose the event nor the rest of the batch: only
      // this event is tagged, and the next one goes through the filter.
      e->add_tag("_filter_error");
      report_failure(ex.what());
    }
  }
}

void Filter::report_failure(const char* what) {
  // At most one line a second per filter copy: a bad input can fail every event.
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  ++failures_unreported_;
  if (now - last_failure_log_ms_ < 1000) return;
  log_error("filter {} failed on {} event(s), tagged _filter_error: {}", id_,
            failures_unreported_, what);
  failures_unreported_ = 0;
  last_failure_log_ms_ = now;
}

void Filter::filter_matched(Event& e) const {
  // Logstash's order: add_field, remove_field, add_tag, remove_tag.
  common_->add_field.apply(e);
  common_->remove_field.apply(e);
  common_->add_tag.add_to(e);
  common_->remove_tag.remove_from(e);
}

const OptionSchema<Filter::CommonOptions>& Filter::common_schema() {
  static const OptionSchema<CommonOptions> schema = [] {
    OptionSchema<CommonOptions> s;
    s.hash("add_field", &CommonOptions::add_field,
           "Fields to add when the filter succeeds; names and values may use %{field}.")
        .fallback(Value(Object()));
    s.strings("add_tag", &CommonOptions::add_tag, "Tags to add when the filter succeeds.")
        .fallback(Value(Array()));
    s.strings("remove_field", &CommonOptions::remove_field, "Fields to remove when the filter succeeds.")
        .fallback(Value(Array()));
    s.strings("remove_tag", &CommonOptions::remove_tag, "Tags to remove when the filter succeeds.")
        .fallback(Value(Array()));
    s.string("id", &CommonOptions::id, "A unique name for this plugin, used in metrics and logs.");
    s.boolean("enable_metric", &CommonOptions::enable_metric, "Collect metrics for this plugin.")
        .fallback(true);
    s.accepted("periodic_flush", OptionType::Boolean,
               "Call the filter's flush method at regular intervals.")
        .fallback(false);
    return s;
  }();
  return schema;
}

const OptionSchema<Input::CommonOptions>& Input::common_schema() {
  static const OptionSchema<CommonOptions> schema = [] {
    OptionSchema<CommonOptions> s;
    s.string("type", &CommonOptions::type, "Sets the `type` field of events that have none.");
    s.strings("tags", &CommonOptions::tags, "Tags added to every event.").fallback(Value(Array()));
    s.hash("add_field", &CommonOptions::add_field, "Fields added to every event.")
        .fallback(Value(Object()));
    s.codec("How input bytes become events.");
    s.string("id", &CommonOptions::id, "A unique name for this plugin, used in metrics and logs.");
    s.boolean("enable_metric", &CommonOptions::enable_metric, "Collect metrics for this plugin.")
        .fallback(true);
    return s;
  }();
  return schema;
}

void Output::submit(OutputWork& work) {
  try {
    deliver(work);
  } catch (const std::exception& ex) {
    work.retry_all(ex.what());
  }
  work.complete();
}

const OptionSchema<Output::CommonOptions>& Output::common_schema() {
  static const OptionSchema<CommonOptions> schema = [] {
    OptionSchema<CommonOptions> s;
    s.codec("How events become output bytes.");
    s.string("id", &CommonOptions::id, "A unique name for this plugin, used in metrics and logs.");
    s.boolean("enable_metric", &CommonOptions::enable_metric, "Collect metrics for this plugin.")
        .fallback(true);
    s.accepted("workers", OptionType::Number,
               "Accepted for compatibility; each output has its own thread, and encodes on the "
               "filter workers.")
        .fallback(1)
        .no_effect();
    return s;
  }();
  return schema;
}

const char* plugin_kind_name(PluginKind k) {
  switch (k) {
    case PluginKind::Input: return "input";
    case PluginKind::Filter: return "filter";
    case PluginKind::Output: return "output";
    case PluginKind::Codec: return "codec";
  }
  return "?";
}

OptionSpecs PluginInfo::all_options() const {
  OptionSpecs all = options;
  OptionSpecs common;
  switch (kind) {
    case PluginKind::Input: common = Input::common_schema().specs(); break;
    case PluginKind::Filter: common = Filter::common_schema().specs(); break;
    case PluginKind::Output: common = Output::common_schema().specs(); break;
    case PluginKind::Codec: break;
  }
  for (auto& c : common) {
    bool overridden = false;
    for (auto& o : all) overridden |= o.name == c.name;
    if (!overridden) all.push_back(c);
  }
  return all;
}

const PluginInfo* find_plugin(PluginKind kind, std::string_view name) {
  for (auto& p : plugin_registry())
    if (p.kind == kind && p.name == name) return &p;
  return nullptr;
}

const RefusedPlugin* find_refused_plugin(PluginKind kind, std::string_view name) {
  for (auto& p : refused_plugins())
    if (p.kind == kind && p.name == name) return &p;
  return nullptr;
}

}  // namespace logpipe
