#include "filters/syslog_pri_filter.h"

#include <stdexcept>

#include "engine/config/typed_options.h"
#include "engine/text/ruby_number.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

struct SyslogPriOptions {
  std::optional<std::string> syslog_pri_field_name;
  bool use_labels = true;
  std::vector<std::string> facility_labels, severity_labels;
  std::string ecs_compatibility;
};

Value labels(std::initializer_list<const char*> names) {
  Array a;
  for (const char* n : names) a.emplace_back(n);
  return Value(std::move(a));
}

const OptionSchema<SyslogPriOptions>& syslog_pri_schema() {
  static const OptionSchema<SyslogPriOptions> schema = [] {
    OptionSchema<SyslogPriOptions> s;
    s.string("syslog_pri_field_name", &SyslogPriOptions::syslog_pri_field_name,
             "Field holding the PRI (default: syslog_pri; with ECS [log][syslog][priority]).");
    s.boolean("use_labels", &SyslogPriOptions::use_labels,
              "Also store the facility and severity names.")
        .fallback(true);
    s.strings("facility_labels", &SyslogPriOptions::facility_labels,
              "Facility names, by facility code.")
        .fallback(labels({"kernel", "user-level", "mail", "daemon", "security/authorization",
                          "syslogd", "line printer", "network news", "uucp", "clock",
                          "security/authorization", "ftp", "ntp", "log audit", "log alert", "clock",
                          "local0", "local1", "local2", "local3", "local4", "local5", "local6",
                          "local7"}));
    s.strings("severity_labels", &SyslogPriOptions::severity_labels,
              "Severity names, by severity code.")
        .fallback(labels({"emergency", "alert", "critical", "error", "warning", "notice",
                          "informational", "debug"}));
    s.string("ecs_compatibility", &SyslogPriOptions::ecs_compatibility,
             "Field names: disabled (syslog_facility, syslog_severity_code ...) or v1/v8 "
             "([log][syslog][facility][code] ...).")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

// Ruby's array[i]: negative counts from the end; nullptr when out of range.
const std::string* label_at(const std::vector<std::string>& labels, int64_t i) {
  int64_t n = static_cast<int64_t>(labels.size());
  if (i < 0) i += n;
  if (i < 0 || i >= n) return nullptr;
  return &labels[static_cast<size_t>(i)];
}

}  // namespace

SyslogPriFilter::SyslogPriFilter(const PluginArgs& args) : Filter(args) {
  SyslogPriOptions o = syslog_pri_schema().bind(args.settings);
  bool ecs = o.ecs_compatibility != "disabled";
  pri_field_ = field_option("syslog_pri_field_name",
                            o.syslog_pri_field_name.value_or(ecs ? "[log][syslog][priority]" : "syslog_pri"));
  facility_code_ = FieldRef::must(ecs ? "[log][syslog][facility][code]" : "syslog_facility_code");
  severity_code_ = FieldRef::must(ecs ? "[log][syslog][severity][code]" : "syslog_severity_code");
  facility_name_ = FieldRef::must(ecs ? "[log][syslog][facility][name]" : "syslog_facility");
  severity_name_ = FieldRef::must(ecs ? "[log][syslog][severity][name]" : "syslog_severity");
  use_labels_ = o.use_labels;
  facility_labels_ = std::move(o.facility_labels);
  severity_labels_ = std::move(o.severity_labels);
}

int64_t SyslogPriFilter::priority_of(const Event& e) const {
  const Value* v = e.get(pri_field_);
  if (!v || v->is_null() || (v->is_bool() && !v->as_bool())) return 13;
  if (v->is_array()) {
    if (v->as_array().empty()) return 0;  // nil.to_i
    v = &v->as_array().front();
    if (v->is_null()) return 0;
  }
  if (v->is_int()) return v->as_int();
  if (v->is_float()) return static_cast<int64_t>(v->as_float());
  if (v->is_string()) {
    auto n = ruby_to_i(v->as_string());
    if (!n) throw std::runtime_error("syslog_pri: PRI out of range: " + v->as_string());
    return *n;
  }
  throw std::runtime_error("syslog_pri: field " + pri_field_.text() + " holds no number");
}

void SyslogPriFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  int64_t pri = priority_of(e);
  int64_t severity = pri & 7;
  int64_t facility = pri >> 3;  // arithmetic shift, as Ruby's >> on negatives
  e.set(severity_code_, Value(severity));
  e.set(facility_code_, Value(facility));
  if (use_labels_) {
    if (facility > static_cast<int64_t>(facility_labels_.size()) - 1) {
      e.add_tag("_syslogpriparsefailure");
    } else {
      if (const std::string* name = label_at(facility_labels_, facility)) e.set(facility_name_, Value(*name));
      if (const std::string* name = label_at(severity_labels_, severity)) e.set(severity_name_, Value(*name));
    }
  }
  filter_matched(e);
}

PluginInfo syslog_pri_filter_info() {
  PluginInfo info;
  info.name = "syslog_pri";
  info.kind = PluginKind::Filter;
  info.description = "Splits a syslog PRI value into facility and severity codes and names.";
  info.options = syslog_pri_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<SyslogPriFilter>(args);
  };
  return info;
}

}  // namespace logpipe
