#include "engine/event/event.h"

#include <charconv>
#include <tuple>
#include <utility>

namespace logpipe {

Event::Event(std::string message) : Event(std::move(message), Timestamp::now()) {}

Event::Event(std::string message, Timestamp ts) {
  auto& f = fields_.entries();
  f.reserve(16);
  // Values built in place: no temporary Value to move and destroy.
  auto add = [&f](const char* name, auto&& value) {
    f.emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                   std::forward_as_tuple(std::forward<decltype(value)>(value)));
  };
  add("@timestamp", ts);
  add("@version", "1");
  add("message", std::move(message));
}

namespace {

// Array index of a fragment: digits with an optional minus; nullopt otherwise.
bool array_index(const std::string& frag, size_t size, size_t* out) {
  if (frag.empty()) return false;
  long long idx = 0;
  const char* b = frag.data();
  const char* e = b + frag.size();
  auto r = std::from_chars(b, e, idx);
  if (r.ec != std::errc() || r.ptr != e) return false;
  if (idx < 0) idx += static_cast<long long>(size);
  if (idx < 0 || static_cast<size_t>(idx) >= size) return false;
  *out = static_cast<size_t>(idx);
  return true;
}

Value* child(Value* v, const std::string& frag) {
  if (v->is_object()) return v->as_object().find(frag);
  if (v->is_array()) {
    size_t i;
    if (array_index(frag, v->as_array().size(), &i)) return &v->as_array()[i];
  }
  return nullptr;
}

}  // namespace

Value* Event::get(const FieldRef& ref) {
  Object& root = ref.metadata() ? metadata_ : fields_;
  const auto& path = ref.path();
  if (path.empty()) return nullptr;
  Value* v = root.find(path[0]);
  for (size_t i = 1; v && i < path.size(); ++i) v = child(v, path[i]);
  return v;
}

const Value* Event::get(const FieldRef& ref) const {
  return const_cast<Event*>(this)->get(ref);
}

bool Event::set(const FieldRef& ref, Value v) {
  Object* root = ref.metadata() ? &metadata_ : &fields_;
  const auto& path = ref.path();
  if (path.empty()) {
    if (ref.metadata() && v.is_object()) {
      metadata_ = std::move(v.as_object());
      return true;
    }
    return false;
  }
  // Walk down the containers: objects by key, arrays (nested ones too) by index.
  // Only an existing array can refuse a step, and that happens before anything
  // below it is created, so a failed set changes nothing.
  Value* container = nullptr;  // nullptr: the root object
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    Value* next;
    if (!container) {
      next = &(*root)[path[i]];
    } else if (container->is_array()) {
      size_t idx;
      if (!array_index(path[i], container->as_array().size(), &idx)) return false;
      next = &container->as_array()[idx];
    } else {
      next = &container->as_object()[path[i]];
    }
    if (!next->is_object() && !next->is_array()) *next = Value(Object());
    container = next;
  }
  if (container && container->is_array()) {
    size_t idx;
    if (!array_index(path.back(), container->as_array().size(), &idx)) return false;
    container->as_array()[idx] = std::move(v);
    return true;
  }
  Object& parent = container ? container->as_object() : *root;
  parent.set(path.back(), std::move(v));
  return true;
}

bool Event::remove(const FieldRef& ref) {
  const auto& path = ref.path();
  if (path.empty()) {
    if (!ref.metadata()) return false;
    bool had = !metadata_.empty();
    metadata_.clear();
    return had;
  }
  Object& root = ref.metadata() ? metadata_ : fields_;
  if (path.size() == 1) return root.erase(path[0]);
  Value* parent = root.find(path[0]);
  for (size_t i = 1; parent && i + 1 < path.size(); ++i) parent = child(parent, path[i]);
  if (!parent) return false;
  if (parent->is_object()) return parent->as_object().erase(path.back());
  if (parent->is_array()) {
    size_t idx;
    auto& arr = parent->as_array();
    if (!array_index(path.back(), arr.size(), &idx)) return false;
    arr.erase(arr.begin() + static_cast<long>(idx));
    return true;
  }
  return false;
}

const std::string* Event::message() const {
  const Value* v = fields_.find("message");
  return v && v->is_string() ? &v->as_string() : nullptr;
}

bool Event::timestamp(Timestamp* out) const {
  const Value* v = fields_.find("@timestamp");
  if (!v || !v->is_timestamp()) return false;
  *out = v->as_timestamp();
  return true;
}

void Event::add_tag(std::string_view tag) {
  Value& tags = fields_["tags"];
  if (tags.is_null()) tags = Value(Array());
  if (!tags.is_array()) {
    Array a;
    a.push_back(std::move(tags));
    tags = Value(std::move(a));
  }
  for (auto& t : tags.as_array())
    if (t.is_string() && t.as_string() == tag) return;
  tags.as_array().emplace_back(std::string(tag));
}

bool Event::has_tag(std::string_view tag) const {
  const Value* tags = fields_.find("tags");
  if (!tags) return false;
  if (tags->is_string()) return tags->as_string() == tag;
  if (!tags->is_array()) return false;
  for (auto& t : tags->as_array())
    if (t.is_string() && t.as_string() == tag) return true;
  return false;
}

void Event::remove_tag(std::string_view tag) {
  Value* tags = fields_.find("tags");
  if (!tags) return;
  if (tags->is_string()) {
    if (tags->as_string() == tag) fields_.erase("tags");
    return;
  }
  if (!tags->is_array()) return;
  auto& a = tags->as_array();
  for (auto it = a.begin(); it != a.end();) {
    if (it->is_string() && it->as_string() == tag)
      it = a.erase(it);
    else
      ++it;
  }
}

}  // namespace logpipe
