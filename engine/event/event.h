// Event: one log record as Logstash models it.
//
// The fields live in one Object (`message`, `@timestamp`, `@version`, `host`,
// `tags`, anything a filter adds, nested as objects). `[@metadata]` lives apart
// in its own Object and is never written by outputs. `@timestamp` is an ordinary
// field holding a Timestamp value, so it can be read, removed or replaced like
// any other field.
//
// An event belongs to one thread at a time (its batch's). A filter that wants
// an event gone calls cancel(); the pipeline drops cancelled events before the
// next step.
#pragma once

#include <string>
#include <string_view>

#include "engine/event/field_ref.h"
#include "engine/event/value.h"

namespace logpipe {

class Event {
 public:
  Event() = default;
  // The usual event an input makes from a line: message, @timestamp = now,
  // @version = "1".
  explicit Event(std::string message);
  Event(std::string message, Timestamp ts);

  Object& fields() { return fields_; }
  const Object& fields() const { return fields_; }
  Object& metadata() { return metadata_; }
  const Object& metadata() const { return metadata_; }

  // nullptr when any step of the path is missing or not a container.
  const Value* get(const FieldRef& ref) const;
  Value* get(const FieldRef& ref);
  // Creates missing intermediate objects; replaces a non-object intermediate.
  // Returns false only for a path that cannot be set (array index out of range).
  bool set(const FieldRef& ref, Value v);
  // Returns the removed value's presence.
  bool remove(const FieldRef& ref);
  bool has(const FieldRef& ref) const { return get(ref) != nullptr; }

  // Convenience for top-level names (no parsing, no metadata).
  const Value* get_top(std::string_view name) const { return fields_.find(name); }
  void set_top(std::string_view name, Value v) { fields_.set(name, std::move(v)); }

  const std::string* message() const;  // nullptr unless `message` is a string
  // @timestamp if present and a timestamp.
  bool timestamp(Timestamp* out) const;
  void set_timestamp(Timestamp ts) { fields_.set("@timestamp", Value(ts)); }

  // Tags: `tags` is an array of strings; add_tag keeps it free of duplicates,
  // and turns a scalar `tags` into an array first, as Logstash does.
  void add_tag(std::string_view tag);
  bool has_tag(std::string_view tag) const;
  void remove_tag(std::string_view tag);

  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

 private:
  Object fields_;
  Object metadata_;
  bool cancelled_ = false;
};

}  // namespace logpipe
