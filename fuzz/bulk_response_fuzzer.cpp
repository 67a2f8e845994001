// Elasticsearch `_bulk` responses and error bodies: whatever a server (or a
// proxy in front of it) answers.
#include <string>
#include <vector>

#include "outputs/elasticsearch/bulk_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<logpipe::BulkItemResult> items;
  std::string error;
  logpipe::parse_bulk_response(body, items, &error);
  logpipe::es_error_summary(body);
  return 0;
}
