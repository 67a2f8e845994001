// syslog_pri filter: splits a syslog PRI value into facility and severity,
// as Logstash's syslog_pri filter.
//
// The PRI is read from syslog_pri_field_name (legacy `syslog_pri`, ECS
// `[log][syslog][priority]`) the way Ruby's to_i reads it: a string's
// leading integer ("13abc" is 13, "x" is 0), an array's first element; a
// missing, null or false field counts as 13 (user-level notice). Then
// severity = pri & 7 and facility = pri >> 3 are stored as codes and, with
// use_labels, as names from facility_labels / severity_labels. A facility
// beyond the labels tags `_syslogpriparsefailure` and stores no names (the
// codes stay). A negative PRI indexes the labels from the end, as Ruby's
// array indexing does. A PRI of another type (boolean, object) is a
// `_filter_error`. filter_matched runs in every other case, as in Logstash.
// One instance per filter worker: not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo syslog_pri_filter_info();

class SyslogPriFilter : public Filter {
 public:
  explicit SyslogPriFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  int64_t priority_of(const Event& e) const;

  FieldRef pri_field_;
  FieldRef facility_code_, severity_code_, facility_name_, severity_name_;
  bool use_labels_ = true;
  std::vector<std::string> facility_labels_, severity_labels_;
};

}  // namespace logpipe
