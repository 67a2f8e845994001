// dissect filter: splits a field by a pattern of literal delimiters, as
// Logstash's dissect does, without regular expressions.
//
// `mapping` is a hash of source field => pattern such as
// "%{ts} %{+ts} %{src} %{} %{prog}[%{pid}]: %{msg}". Each pattern is compiled
// once into a list of (field, following delimiter) steps; matching walks the
// text once, finding each delimiter with memchr/memmem, so a line costs one
// pass and no regex. Field notation:
//   %{a}        value stored in a (a may be a reference: %{[x][y]})
//   %{} %{?a}   skipped (a named skip keeps the value for %{&a})
//   %{+a}       appended to a, joined with the delimiter that precedes this
//               field in the pattern (a space when there is none)
//   %{+a/2}     appended in the order given by /N instead of pattern order
//   %{&a}       stored under the name found by the field with key a
//   %{a->}      after a's delimiter, repeated copies of it are skipped
// Text before the first field must start the text; the last field takes
// the rest of the text unless a delimiter follows it. An empty text, or a
// pattern without fields, does not match; an empty pattern is ignored.
//
// Contract: all or nothing per mapping entry. When the source is missing, not
// a string, or a delimiter is not found, the event is left unchanged for that
// entry and tagged with tag_on_failure. convert_datatype (field => int|float)
// runs after all mappings; a value that cannot be converted is left as is and
// tagged `_dataconversionuncoercible_<field>_<type>` (a missing field:
// `_dataconversionnullvalue_<field>_<type>`).
//
// One instance per filter worker (holds a scratch buffer): not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace logpipe {

PluginInfo dissect_filter_info();

// A compiled dissect pattern. Exposed for tests and benchmarks.
class Dissection {
 public:
  // Throws std::invalid_argument for a field that cannot be used (bad field
  // reference, bad /N order).
  explicit Dissection(std::string_view pattern);

  // Matches text; on success fills the event and returns true. On failure
  // the event is untouched.
  bool apply(std::string_view text, Event& e);

  const std::string& pattern() const { return pattern_; }
  // Upper bound of new root fields apply() adds (for reserving room).
  size_t field_count() const { return fields_.size(); }
  // True when apply() may write the root field `name` (or below it).
  bool may_write(std::string_view name) const;

 private:
  enum class Kind : uint8_t { Normal, Skip, Append, Indirect };
  struct Field {
    Kind kind = Kind::Normal;
    bool right_padding = false;
    std::string key;  // without prefix or suffix; "" for %{}
    FieldRef ref;     // Normal and Append: where the value goes
    bool top_level = false;
    // A root name no other field of the pattern can write: only fields that
    // existed before apply() need to be searched for it.
    bool unique_name = false;
    int order = 0;           // Append: /N (0 without)
    int group_first = -1;    // index in appends_ when this is the group's first field
    std::string delimiter;   // the delimiter that follows this field ("" at the end)
    std::string preceding;   // the delimiter before it (for appends)
  };
  struct AppendGroup {
    size_t target;              // index of a field of the group: its ref is the destination
    std::vector<size_t> parts; // field indices, in join order
    bool has_normal = false;   // a plain %{a} of the same key gives the base value
  };
  void set_append_group(const AppendGroup& group, Event& e);

  bool match(std::string_view text);

  std::string pattern_;
  std::string leading_;  // text before the first field
  std::vector<Field> fields_;
  bool has_indirect_ = false;  // names only known per event
  std::vector<AppendGroup> appends_;
  std::vector<std::string_view> values_;  // per field, for the text being matched
  std::string joined_;                    // scratch for appends
  size_t existing_fields_ = 0;            // root fields before this apply()
};

class DissectFilter : public Filter {
 public:
  explicit DissectFilter(const PluginArgs& args);
  void filter(Event& e, FilterContext& ctx) override;

 private:
  struct Mapping {
    FieldRef source;
    Dissection dissection;
    bool copy_source = true;  // false when apply() cannot touch the source's storage
  };
  struct Conversion {
    std::string field_name;
    FieldRef field;
    bool to_int = true;
  };
  void convert(Event& e, const Conversion& c);

  std::vector<Mapping> mappings_;
  std::vector<Conversion> conversions_;
  std::vector<std::string> tag_on_failure_;
  std::string scratch_;  // a copy of the source when setting fields could change it
};

}  // namespace logpipe
