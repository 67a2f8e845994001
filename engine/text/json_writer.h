// JSON output for values and events.
//
// Strings are written as valid UTF-8 whatever they hold: each byte sequence
// that is not valid UTF-8 becomes U+FFFD, because Elasticsearch rejects a bulk
// body with invalid UTF-8 and one bad byte must not cost the event. Control
// characters are escaped; everything else is copied in runs, not byte by byte.
// Numbers: integers exactly; floats as the shortest round-trip form; NaN and
// infinities (not JSON) as null.
#pragma once

#include <string>
#include <string_view>

#include "engine/event/event.h"
#include "engine/event/value.h"

namespace logpipe {

// Appends "..." with escapes and UTF-8 repair.
void append_json_string(std::string_view s, std::string& out);
void append_json(const Value& v, std::string& out);
// The event's fields as one JSON object; @metadata is left out.
void append_event_json(const Event& e, std::string& out);
std::string to_json(const Value& v);

// Multi-line form with two-space indentation and `key => value` pairs: what
// the rubydebug codec prints.
void append_json_pretty(const Value& v, std::string& out, int indent = 0);

}  // namespace logpipe
