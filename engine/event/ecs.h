// ecs_compatibility: Logstash's two field-naming modes. `disabled` keeps the
// legacy names (host, path, sequence ...); `v1` and `v8` use the Elastic
// Common Schema ([host][name], [log][file][path], [event][sequence] ...).
// v1 and v8 name these fields alike, as in Logstash's plugins.
#pragma once

#include <string>

#include "engine/config/typed_options.h"
#include "engine/event/event.h"
#include "engine/event/field_ref.h"

namespace logpipe {

enum class EcsMode { Disabled, V1, V8 };

inline bool is_ecs_compatibility(const std::string& option) {
  return option == "disabled" || option == "v1" || option == "v8";
}

inline EcsMode ecs_mode(const std::string& option) {
  if (option == "v1") return EcsMode::V1;
  if (option == "v8") return EcsMode::V8;
  return EcsMode::Disabled;
}

// Logstash's ecs_select[disabled: legacy, v1: ecs], as a parsed reference.
inline FieldRef ecs_field(EcsMode mode, const char* legacy, const char* ecs) {
  return FieldRef::must(mode == EcsMode::Disabled ? legacy : ecs);
}

// Sets ref unless the event already has it (what the inputs do with a field
// a codec may have filled: `event.set(f, v) unless event.include?(f)`).
inline void set_unless_present(Event& e, const FieldRef& ref, Value v) {
  if (!e.has(ref)) e.set(ref, std::move(v));
}

// The option as every plugin that has it declares it.
template <class T>
OptionDecl declare_ecs_compatibility(OptionSchema<T>& s, std::string T::*member,
                                     const std::string& legacy_names) {
  OptionDecl d = s.string("ecs_compatibility", member,
                          "Field names: `disabled` (legacy: " + legacy_names +
                              ") or `v1`/`v8` (Elastic Common Schema names).");
  d.fallback("disabled").one_of({"disabled", "v1", "v8"});
  return d;
}

}  // namespace logpipe
