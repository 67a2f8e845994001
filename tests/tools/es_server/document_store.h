// The fake server's indices: what index/create/update/delete do to documents,
// with ES 8's results, versions and sequence numbers (contract §1-§2).
// Not thread-safe: the server applies a whole bulk under its lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tests/tools/es_server/bulk_body.h"
#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe::es_fake {

// One item's answer. status >= 300 with an error_type is an item failure;
// delete of a missing document is 404 "not_found" without error.
struct ItemOutcome {
  int status = 0;
  std::string id;
  const char* result = nullptr;  // created | updated | deleted | not_found | noop
  uint64_t version = 0;
  uint64_t seq_no = 0;
  std::string error_type;
  std::string error_reason;
  bool index_known = true;  // false: invalid index name (index_uuid "_na_", no shard)
};

// "" or ES's reason why `name` cannot be an index ("must be lowercase", ...).
std::string invalid_index_name_reason(std::string_view name);

// A 20-character URL-safe id like ES's time-based auto ids.
std::string generate_document_id();

class DocumentStore {
 public:
  explicit DocumentStore(StoreMode mode) : mode_(mode) {}

  // Applies a parsed item; `item.id` empty means generate one (index/create).
  ItemOutcome apply(const BulkItem& item);

  void clear() { indices_.clear(); overwrites_ = 0; }
  uint64_t overwrites() const { return overwrites_; }
  std::map<std::string, uint64_t> docs_by_index() const;
  std::vector<StoredDoc> docs(std::string_view index) const;

 private:
  struct Doc {
    uint64_t version = 0;
    uint64_t seq_no = 0;
    std::string source;
  };
  struct Index {
    std::unordered_map<std::string, Doc> docs;
    uint64_t next_seq_no = 0;
    uint64_t counted = 0;  // StoreMode::kCount
  };

  ItemOutcome write(Index& index, const BulkItem& item, std::string id);
  ItemOutcome update(Index& index, const BulkItem& item);
  ItemOutcome remove(Index& index, const BulkItem& item);
  std::string_view kept(std::string_view source) const { return mode_ == StoreMode::kFull ? source : std::string_view(); }

  StoreMode mode_;
  std::unordered_map<std::string, Index> indices_;
  uint64_t overwrites_ = 0;
};

}  // namespace logpipe::es_fake
