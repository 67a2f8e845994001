// elasticsearch output: events into Elasticsearch through `_bulk`, with the
// options and defaults of Logstash 8's elasticsearch output.
//
// Events are encoded as NDJSON on the filter workers (bulk_encoder.h) and
// sent by the output's HTTP loop (bulk_sender.h), which reads every item's
// answer. An event counts as done only when Elasticsearch stored it, said it
// already had it (409), or refused it for good (400/404, dlq_custom_codes)
// and the dead-letter sink holds it; everything else is retried by the engine
// with exponential backoff (retry_initial_interval .. retry_max_interval),
// indefinitely, so the batch — and the Kafka offsets behind it — is not
// acknowledged meanwhile.
//
// Not done (config errors, not silently ignored): sniffing, ILM management
// (ilm_enabled => true), scripted updates, version/version_type.
#pragma once

#include <string>
#include <vector>

#include "engine/plugin.h"

namespace logpipe {

PluginInfo elasticsearch_output_info();

// Exposed for tests. "host", "host:port", "http(s)://[user:pass@]host[:port][/path]"
// and "//host" become scheme://host:port/path (9200 by default); credentials
// in a URL are moved to *user / *password. Throws OptionError("hosts", ...).
std::string es_base_url(const std::string& host, bool ssl, std::string* user, std::string* password);
// Elastic Cloud: "label:base64(domain$es_uuid$kibana_uuid)" -> https://es_uuid.domain:443.
std::string es_cloud_url(const std::string& cloud_id);

}  // namespace logpipe
