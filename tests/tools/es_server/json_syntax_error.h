// Where and why a JSON text is malformed, worded like Jackson (the parser
// Elasticsearch uses), so the fake server's document_parsing_exception reasons
// read like ES 8's ("[1:15] failed to parse: Unexpected character ...").
//
// Only called on the error path: simdjson decides *whether* a line is valid;
// this decides *what to say*. Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace logpipe::es_fake {

struct JsonSyntaxError {
  size_t column = 1;    // 1-based byte column of the offending byte
  std::string message;  // Jackson's wording, without location
};

// The first syntax or UTF-8 error in `text` (a single-line JSON document), or
// nullopt when it is well-formed (one value, optional surrounding spaces).
std::optional<JsonSyntaxError> find_json_syntax_error(std::string_view text);

// ES 8's suffix to a Jackson message: "\n at [Source: REDACTED ...; line: 1, column: N]".
std::string jackson_location_suffix(size_t column);

}  // namespace logpipe::es_fake
