// split filter: one event per piece of a field, as Logstash's split filter.
//
// A string field is cut at every `terminator` (default "\n"); an array field
// gives one event per element. Each piece goes into a copy of the event, at
// `target` or, without it, back into the field itself; the copies get the
// filter's add_field/add_tag and go through the rest of the filter graph
// (FilterContext::emit), and the original is cancelled. The copies live in
// the original's batch, so they are acknowledged with it: an input's position
// is committed only once every copy has been delivered.
//
// Logstash's corner cases are kept: empty pieces and null elements make no
// event; a string with no terminator in it is left alone (not even tagged by
// add_tag); an empty string yields no event at all, so the event disappears.
// A terminator of one space splits on runs of whitespace (Ruby's awk mode), an
// empty terminator into characters. Splitting an array without target removes
// the array from the copies before each element is set.
//
// Bad input: a field that is neither a string nor an array (or is missing)
// tags the event `_split_type_failure` and passes it on unchanged.
// One instance per filter worker: not thread-safe.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo split_filter_info();

class SplitFilter : public Filter {
 public:
  explicit SplitFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;
  void collect_metrics(PluginMetrics& out) const override;

 private:
  // Ruby's String#split(terminator, -1): every piece, empty ones included.
  void cut(std::string_view text);
  void split_string(Event& e, Value* value, FilterContext& ctx);
  void split_array(Event& e, Value* value, FilterContext& ctx);
  void emit_copy(const Event& e, Value piece, FilterContext& ctx);

  FieldRef field_;
  std::optional<FieldRef> target_;
  std::string terminator_;
  std::atomic<uint64_t> type_failures_{0};  // one writer: this worker
  std::vector<std::string_view> pieces_;  // scratch, views into the field's text
};

}  // namespace logpipe
