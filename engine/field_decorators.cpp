#include "engine/field_decorators.h"

namespace logpipe {

namespace {

// Resolves a (possibly templated) field name for one event.
std::optional<FieldRef> resolve(const SprintfTemplate& name, const Event& e) {
  return FieldRef::parse(name.constant() ? name.text() : name.format(e));
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
    Field f{SprintfTemplate(k), {}};
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
    auto ref = resolve(f.name, e);
    if (!ref) continue;
    for (auto& v : f.values) add_field_value(e, *ref, Value(v.format(e)));
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
  for (auto& f : fields) fields_.emplace_back(f);
}

void RemoveFields::apply(Event& e) const {
  for (auto& f : fields_) {
    auto ref = resolve(f, e);
    if (ref) e.remove(*ref);
  }
}

}  // namespace logpipe
