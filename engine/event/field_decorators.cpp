#include "engine/event/field_decorators.h"

namespace logpipe {

namespace {

// Calls fn with the field a (possibly templated) name refers to for this
// event; constant names were parsed at construction, so they cost nothing.
template <typename Fn>
void with_field(const SprintfTemplate& name, const std::optional<FieldRef>& ref, const Event& e,
                Fn&& fn) {
  if (name.constant()) {
    if (ref) fn(*ref);
    return;
  }
  if (auto parsed = FieldRef::parse(name.format(e))) fn(*parsed);
}

std::optional<FieldRef> parse_if_constant(const SprintfTemplate& name) {
  return name.constant() ? FieldRef::parse(name.text()) : std::nullopt;
}

}  // namespace

void add_field_value(Event& e, const FieldRef& ref, Value v) {
  Value* existing = e.get(ref);
  if (!existing) {
    e.set(ref, std::move(v));
    return;
  }
  if (!existing->is_array()) {
    Array a;
    a.push_back(std::move(*existing));
    *existing = Value(std::move(a));
  }
  existing->as_array().push_back(std::move(v));
}

AddFields::AddFields(const Object& spec) {
  for (auto& [k, v] : spec) {
    Field f{SprintfTemplate(k), std::nullopt, {}};
    f.ref = parse_if_constant(f.name);
    if (v.is_array()) {
      for (auto& x : v.as_array()) f.values.emplace_back(x.to_string());
    } else {
      f.values.emplace_back(v.to_string());
    }
    fields_.push_back(std::move(f));
  }
}

void AddFields::apply(Event& e) const {
  for (auto& f : fields_) {
    with_field(f.name, f.ref, e, [&](const FieldRef& ref) {
      for (auto& v : f.values) add_field_value(e, ref, Value(v.format(e)));
    });
  }
}

TagList::TagList(const std::vector<std::string>& tags) {
  for (auto& t : tags) tags_.emplace_back(t);
}

void TagList::add_to(Event& e) const {
  for (auto& t : tags_) {
    if (t.constant())
      e.add_tag(t.text());
    else
      e.add_tag(t.format(e));
  }
}

void TagList::remove_from(Event& e) const {
  for (auto& t : tags_) {
    if (t.constant())
      e.remove_tag(t.text());
    else
      e.remove_tag(t.format(e));
  }
}

RemoveFields::RemoveFields(const std::vector<std::string>& fields) {
  for (auto& f : fields) {
    Field field{SprintfTemplate(f), std::nullopt};
    field.ref = parse_if_constant(field.name);
    fields_.push_back(std::move(field));
  }
}

void RemoveFields::apply(Event& e) const {
  for (auto& f : fields_) {
    with_field(f.name, f.ref, e, [&](const FieldRef& ref) { e.remove(ref); });
  }
}

}  // namespace logpipe
