// A local Elasticsearch 8 `_bulk` contract server for tests and benchmarks:
// real HTTP on 127.0.0.1, the answers of ES_BULK_CONTRACT.md §1-§4, and the
// scriptable faults of §8, so an output can be tested against everything an
// ES cluster does to it without a cluster.
//
//   es_fake::EsFakeServer es;                    // es_fake::Options for store mode, auth, TLS
//   int port = es.start();                       // 127.0.0.1, any free port
//   es.apply_faults_json(R"({"request_statuses":[429,429]})");
//   ... run the output against http://127.0.0.1:<port> ...
//   EXPECT_EQ(es.stats().docs_by_index["logs"], 100u);
//
// The same control is reachable over HTTP (POST /_fake/faults, /_fake/reset,
// GET /_fake/stats, /_fake/docs/<index>, /_fake/requests?last=N), which is
// what logpipe-es-server exposes to scripts. /_fake/* needs no credentials
// and is never subject to faults or counted in the stats.
//
// Thread-safety: every public member may be called from any thread while the
// server runs. start() once; stop() (or the destructor) ends it, closing open
// connections. The server ignores SIGPIPE process-wide (writes to a client
// that went away must fail, not kill the test binary).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace logpipe::es_fake {

// What is kept per document. kIds and kCount exist for benchmarks: kIds still
// detects create conflicts and overwrites; kCount keeps counters only, so every
// index/create is "created" and a delete or update finds nothing.
enum class StoreMode { kFull, kIds, kCount };

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  StoreMode store = StoreMode::kFull;
  size_t max_content_length = 100 * 1024 * 1024;  // ES's http.max_content_length: larger bodies get 413
  std::string basic_auth;                         // "user:password": Basic credentials required
  std::string api_key;                            // "id:key": ApiKey credentials accepted (and required)
  std::string tls_cert, tls_key;                  // both set: HTTPS
  size_t request_log_entries = 64;                // ring of recent requests (/_fake/requests)
  size_t request_log_body_bytes = 1 << 20;        // each logged body is cut after this many bytes
  int threads = 16;                               // concurrent connections served
  int keep_alive_timeout_s = 30;
};

// Rule for per-item statuses. Exactly one selector applies: every_nth (global
// item counter, 1-based, over all bulk items since the last reset), id, or
// field+value (dotted path into the document, value as JSON).
struct ItemRule {
  uint64_t every_nth = 0;
  std::string id;
  std::string field;
  std::string value_json;
  int status = 429;
  std::string type;    // empty: ES's usual type for the status
  std::string reason;  // empty: ES's usual reason
  uint64_t limit = 0;  // 0: fires forever
  uint64_t fired = 0;
};

struct Faults {
  std::vector<ItemRule> item_rules;
  std::deque<int> request_statuses;  // whole-request statuses of the next bulk requests, then normal
  uint64_t every_nth_request = 0;    // every Nth bulk request (counter since reset) gets ...
  int every_nth_request_status = 503;
  int latency_ms = 0;                // added before every non-control response
  uint64_t reset_every_nth = 0;      // close the connection with no response: every Nth bulk request,
  uint64_t reset_next = 0;           // and/or the next K bulk requests;
  bool reset_after_store = false;    // documents of that request stored first (at-least-once duplicates)
  uint64_t short_items_next = 0;     // the next K bulk responses have one item fewer than actions
  size_t max_content_length = 0;     // 0: Options::max_content_length
};

struct Stats {
  uint64_t requests = 0;  // every request except /_fake/*, resets included
  std::map<int, uint64_t> requests_by_status;
  uint64_t connection_resets = 0;
  uint64_t items = 0;
  std::map<int, uint64_t> items_by_status;
  uint64_t docs_total = 0;  // documents stored now (count mode: created - deleted)
  std::map<std::string, uint64_t> docs_by_index;
  uint64_t overwrites = 0;       // index action on an existing _id
  uint64_t bytes_received = 0;   // request bodies as sent (compressed if gzip)
  uint64_t bytes_decoded = 0;    // request bodies after Content-Encoding
};

struct StoredDoc {
  std::string id;
  uint64_t version = 0;
  uint64_t seq_no = 0;
  std::string source;  // store full only
};

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded, cut after Options::request_log_body_bytes
  bool body_truncated = false;
  int status = 0;  // 0: the connection was closed without a response
};

class EsFakeServer {
 public:
  explicit EsFakeServer(Options options = {});
  ~EsFakeServer();
  EsFakeServer(const EsFakeServer&) = delete;
  EsFakeServer& operator=(const EsFakeServer&) = delete;

  // Binds and serves; returns the port. Throws std::runtime_error if it cannot.
  int start();
  void stop();
  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT" (https with TLS)

  void set_faults(Faults faults);  // replaces every knob
  // Applies a /_fake/faults body: each key present replaces that knob, others
  // stay. Returns "" or what is wrong with the JSON (then nothing changes).
  std::string apply_faults_json(std::string_view json);
  Faults faults() const;
  // Forget faults, documents, templates, counters and the request log.
  void reset();

  // Stop listening (new connections are refused, open ones are closed) for
  // `duration`, or until resume_listening() if duration is negative; then
  // listen again on the same port.
  void refuse_connections(std::chrono::milliseconds duration);
  void resume_listening();
  bool refusing() const;

  Stats stats() const;
  std::string stats_json() const;
  std::vector<StoredDoc> docs(std::string_view index) const;  // in _seq_no order
  std::vector<RecordedRequest> recent_requests(size_t last) const;
  std::map<std::string, std::string> index_templates() const;   // name -> JSON body
  std::map<std::string, std::string> legacy_templates() const;  // name -> JSON body

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// "full" | "ids" | "count"; false if unknown.
bool parse_store_mode(std::string_view text, StoreMode& mode);

}  // namespace logpipe::es_fake
