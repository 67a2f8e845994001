// JSON reader: JSON text to a logpipe::Value, with simdjson.
//
// Contract:
// - Objects keep the document's key order. A repeated key keeps its first
//   position and its last value (what Ruby's and Jackson's parsers do).
// - Integers that fit int64 are Int. Larger integers (up to uint64 and beyond)
//   become Float, the nearest double: Value has no unsigned or big-integer
//   kind, and Elasticsearch's `long` could not hold them either. Numbers with
//   a fraction or exponent are Float; one outside the double range (1e400) is
//   an error.
// - Invalid JSON, invalid UTF-8 anywhere in the text, nesting deeper than
//   1024 levels or trailing content after the value: returns false and puts
//   a short reason in *error (when given); *out is then unspecified.
//   Callers that prefer repair over rejection use append_repaired_utf8() (engine/text/utf8.h) first.
// - Any JSON value may be the root (objects, arrays and scalars).
//
// Thread-safe: each thread keeps its own parser and padded buffer, reused
// from call to call, so a parse allocates only for the Value it builds.
#pragma once

#include <string>
#include <string_view>

#include "engine/event/value.h"

namespace logpipe {

bool parse_json(std::string_view text, Value* out, std::string* error);

// The deepest nesting parse_json accepts (simdjson's limit).
constexpr int kJsonMaxDepth = 1024;

// The same, with nesting bounded at max_depth levels (1 .. kJsonMaxDepth; a
// scalar is depth 0, [] is 1): deeper text is refused as "nested deeper than
// N levels". The json codecs' and filter's max_depth option.
bool parse_json(std::string_view text, Value* out, std::string* error, int max_depth);


}  // namespace logpipe
