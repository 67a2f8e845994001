// HTTP side of the fake: routes, credentials, faults, counters, and the
// listener that can be taken down and brought back on the same port.
// A bulk is parsed outside the lock (simdjson, the expensive part) and applied
// to the store under it, so connections only serialize on the cheap part.
#include "tests/tools/es_server/es_fake_server.h"

#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <sstream>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "tests/tools/es_server/bulk_body.h"
#include "tests/tools/es_server/bulk_response.h"
#include "tests/tools/es_server/connection_sockets.h"
#include "tests/tools/es_server/document_store.h"
#include "tests/tools/es_server/faults_json.h"
#include "tests/tools/es_server/json_text.h"

namespace logpipe::es_fake {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kJson = "application/json";
constexpr const char* kVersion = "8.13.4";

std::string base64(std::string_view in) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    size_t n = std::min<size_t>(3, in.size() - i);
    uint32_t v = 0;
    for (size_t j = 0; j < 3; ++j) v = (v << 8) | (j < n ? static_cast<unsigned char>(in[i + j]) : 0u);
    for (size_t j = 0; j < 4; ++j) out += j <= n ? kAlphabet[(v >> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}

std::string unbase64(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ES's error type and reason for an injected status of one item, or of the
// whole request when `index` is empty.
std::pair<std::string, std::string> injected_error(int status, std::string_view index, std::string_view id) {
  const std::string i(index), d(id);
  if (i.empty() && status == 403)
    return {"cluster_block_exception", "blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];"};
  if (i.empty() && status == 503) return {"cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/2/no master];"};
  if (i.empty() && status == 400) return {"illegal_argument_exception", "fake server: injected status 400"};
  switch (status) {
    case 400: return {"document_parsing_exception", "[1:2] failed to parse"};
    case 401: return {"security_exception", "missing authentication credentials for REST request"};
    case 403: return {"cluster_block_exception", "index [" + i + "] blocked by: [FORBIDDEN/8/index write (api)];"};
    case 404: return {"index_not_found_exception", "no such index [" + i + "]"};
    case 409:
      return {"version_conflict_engine_exception",
              "[" + d + "]: version conflict, document already exists (current version [1])"};
    case 429: return {"es_rejected_execution_exception", "rejected execution of coordinating operation"};
    case 503:
      return {"unavailable_shards_exception", "[" + i + "][0] primary shard is not active Timeout: [1m], request: "
                                              "[BulkShardRequest [[" + i + "][0]] containing [1] requests]"};
    default: return {"exception", "fake server: injected status " + std::to_string(status)};
  }
}

struct MediaType {
  bool supported = false;
  bool compatible_with_7 = false;
};

// application/json, application/x-ndjson and the vendor types, with parameters.
MediaType parse_content_type(std::string_view header) {
  std::string value = lower(header);
  std::string essence = value.substr(0, value.find(';'));
  while (!essence.empty() && essence.back() == ' ') essence.pop_back();
  MediaType out;
  if (essence == "application/json" || essence == "application/x-ndjson") {
    out.supported = true;
  } else if (essence == "application/vnd.elasticsearch+json" || essence == "application/vnd.elasticsearch+x-ndjson") {
    size_t at = value.find("compatible-with=");
    std::string version = at == std::string::npos ? "" : value.substr(at + 16, 1);
    out.supported = version == "7" || version == "8";
    out.compatible_with_7 = version == "7";
  }
  return out;
}

}  // namespace

bool parse_store_mode(std::string_view text, StoreMode& mode) {
  if (text == "full") mode = StoreMode::kFull;
  else if (text == "ids") mode = StoreMode::kIds;
  else if (text == "count") mode = StoreMode::kCount;
  else return false;
  return true;
}

class EsFakeServer::Impl {
 public:
  explicit Impl(Options options) : opt_(std::move(options)), store_(opt_.store) {}
  ~Impl() { stop(); }

  int start();
  void stop();
  void refuse(std::chrono::milliseconds duration, int spared_remote_port);
  void resume();
  bool refusing() const {
    std::lock_guard<std::mutex> lock(listen_mu_);
    return refusing_;
  }
  int port() const { return port_; }
  bool tls() const { return !opt_.tls_cert.empty(); }

  std::string apply_faults_json(std::string_view json, int spared_remote_port);
  void set_faults(Faults f) {
    std::lock_guard<std::mutex> lock(mu_);
    faults_ = std::move(f);
  }
  Faults faults() const {
    std::lock_guard<std::mutex> lock(mu_);
    return faults_;
  }
  void reset();
  Stats stats() const;
  std::string stats_json() const;
  std::vector<StoredDoc> docs(std::string_view index) const {
    std::lock_guard<std::mutex> lock(mu_);
    return store_.docs(index);
  }
  std::vector<RecordedRequest> recent_requests(size_t last) const {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = std::min(last, log_.size());
    return std::vector<RecordedRequest>(log_.end() - static_cast<std::ptrdiff_t>(n), log_.end());
  }
  std::map<std::string, std::string> templates(bool legacy) const {
    std::lock_guard<std::mutex> lock(mu_);
    return legacy ? legacy_templates_ : index_templates_;
  }

 private:
  using Request = httplib::Request;
  using Response = httplib::Response;
  using Handler = void (Impl::*)(const Request&, Response&);

  std::unique_ptr<httplib::Server> make_http();
  bool bind(httplib::Server& http);
  // Returns once the accept loop runs: httplib's stop() does nothing before.
  void listen_on(httplib::Server* http) {
    listen_threads_.emplace_back([http] { http->listen_after_bind(); });
    while (!http->is_running()) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  void refusal_loop();

  // Everything an ES route shares: credentials, latency, counting, the request log.
  httplib::Server::Handler es_route(Handler handler);
  httplib::Server::Handler control_route(Handler handler);
  bool authorized(const Request& req, Response& res);
  void record(const Request& req, int status);
  void reply(Response& res, int status, std::string body) {
    res.status = status;
    res.body = std::move(body);
    res.set_header("Content-Type", kJson);
  }
  void reply_error(Response& res, int status, std::string_view type, std::string_view reason) {
    reply(res, status, es_error_body(status, type, reason));
  }
  bool check_content_type(const Request& req, Response& res, MediaType& media);

  void root(const Request& req, Response& res);
  void license(const Request& req, Response& res);
  void bulk(const Request& req, Response& res);
  void index_template(const Request& req, Response& res) { template_route(req, res, false); }
  void legacy_template(const Request& req, Response& res) { template_route(req, res, true); }
  void template_route(const Request& req, Response& res, bool legacy);
  void unknown_route(const Request& req, Response& res);

  void fake_faults(const Request& req, Response& res);
  void fake_get_faults(const Request& req, Response& res) { reply(res, 200, faults_to_json(faults())); }
  void fake_reset(const Request& req, Response& res) {
    reset();
    reply(res, 200, "{\"acknowledged\":true}");
  }
  void fake_stats(const Request& req, Response& res) { reply(res, 200, stats_json()); }
  void fake_docs(const Request& req, Response& res);
  void fake_requests(const Request& req, Response& res);

  const Options opt_;

  // Documents, faults, counters, log, templates.
  mutable std::mutex mu_;
  Faults faults_;
  DocumentStore store_;
  Stats counters_;  // docs_* and overwrites come from store_
  uint64_t bulk_requests_ = 0;
  uint64_t items_seen_ = 0;
  std::deque<RecordedRequest> log_;
  std::map<std::string, std::string> index_templates_, legacy_templates_;

  // The listener and its refusal cycles.
  mutable std::mutex listen_mu_;
  std::condition_variable listen_cv_;
  std::unique_ptr<httplib::Server> http_;
  std::vector<std::unique_ptr<httplib::Server>> retired_;
  std::vector<std::thread> listen_threads_;
  std::thread refusal_thread_;
  bool started_ = false, stopping_ = false, refusing_ = false, resume_ = false;
  Clock::time_point refuse_until_;
  int port_ = 0;
};

// ---- listening ----

std::unique_ptr<httplib::Server> EsFakeServer::Impl::make_http() {
  std::unique_ptr<httplib::Server> http;
  if (tls()) {
    http = std::make_unique<httplib::SSLServer>(opt_.tls_cert.c_str(), opt_.tls_key.c_str());
    if (!http->is_valid()) throw std::runtime_error("es fake server: cannot load " + opt_.tls_cert + " / " + opt_.tls_key);
  } else {
    http = std::make_unique<httplib::Server>();
  }
  size_t threads = static_cast<size_t>(std::max(2, opt_.threads));
  http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http->set_keep_alive_max_count(std::numeric_limits<int>::max());
  http->set_keep_alive_timeout(opt_.keep_alive_timeout_s);
  http->set_read_timeout(60);
  http->set_write_timeout(60);

  http->Get("/", es_route(&Impl::root));
  http->Get("/_license", es_route(&Impl::license));
  for (const char* pattern : {R"(/_bulk)", R"(/([^/]+)/_bulk)"}) {
    http->Post(pattern, es_route(&Impl::bulk));
    http->Put(pattern, es_route(&Impl::bulk));
  }
  for (const char* pattern : {R"(/_index_template(?:/([^/]+))?)"}) {
    http->Get(pattern, es_route(&Impl::index_template));
    http->Put(pattern, es_route(&Impl::index_template));
    http->Post(pattern, es_route(&Impl::index_template));
    http->Delete(pattern, es_route(&Impl::index_template));
  }
  for (const char* pattern : {R"(/_template(?:/([^/]+))?)"}) {
    http->Get(pattern, es_route(&Impl::legacy_template));
    http->Put(pattern, es_route(&Impl::legacy_template));
    http->Post(pattern, es_route(&Impl::legacy_template));
    http->Delete(pattern, es_route(&Impl::legacy_template));
  }
  http->Post("/_fake/faults", control_route(&Impl::fake_faults));
  http->Get("/_fake/faults", control_route(&Impl::fake_get_faults));
  http->Post("/_fake/reset", control_route(&Impl::fake_reset));
  http->Get("/_fake/stats", control_route(&Impl::fake_stats));
  http->Get(R"(/_fake/docs/([^/]+))", control_route(&Impl::fake_docs));
  http->Get("/_fake/requests", control_route(&Impl::fake_requests));
  // httplib calls this for every status >= 400; our handlers mark their
  // responses with X-Elastic-Product, so what lacks it matched no route (or
  // failed in httplib itself, e.g. a bad Content-Encoding).
  http->set_error_handler(httplib::Server::HandlerWithResponse([this](const Request& req, Response& res) {
    if (res.has_header("X-Elastic-Product")) return httplib::Server::HandlerResponse::Unhandled;
    unknown_route(req, res);
    return httplib::Server::HandlerResponse::Handled;
  }));
  return http;
}

bool EsFakeServer::Impl::bind(httplib::Server& http) {
  if (port_ == 0) {
    port_ = http.bind_to_any_port(opt_.host);
    return port_ > 0;
  }
  // The old listener's port may take a moment to be free again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (http.bind_to_port(opt_.host, port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int EsFakeServer::Impl::start() {
  std::lock_guard<std::mutex> lock(listen_mu_);
  if (started_) return port_;
  ::signal(SIGPIPE, SIG_IGN);
  port_ = opt_.port;
  http_ = make_http();
  if (!bind(*http_)) throw std::runtime_error("es fake server: cannot listen on " + opt_.host + ":" + std::to_string(opt_.port));
  listen_on(http_.get());
  started_ = true;
  return port_;
}

void EsFakeServer::Impl::stop() {
  {
    std::lock_guard<std::mutex> lock(listen_mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  listen_cv_.notify_all();
  if (refusal_thread_.joinable()) refusal_thread_.join();
  std::lock_guard<std::mutex> lock(listen_mu_);
  if (http_) {
    http_->stop();
    retired_.push_back(std::move(http_));
  }
  shut_down_connections(port_);
  for (std::thread& t : listen_threads_) t.join();
  listen_threads_.clear();
  retired_.clear();
}

void EsFakeServer::Impl::refuse(std::chrono::milliseconds duration, int spared_remote_port) {
  std::lock_guard<std::mutex> lock(listen_mu_);
  if (!started_ || stopping_) return;
  refuse_until_ = duration.count() < 0 ? Clock::time_point::max() : Clock::now() + duration;
  resume_ = false;
  if (refusing_) {
    listen_cv_.notify_all();
    return;
  }
  refusing_ = true;
  if (refusal_thread_.joinable()) refusal_thread_.join();  // a finished cycle
  http_->stop();
  retired_.push_back(std::move(http_));
  // A node that stops also drops its connections; the one asking is spared
  // so that it gets its answer.
  shut_down_connections(port_, spared_remote_port);
  refusal_thread_ = std::thread([this] { refusal_loop(); });
}

void EsFakeServer::Impl::refusal_loop() {
  std::unique_lock<std::mutex> lock(listen_mu_);
  while (!stopping_ && !resume_ && Clock::now() < refuse_until_) {
    if (refuse_until_ == Clock::time_point::max())
      listen_cv_.wait(lock);
    else
      listen_cv_.wait_until(lock, refuse_until_);
  }
  if (!stopping_) {
    http_ = make_http();
    if (bind(*http_)) listen_on(http_.get());
  }
  refusing_ = false;
}

void EsFakeServer::Impl::resume() {
  {
    std::lock_guard<std::mutex> lock(listen_mu_);
    resume_ = true;
  }
  listen_cv_.notify_all();
}

// ---- shared route behaviour ----

httplib::Server::Handler EsFakeServer::Impl::es_route(Handler handler) {
  return [this, handler](const Request& req, Response& res) {
    res.set_header("X-Elastic-Product", "Elasticsearch");
    if (authorized(req, res)) (this->*handler)(req, res);
    int latency_ms;
    {
      std::lock_guard<std::mutex> lock(mu_);
      latency_ms = faults_.latency_ms;
    }
    if (latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));
    record(req, res.status);
    // Status 0: the connection ends here without an answer (counted first, so
    // a client that sees the reset also sees it in the stats).
    if (res.status == 0)
      for (int fd : accepted_sockets(req.local_port, req.remote_port)) reset_connection(fd);
  };
}

httplib::Server::Handler EsFakeServer::Impl::control_route(Handler handler) {
  return [this, handler](const Request& req, Response& res) {
    res.set_header("X-Elastic-Product", "Elasticsearch");
    (this->*handler)(req, res);
  };
}

bool EsFakeServer::Impl::authorized(const Request& req, Response& res) {
  if (opt_.basic_auth.empty() && opt_.api_key.empty()) return true;
  std::string header = req.get_header_value("Authorization");
  std::string scheme = lower(header.substr(0, header.find(' ')));
  std::string token = header.find(' ') == std::string::npos ? "" : header.substr(header.find(' ') + 1);
  if (!opt_.basic_auth.empty() && scheme == "basic" && token == base64(opt_.basic_auth)) return true;
  if (!opt_.api_key.empty() && scheme == "apikey" && token == base64(opt_.api_key)) return true;
  std::string reason;
  if (header.empty())
    reason = "missing authentication credentials for REST request [" + req.target + "]";
  else if (scheme == "basic")
    reason = "unable to authenticate user [" + unbase64(token).substr(0, unbase64(token).find(':')) +
             "] for REST request [" + req.target + "]";
  else
    reason = "unable to authenticate with provided credentials and anonymous access is not allowed for this request";
  const std::string basic = R"(Basic realm="security", charset="UTF-8")";
  std::string challenge = "\"header\":{\"WWW-Authenticate\":[" + json_string(basic) + ",\"ApiKey\"]}";
  std::string cause = "{\"type\":\"security_exception\",\"reason\":" + json_string(reason) + "," + challenge;
  reply(res, 401, "{\"error\":{\"root_cause\":[" + cause + "}]," + cause.substr(1) + "},\"status\":401}");
  res.set_header("WWW-Authenticate", basic);
  res.set_header("WWW-Authenticate", "ApiKey");
  return false;
}

void EsFakeServer::Impl::record(const Request& req, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.requests;
  if (status == 0) ++counters_.connection_resets;
  else ++counters_.requests_by_status[status];
  size_t wire = req.has_header("Content-Length") ? std::stoull(req.get_header_value("Content-Length")) : req.body.size();
  counters_.bytes_received += wire;
  counters_.bytes_decoded += req.body.size();
  if (opt_.request_log_entries == 0) return;
  RecordedRequest r;
  r.method = req.method;
  r.target = req.target;
  for (const auto& [k, v] : req.headers)
    if (k != "REMOTE_ADDR" && k != "REMOTE_PORT" && k != "LOCAL_ADDR" && k != "LOCAL_PORT") r.headers.emplace_back(k, v);
  r.body_truncated = req.body.size() > opt_.request_log_body_bytes;
  r.body = req.body.substr(0, opt_.request_log_body_bytes);
  r.status = status;
  if (log_.size() >= opt_.request_log_entries) log_.pop_front();
  log_.push_back(std::move(r));
}

bool EsFakeServer::Impl::check_content_type(const Request& req, Response& res, MediaType& media) {
  if (!req.has_header("Content-Type")) {
    reply(res, 406, "{\"error\":\"Content-Type header is missing\",\"status\":406}");
    return false;
  }
  std::string header = req.get_header_value("Content-Type");
  media = parse_content_type(header);
  if (media.supported) return true;
  reply(res, 406, "{\"error\":" + json_string("Content-Type header [" + header + "] is not supported") +
                      ",\"status\":406}");
  return false;
}

// ---- ES routes ----

void EsFakeServer::Impl::root(const Request& req, Response& res) {
  reply(res, 200,
        std::string("{\"name\":\"logpipe-fake-es\",\"cluster_name\":\"logpipe-fake\","
                    "\"cluster_uuid\":\"fAkE0cLuStEr0uUiD00000\",\"version\":{\"number\":\"") +
            kVersion +
            "\",\"build_flavor\":\"default\",\"build_type\":\"tar\","
            "\"build_hash\":\"0000000000000000000000000000000000000000\",\"build_date\":\"2024-05-06T22:04:45.107454559Z\","
            "\"build_snapshot\":false,\"lucene_version\":\"9.10.0\",\"minimum_wire_compatibility_version\":\"7.17.0\","
            "\"minimum_index_compatibility_version\":\"7.0.0\"},\"tagline\":\"You Know, for Search\"}");
}

void EsFakeServer::Impl::license(const Request& req, Response& res) {
  reply(res, 200,
        "{\"license\":{\"status\":\"active\",\"uid\":\"00000000-0000-0000-0000-000000000000\",\"type\":\"basic\","
        "\"issue_date\":\"2024-01-01T00:00:00.000Z\",\"issue_date_in_millis\":1704067200000,\"max_nodes\":1000,"
        "\"max_resource_units\":null,\"issued_to\":\"logpipe-fake\",\"issuer\":\"elasticsearch\","
        "\"start_date_in_millis\":-1}}");
}

void EsFakeServer::Impl::bulk(const Request& req, Response& res) {
  const auto started = Clock::now();
  // Decisions that depend on the request counter, taken together.
  bool reset = false, reset_after_store = false;
  int injected_status = 0;
  size_t max_length;
  std::vector<FieldMatch> matches;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t n = ++bulk_requests_;
    if (faults_.reset_next > 0) {
      --faults_.reset_next;
      reset = true;
    }
    reset = reset || (faults_.reset_every_nth > 0 && n % faults_.reset_every_nth == 0);
    reset_after_store = faults_.reset_after_store;
    if (!reset && !faults_.request_statuses.empty()) {
      injected_status = faults_.request_statuses.front();
      faults_.request_statuses.pop_front();
    } else if (!reset && faults_.every_nth_request > 0 && n % faults_.every_nth_request == 0) {
      injected_status = faults_.every_nth_request_status;
    }
    max_length = faults_.max_content_length ? faults_.max_content_length : opt_.max_content_length;
    for (const ItemRule& rule : faults_.item_rules) matches.push_back(FieldMatch{rule.field, rule.value_json});
    if (std::all_of(matches.begin(), matches.end(), [](const FieldMatch& m) { return m.path.empty(); })) matches.clear();
  }
  auto reset_now = [&] { res.status = 0; };  // es_route resets the connection
  if (reset && !reset_after_store) return reset_now();
  if (req.body.size() > max_length) {
    res.status = 413;  // as Netty's aggregator: no body
    return;
  }
  MediaType media;
  if (!check_content_type(req, res, media)) return;
  if (injected_status != 0) {
    auto [type, reason] = injected_error(injected_status, "", "");
    if (injected_status == 413) res.status = 413;
    else reply_error(res, injected_status, type, reason);
    return;
  }

  BulkDefaults defaults;
  std::string path_index = req.matches.size() > 1 ? req.matches[1].str() : "";
  std::string pipeline = req.get_param_value("pipeline");
  defaults.index = path_index;
  defaults.pipeline = pipeline;
  defaults.allow_type = media.compatible_with_7;
  thread_local BulkParser parser;
  BulkBody parsed = parser.parse(req.body, defaults, matches);
  if (!parsed.error_type.empty()) return reply_error(res, 400, parsed.error_type, parsed.error_reason);

  std::vector<ItemOutcome> outcomes(parsed.items.size());
  size_t answered = parsed.items.size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < parsed.items.size(); ++i) {
      BulkItem& item = parsed.items[i];
      ItemOutcome& out = outcomes[i];
      uint64_t n = ++items_seen_;
      if (item.id.empty() && item.op != BulkOp::kUpdate && item.op != BulkOp::kDelete) item.id = generate_document_id();
      std::string bad_name = invalid_index_name_reason(item.index);
      ItemRule* rule = nullptr;
      for (size_t r = 0; r < faults_.item_rules.size() && rule == nullptr; ++r) {
        ItemRule& candidate = faults_.item_rules[r];
        if (candidate.limit > 0 && candidate.fired >= candidate.limit) continue;
        if ((candidate.every_nth > 0 && n % candidate.every_nth == 0) ||
            (!candidate.id.empty() && candidate.id == item.id) ||
            (!candidate.field.empty() && item.matched_rule == static_cast<int>(r)))
          rule = &candidate;
      }
      if (!item.source_error.empty()) {
        out.status = 400;
        out.error_type = "document_parsing_exception";
        out.error_reason = item.source_error;
        out.id = item.id;
      } else if (!bad_name.empty()) {
        out.status = 400;
        out.error_type = "invalid_index_name_exception";
        out.error_reason = "Invalid index name [" + item.index + "], " + bad_name;
        out.index_known = false;
        out.id = item.id;
      } else if (rule != nullptr) {
        ++rule->fired;
        auto [type, reason] = injected_error(rule->status, item.index, item.id);
        if (rule->status == 400 && !rule->field.empty())
          reason = "[1:2] failed to parse field [" + rule->field + "] of type [long] in document with id '" + item.id +
                   "'. Preview of field's value: '" + rule->value_json + "'";
        out.status = rule->status;
        out.error_type = rule->type.empty() ? type : rule->type;
        out.error_reason = rule->reason.empty() ? reason : rule->reason;
        out.id = item.id;
      } else {
        out = store_.apply(item);
      }
      ++counters_.items;
      ++counters_.items_by_status[out.status];
    }
    if (faults_.short_items_next > 0 && answered > 0) {
      --faults_.short_items_next;
      --answered;
    }
  }
  if (reset) return reset_now();
  uint64_t took = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
  FilterPath filter(req.get_param_value("filter_path"));
  reply(res, 200, bulk_response_json(parsed.items, outcomes, answered, took, filter));
}

void EsFakeServer::Impl::template_route(const Request& req, Response& res, bool legacy) {
  std::string name = req.matches.size() > 1 ? req.matches[1].str() : "";
  const char* kind = legacy ? "index_template" : "index template";
  std::lock_guard<std::mutex> lock(mu_);
  auto& templates = legacy ? legacy_templates_ : index_templates_;
  if (req.method == "PUT" || req.method == "POST") {
    if (name.empty()) return reply_error(res, 405, "illegal_argument_exception", "a template name is required");
    MediaType media;
    if (!check_content_type(req, res, media)) return;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(req.body).get(doc) || !doc.is_object())
      return reply_error(res, 400, "x_content_parse_exception", "[1:1] template body must be a JSON object");
    if (req.get_param_value("create") == "true" && templates.count(name))
      return reply_error(res, 400, "illegal_argument_exception", std::string(kind) + " [" + name + "] already exists");
    templates[name] = minified(doc);
    return reply(res, 200, "{\"acknowledged\":true}");
  }
  if (req.method == "DELETE") {
    if (templates.erase(name)) return reply(res, 200, "{\"acknowledged\":true}");
    if (legacy) return reply_error(res, 404, "index_template_missing_exception", "index_template [" + name + "] missing");
    return reply_error(res, 404, "resource_not_found_exception", "index_template matching [" + name + "] not found");
  }
  // GET and HEAD (httplib answers HEAD with the GET handler, without the body).
  std::string out = legacy ? "{" : "{\"index_templates\":[";
  bool any = false;
  for (const auto& [n, body] : templates) {
    if (!name.empty() && n != name) continue;
    if (any) out += ',';
    any = true;
    if (legacy) out += json_string(n) + ":" + body;
    else out += "{\"name\":" + json_string(n) + ",\"index_template\":" + body + "}";
  }
  out += legacy ? "}" : "]}";
  if (any || name.empty()) return reply(res, 200, out);
  if (legacy) return reply(res, 404, "{}");  // ES answers a missing legacy template with an empty object
  reply_error(res, 404, "resource_not_found_exception", "index template matching [" + name + "] not found");
}

void EsFakeServer::Impl::unknown_route(const Request& req, Response& res) {
  res.set_header("X-Elastic-Product", "Elasticsearch");
  if (res.status == 404 || res.status == -1 || res.status == 405) {
    reply(res, 400, "{\"error\":" + json_string("no handler found for uri [" + req.target + "] and method [" +
                                                req.method + "]") + ",\"status\":400}");
  } else if (res.status == 413) {
    res.body.clear();
  } else {
    reply_error(res, res.status, "illegal_argument_exception", "request rejected: HTTP " + std::to_string(res.status));
  }
}

// ---- control API ----

std::string EsFakeServer::Impl::apply_faults_json(std::string_view json, int spared_remote_port) {
  FaultsUpdate update;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string why = parse_faults_json(json, faults_, update);
    if (!why.empty()) return why;
    faults_ = std::move(update.faults);
  }
  if (update.refuse_ms) refuse(std::chrono::milliseconds(*update.refuse_ms), spared_remote_port);
  return "";
}

void EsFakeServer::Impl::fake_faults(const Request& req, Response& res) {
  std::string why = apply_faults_json(req.body, req.remote_port);
  if (!why.empty()) return reply_error(res, 400, "illegal_argument_exception", why);
  reply(res, 200, faults_to_json(faults()));
}

void EsFakeServer::Impl::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = Faults{};
  store_.clear();
  counters_ = Stats{};
  bulk_requests_ = items_seen_ = 0;
  log_.clear();
  index_templates_.clear();
  legacy_templates_.clear();
}

Stats EsFakeServer::Impl::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = counters_;
  s.docs_by_index = store_.docs_by_index();
  s.docs_total = 0;
  for (const auto& [index, n] : s.docs_by_index) s.docs_total += n;
  s.overwrites = store_.overwrites();
  return s;
}

std::string EsFakeServer::Impl::stats_json() const {
  Stats s = stats();
  auto counts = [](const auto& map) {
    std::string out = "{";
    for (const auto& [key, n] : map) {
      if (out.size() > 1) out += ',';
      std::ostringstream k;
      k << key;
      out += json_string(k.str()) + ":" + std::to_string(n);
    }
    return out + "}";
  };
  auto names = [](const std::map<std::string, std::string>& map) {
    std::string out = "[";
    for (const auto& [name, body] : map) out += (out.size() > 1 ? "," : "") + json_string(name);
    return out + "]";
  };
  std::string out = "{\"requests\":{\"total\":" + std::to_string(s.requests) + ",\"by_status\":" +
                    counts(s.requests_by_status) + "},\"connection_resets\":" + std::to_string(s.connection_resets) +
                    ",\"items\":{\"total\":" + std::to_string(s.items) + ",\"by_status\":" + counts(s.items_by_status) +
                    "},\"docs\":{\"total\":" + std::to_string(s.docs_total) + ",\"by_index\":" +
                    counts(s.docs_by_index) + "},\"overwrites\":" + std::to_string(s.overwrites) +
                    ",\"bytes_received\":" + std::to_string(s.bytes_received) +
                    ",\"bytes_decoded\":" + std::to_string(s.bytes_decoded);
  std::lock_guard<std::mutex> lock(mu_);
  return out + ",\"templates\":{\"index_templates\":" + names(index_templates_) +
         ",\"legacy_templates\":" + names(legacy_templates_) + "}}";
}

void EsFakeServer::Impl::fake_docs(const Request& req, Response& res) {
  std::string out;
  for (const StoredDoc& doc : docs(req.matches[1].str())) {
    out += "{\"_id\":" + json_string(doc.id) + ",\"_version\":" + std::to_string(doc.version) + ",\"_source\":";
    out += doc.source.empty() ? "null" : doc.source;
    out += "}\n";
  }
  res.status = 200;
  res.body = std::move(out);
  res.set_header("Content-Type", "application/x-ndjson");
}

void EsFakeServer::Impl::fake_requests(const Request& req, Response& res) {
  size_t last = req.has_param("last") ? std::stoul(req.get_param_value("last")) : opt_.request_log_entries;
  std::string out = "[";
  for (const RecordedRequest& r : recent_requests(last)) {
    if (out.size() > 1) out += ',';
    out += "{\"method\":" + json_string(r.method) + ",\"path\":" + json_string(r.target) + ",\"headers\":{";
    for (size_t i = 0; i < r.headers.size(); ++i)
      out += (i ? "," : "") + json_string(r.headers[i].first) + ":" + json_string(r.headers[i].second);
    out += "},\"body\":" + json_string(r.body) + ",\"body_truncated\":" + (r.body_truncated ? "true" : "false") +
           ",\"status\":" + std::to_string(r.status) + "}";
  }
  reply(res, 200, out + "]");
}

// ---- public face ----

EsFakeServer::EsFakeServer(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
EsFakeServer::~EsFakeServer() = default;
int EsFakeServer::start() { return impl_->start(); }
void EsFakeServer::stop() { impl_->stop(); }
int EsFakeServer::port() const { return impl_->port(); }
std::string EsFakeServer::url() const {
  return std::string(impl_->tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port());
}
void EsFakeServer::set_faults(Faults faults) { impl_->set_faults(std::move(faults)); }
std::string EsFakeServer::apply_faults_json(std::string_view json) { return impl_->apply_faults_json(json, -1); }
Faults EsFakeServer::faults() const { return impl_->faults(); }
void EsFakeServer::reset() { impl_->reset(); }
void EsFakeServer::refuse_connections(std::chrono::milliseconds duration) { impl_->refuse(duration, -1); }
void EsFakeServer::resume_listening() { impl_->resume(); }
bool EsFakeServer::refusing() const { return impl_->refusing(); }
Stats EsFakeServer::stats() const { return impl_->stats(); }
std::string EsFakeServer::stats_json() const { return impl_->stats_json(); }
std::vector<StoredDoc> EsFakeServer::docs(std::string_view index) const { return impl_->docs(index); }
std::vector<RecordedRequest> EsFakeServer::recent_requests(size_t last) const { return impl_->recent_requests(last); }
std::map<std::string, std::string> EsFakeServer::index_templates() const { return impl_->templates(false); }
std::map<std::string, std::string> EsFakeServer::legacy_templates() const { return impl_->templates(true); }

}  // namespace logpipe::es_fake
