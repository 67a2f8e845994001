// MutateConvert: mutate's convert option, value by value, as Logstash's
// converters behave: integer (Integer(), else BigDecimal#to_i, hex, commas
// dropped), integer_eu and float_eu (dot and comma swapped first), float
// (Float()), string, and boolean (Logstash's word lists, which are
// line-anchored regexes). The Ruby number rules are engine/text/ruby_number.h's;
// what does not fit int64 or a finite double fails. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "engine/event/value.h"

namespace logpipe {

enum class ConvertType { Integer, IntegerEu, Float, FloatEu, String, Boolean };

const char* convert_type_name(ConvertType t);
std::optional<ConvertType> convert_type_named(const std::string& name);

// Converts one non-null value in place. False when Logstash's converter
// raises (the event is then tagged); a boolean that matches neither word list
// is left as it is, which is not a failure.
bool convert_value(Value& v, ConvertType type);

}  // namespace logpipe
