// BulkSender: the elasticsearch output's HTTP side, one event-loop thread
// over libcurl's multi interface.
//
//   submit(work) --> items --> bulk being built --sealed at max bytes, max
//   events or linger--> ready requests --> a live host with a free slot
//   (round robin) --> keep-alive connection --> `_bulk` response -->
//   an outcome per item --> OutputWork::complete() when all of its items
//   have one.
//
// What each answer means (ES_BULK_CONTRACT.md):
//   connection error, timeout  the host is set aside (probed every
//                              resurrect_delay with GET healthcheck_path);
//                              the items are retried by the engine
//   429, 5xx, 401, 403, other  the items are retried (backoff in the engine)
//   413                        the request is split in two and sent again; a
//                              lone document is dead-lettered
//   400, 406                   split likewise to find the bad document, which
//                              is dead-lettered with the reason
//   200                        per item: 2xx delivered; 409 done (a `create`
//                              of a document already there: a duplicate);
//                              400, 404 and dlq_custom_codes dead-lettered
//                              with "status type: reason"; the rest retried.
//                              Fewer or more items than actions: all retried.
// Hosts start set aside and are probed first; with manage_template the
// template is installed on the first live host before any bulk is sent.
#pragma once

#include <map>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/metrics/latency_histogram.h"
#include "engine/plugin.h"

namespace logpipe {

struct EsHostConfig {
  std::string base_url;  // scheme://host:port[/path], no credentials, no trailing "/"
};

struct BulkSenderConfig {
  std::string output_id;
  std::vector<EsHostConfig> hosts;
  // Authentication: basic, or an API key header value ("ApiKey <base64>").
  std::string user, password, api_key_header;
  std::vector<std::pair<std::string, std::string>> custom_headers;
  std::string query;  // "k=v&..." appended to every URL (parameters option)
  // TLS
  std::string ca_file, client_cert, client_key;
  bool verify = true;

  int64_t timeout_ms = 60000;
  int64_t resurrect_delay_ms = 5000;
  std::string healthcheck_path = "/";
  long pool_max = 1000, pool_max_per_route = 100;
  int compression_level = 1;  // 0: none

  size_t bulk_max_bytes = 20 << 20;
  size_t bulk_max_events = 5000;
  int64_t linger_ms = 10;
  size_t max_requests_per_host = 4;

  std::set<int> dlq_custom_codes;

  // Template: installed once, before the first bulk, when template_body is set.
  std::string template_path;  // "/_index_template/logstash" or "/_template/logstash"
  std::string template_body;
  bool template_overwrite = false;
};

struct BulkSenderStats {
  uint64_t requests = 0, request_failures = 0, bytes_sent = 0;
  uint64_t items_delivered = 0, items_duplicate = 0, items_retried = 0, items_rejected = 0;
  std::map<long, uint64_t> responses;  // bulk requests answered, by HTTP status (0: no answer)
  LatencyHistogram latency;             // of bulk requests, sent -> answered
};

class BulkSender {
 public:
  explicit BulkSender(BulkSenderConfig config);
  ~BulkSender();  // stops the thread; work not completed by then is never completed

  void submit(OutputWork& work);  // any thread
  void flush();                   // seal what is being built now
  BulkSenderStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logpipe
