// The JSON answer to a `_bulk` request (contract §2), honouring `filter_path`
// the way ES does for the paths clients use: comma-separated patterns, `*`
// for one path element, `**` for any number; array elements add no element
// (so Logstash's "errors,items.*.error,items.*.status" works). Exclusions
// ("-path") are not supported: such patterns are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/tools/es_server/bulk_body.h"
#include "tests/tools/es_server/document_store.h"

namespace logpipe::es_fake {

class FilterPath {
 public:
  enum class Match { kNone, kPartial, kFull };  // kPartial: something below is included
  explicit FilterPath(std::string_view spec = {});
  bool everything() const { return patterns_.empty(); }
  Match match(const std::vector<std::string_view>& path) const;
  bool includes(const std::vector<std::string_view>& path) const { return match(path) == Match::kFull; }

 private:
  std::vector<std::vector<std::string>> patterns_;
};

// ES's index_uuid for an index name (stable, 22 characters).
std::string index_uuid(std::string_view index);

// `outcomes` parallels `items`; only the first `count` are answered (the
// "wrong item count" fault answers fewer).
std::string bulk_response_json(const std::vector<BulkItem>& items, const std::vector<ItemOutcome>& outcomes,
                               size_t count, uint64_t took_ms, const FilterPath& filter);

}  // namespace logpipe::es_fake
