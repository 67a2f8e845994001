// Reading Elasticsearch's answers: the per-item results of a `_bulk`
// response and the error of a failed request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

struct BulkItemResult {
  int status = 0;
  std::string error;  // "type: reason" for a failed item, else empty
};

// Fills `items` with one result per item, in order. False, with *error, when
// the body is not a `_bulk` response.
bool parse_bulk_response(std::string_view body, std::vector<BulkItemResult>& items, std::string* error);

// "type: reason" from an error body ({"error":{"type","reason"},"status"} or
// {"error":"text","status"}); the start of the body when it is neither.
std::string es_error_summary(std::string_view body);

}  // namespace logpipe
