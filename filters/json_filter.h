// json filter: parses a field holding JSON text, as Logstash's json filter.
//
// `source` names the field; with `target` the parsed value (of any JSON kind)
// is stored there, replacing what was there. Without `target` the parsed value
// must be an object and its keys are set at the event's root (a key written
// as a field reference, `[a][b]`, sets a nested field, as Logstash's
// event.set does). A root `@timestamp` string becomes the event's timestamp;
// one that does not parse as ISO 8601 leaves the current time, is kept as
// text in `_@timestamp` and tags the event `_timestampparsefailure`.
//
// Bad input: invalid JSON, a source that is not a string, or a non-object
// without target tags the event with tag_on_failure and changes nothing
// else (skip_on_invalid_json only silences the warning, as in Logstash). A
// root key that is not a valid field reference (`[a`) stops there, tagged.
// A missing source field is a no-op. Invalid UTF-8 is repaired (U+FFFD)
// before parsing rather than rejected. Empty or blank text parses as null.
// Per-event problems are logged at debug level only (Logstash warns per
// event; at our rates that would flood the log): the tags tell.
//
// Parsing uses engine/text/json_reader.h (simdjson, per-thread parser).
// One instance per filter worker: not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo json_filter_info();

class JsonFilter : public Filter {
 public:
  explicit JsonFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  void fail(Event& e) const;

  FieldRef source_;
  std::optional<FieldRef> target_;
  bool skip_on_invalid_json_ = false;
  int max_depth_ = 0;
  std::vector<std::string> tag_on_failure_;
  std::string repaired_;  // scratch for text with invalid UTF-8
};

}  // namespace logpipe
