#include "outputs/elasticsearch/bulk_encoder.h"

#include "engine/event/field_ref.h"
#include "engine/text/json_writer.h"

namespace logpipe {

namespace {

bool valid_action(std::string_view a) {
  return a == "index" || a == "create" || a == "update" || a == "delete";
}

void refuse(std::string_view reason, std::string& out) {
  out += kRefused;
  out += reason;
}

// Parsed once, on first use (not at static initialisation, which would
// depend on the order of translation units).
struct DataStreamRefs {
  FieldRef type = FieldRef::must("[data_stream][type]");
  FieldRef dataset = FieldRef::must("[data_stream][dataset]");
  FieldRef namespace_ = FieldRef::must("[data_stream][namespace]");
};
const DataStreamRefs& ds_refs() {
  static const DataStreamRefs refs;
  return refs;
}

const std::string* string_field(const Event& e, const FieldRef& ref) {
  const Value* v = e.get(ref);
  return v && v->is_string() && !v->as_string().empty() ? &v->as_string() : nullptr;
}

}  // namespace

void BulkEncoder::append_meta(std::string_view key, const std::string& value, std::string& out) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(value, out);
}

// [data_stream][type|dataset|namespace] of the event when auto routing is on
// and they are set, else the configured ones.
void BulkEncoder::data_stream_target(const Event& e, std::string& index) {
  const BulkActionConfig& c = *config_;
  const std::string* t = c.ds_auto_routing ? string_field(e, ds_refs().type) : nullptr;
  const std::string* d = c.ds_auto_routing ? string_field(e, ds_refs().dataset) : nullptr;
  const std::string* n = c.ds_auto_routing ? string_field(e, ds_refs().namespace_) : nullptr;
  ds_type_ = t ? *t : c.ds_type;
  ds_dataset_ = d ? *d : c.ds_dataset;
  ds_namespace_ = n ? *n : c.ds_namespace;
  index = ds_type_ + '-' + ds_dataset_ + '-' + ds_namespace_;
}

void BulkEncoder::encode(const Event& e, std::string& out) {
  const BulkActionConfig& c = *config_;
  if (c.data_stream) {
    action_ = "create";
    data_stream_target(e, index_);
  } else {
    action_.clear();
    c.action.append(e, action_);
    index_.clear();
    c.index.append(e, index_);
  }
  if (!valid_action(action_)) {
    refuse("unsupported action [" + action_ + "]: must be index, create, update or delete", out);
    return;
  }
  if (c.dlq_on_failed_index_interpolation && index_.find("%{") != std::string::npos) {
    refuse("badly formatted index, after interpolation still contains placeholder: [" + index_ + "]", out);
    return;
  }

  out += "{\"";
  out += action_;
  out += "\":{\"_index\":";
  append_json_string(index_, out);
  if (c.has_document_id) {
    scratch_.clear();
    c.document_id.append(e, scratch_);
    if (!scratch_.empty()) append_meta("_id", scratch_, out);
  }
  if (c.has_routing) {
    scratch_.clear();
    c.routing.append(e, scratch_);
    if (!scratch_.empty()) append_meta("routing", scratch_, out);
  }
  bool is_update = action_ == "update";
  if (c.has_pipeline && !is_update && action_ != "delete") {
    scratch_.clear();
    c.pipeline.append(e, scratch_);
    if (!scratch_.empty()) append_meta("pipeline", scratch_, out);
  }
  if (is_update) {
    out += ",\"retry_on_conflict\":";
    out += std::to_string(c.retry_on_conflict);
  }
  out += "}}\n";
  if (action_ == "delete") return;

  if (is_update) out += "{\"doc\":";
  if (c.data_stream && c.ds_sync_fields) {
    // The document says where it went.
    Event copy = e;
    copy.set(ds_refs().type, Value(ds_type_));
    copy.set(ds_refs().dataset, Value(ds_dataset_));
    copy.set(ds_refs().namespace_, Value(ds_namespace_));
    append_event_json(copy, out);
  } else {
    append_event_json(e, out);
  }
  if (is_update) {
    if (c.doc_as_upsert) {
      out += ",\"doc_as_upsert\":true";
    } else if (!c.upsert.empty()) {
      out += ",\"upsert\":";
      out += c.upsert;
    }
    out += '}';
  }
  out += '\n';
}

}  // namespace logpipe
