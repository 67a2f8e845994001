// FieldDecorators: the add_field / add_tag / remove_field / remove_tag
// operations shared by every filter (on success) and add_field / tags by
// every input, with Logstash's semantics: names and values are sprintf
// templates; adding to a field that exists turns it into an array and appends.
#pragma once

#include <string>
#include <vector>

#include "engine/event/event.h"
#include "engine/event/sprintf.h"

namespace logpipe {

class AddFields {
 public:
  AddFields() = default;
  explicit AddFields(const Object& spec);  // { name => value or [values] }
  void apply(Event& e) const;
  bool empty() const { return fields_.empty(); }

 private:
  struct Field {
    SprintfTemplate name;
    std::optional<FieldRef> ref;  // parsed once when the name is constant
    std::vector<SprintfTemplate> values;
  };
  std::vector<Field> fields_;
};

class TagList {
 public:
  TagList() = default;
  explicit TagList(const std::vector<std::string>& tags);
  void add_to(Event& e) const;
  void remove_from(Event& e) const;
  bool empty() const { return tags_.empty(); }

 private:
  std::vector<SprintfTemplate> tags_;
};

class RemoveFields {
 public:
  RemoveFields() = default;
  explicit RemoveFields(const std::vector<std::string>& fields);
  void apply(Event& e) const;
  bool empty() const { return fields_.empty(); }

 private:
  struct Field {
    SprintfTemplate name;
    std::optional<FieldRef> ref;  // parsed once when the name is constant
  };
  std::vector<Field> fields_;
};

// Sets or appends as Logstash's add_field does.
void add_field_value(Event& e, const FieldRef& ref, Value v);

}  // namespace logpipe
