// The NDJSON of one event in a `_bulk` request, made on the filter workers.
//
// Each event becomes its action line and, except for `delete`, its source
// line, both ending in "\n":
//   {"index":{"_id":"..","_index":"..","routing":"..","pipeline":".."}}
//   {"@timestamp":..,"message":..}
// `update` sends {"doc":<event>} with "doc_as_upsert":true or "upsert":<json>
// when asked, and retry_on_conflict. In data-stream mode the action is
// `create` and the index is <type>-<dataset>-<namespace>, taken from the
// event's [data_stream] fields when auto routing is on and written back into
// the document when sync_fields is on (as Logstash does).
//
// An event that cannot be sent (an action that is not one of the four, an
// index that still holds an unresolved %{...}) is encoded as a refusal:
// kRefused then the reason, no newline. The output dead-letters it without
// sending it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/event/sprintf.h"
#include "engine/plugin.h"

namespace logpipe {

struct BulkActionConfig {
  SprintfTemplate index;
  SprintfTemplate action;         // index | create | update | delete, per event
  SprintfTemplate document_id;    // unset: Elasticsearch makes the id
  SprintfTemplate routing;
  SprintfTemplate pipeline;
  bool has_document_id = false, has_routing = false, has_pipeline = false;
  bool doc_as_upsert = false;
  std::string upsert;             // JSON text, empty for none
  int64_t retry_on_conflict = 1;
  bool dlq_on_failed_index_interpolation = true;

  bool data_stream = false;
  std::string ds_type = "logs", ds_dataset = "generic", ds_namespace = "default";
  bool ds_auto_routing = true, ds_sync_fields = true;
};

constexpr char kRefused = '\0';

// True for bytes the encoder made for an event that must not be sent; the
// reason follows the marker.
inline bool bulk_refused(std::string_view item) { return !item.empty() && item[0] == kRefused; }

class BulkEncoder final : public OutputEncoder {
 public:
  explicit BulkEncoder(std::shared_ptr<const BulkActionConfig> config) : config_(std::move(config)) {}
  void encode(const Event& e, std::string& out) override;

 private:
  void data_stream_target(const Event& e, std::string& index);
  void append_meta(std::string_view key, const std::string& value, std::string& out);

  std::shared_ptr<const BulkActionConfig> config_;
  std::string action_, index_, scratch_;
  std::string ds_type_, ds_dataset_, ds_namespace_;
};

}  // namespace logpipe
