// field_option: an option whose value is a field reference, parsed once when
// the plugin is built. A reference that does not parse is a config error
// naming the option, the text and why (FieldRef::parse's error quotes the text).
#pragma once

#include <string>
#include <string_view>

#include "engine/config/options.h"
#include "engine/event/field_ref.h"

namespace logpipe {

inline FieldRef field_option(const std::string& option, std::string_view text) {
  std::string error;
  auto ref = FieldRef::parse(text, &error);
  if (!ref) throw OptionError(option, error);
  return *ref;
}

}  // namespace logpipe
