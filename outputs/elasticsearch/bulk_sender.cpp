#include "outputs/elasticsearch/bulk_sender.h"

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <stdexcept>

#include "engine/runtime/steady_clock.h"
#include "engine/system/log.h"
#include "engine/system/system_io.h"
#include "outputs/elasticsearch/bulk_encoder.h"
#include "outputs/elasticsearch/bulk_response.h"

namespace logpipe {

namespace {

constexpr int64_t kMs = 1000000;
constexpr size_t kMaxResponseBytes = 64 << 20;
constexpr int64_t kErrorLogIntervalNs = 10 * 1000 * kMs;

// One event of a submitted work: which work, which event.
struct WorkState {
  OutputWork* work;
  size_t outstanding;
};
struct ItemRef {
  WorkState* ws;
  uint32_t index;
};

struct Host {
  std::string base_url;
  bool alive = false;
  bool probing = false;
  int64_t probe_at_ns = 0;
  size_t in_flight = 0;
  int64_t last_log_ns = 0;
};

struct Request {
  enum Kind { Bulk, Probe, TemplateCheck, TemplatePut } kind = Bulk;
  std::vector<ItemRef> items;
  size_t bytes = 0;      // of the items, uncompressed
  std::string body;      // as sent
  std::string response;
  CURL* easy = nullptr;
  Host* host = nullptr;
  int64_t sent_ns = 0;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Request*>(user);
  size_t len = size * n;
  if (r->response.size() + len > kMaxResponseBytes) return 0;  // aborts the transfer
  r->response.append(data, len);
  return len;
}

}  // namespace

struct BulkSender::Impl {
  explicit Impl(BulkSenderConfig c) : config(std::move(c)) {
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, config.pool_max);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, config.pool_max_per_route);
    for (const EsHostConfig& h : config.hosts) {
      Host host;
      host.base_url = h.base_url;
      hosts.push_back(std::move(host));
    }
    headers = request_headers("application/x-ndjson", config.compression_level > 0);
    json_headers = request_headers("application/json", false);
    template_state = config.template_body.empty() ? TemplateDone : TemplateWanted;
    if (config.compression_level > 0) {
      zs = {};
      if (deflateInit2(&zs, config.compression_level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("zlib deflateInit2 failed");
      zs_ready = true;
    }
    thread = std::thread([this] {
      name_this_thread("es-http");
      run();
    });
  }

  // Content type, no 100-continue round trip, gzip, the API key, custom_headers.
  curl_slist* request_headers(const std::string& content_type, bool gzip) const {
    curl_slist* list = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
    list = curl_slist_append(list, "Expect:");
    if (gzip) list = curl_slist_append(list, "Content-Encoding: gzip");
    if (!config.api_key_header.empty())
      list = curl_slist_append(list, ("Authorization: " + config.api_key_header).c_str());
    for (auto& [k, v] : config.custom_headers) list = curl_slist_append(list, (k + ": " + v).c_str());
    return list;
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    curl_multi_wakeup(multi);
    thread.join();
    for (Request* r : running) {
      curl_multi_remove_handle(multi, r->easy);
      curl_easy_cleanup(r->easy);
      delete r;
    }
    for (Request* r : ready) delete r;
    for (Request* r : spare) delete r;
    delete building;
    for (CURL* e : easy_pool) curl_easy_cleanup(e);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    curl_slist_free_all(json_headers);
    if (zs_ready) deflateEnd(&zs);
    // WorkStates of works never completed: the engine abandoned them.
    for (WorkState* ws : live_states) delete ws;
  }

  // ------------------------------------------------------------ any thread

  void submit(OutputWork& work) {
    {
      std::lock_guard<std::mutex> lock(mu);
      inbox.push_back(&work);
    }
    curl_multi_wakeup(multi);
  }

  void request_flush() {
    {
      std::lock_guard<std::mutex> lock(mu);
      flush_wanted = true;
    }
    curl_multi_wakeup(multi);
  }

  // ------------------------------------------------------------ the loop

  void run() {
    std::vector<OutputWork*> taken;
    while (true) {
      bool flush_now = false;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stop) return;
        taken.swap(inbox);
        flush_now = flush_wanted;
        flush_wanted = false;
      }
      for (OutputWork* w : taken) take(*w);
      taken.clear();
      int64_t now = steady_ns();
      if (building && (flush_now || now - building_since_ns >= config.linger_ms * kMs)) seal();
      probe_hosts(now);
      dispatch();
      int still = 0;
      curl_multi_perform(multi, &still);
      collect();
      dispatch();
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait_ms(steady_ns())), nullptr);
    }
  }

  // How long the loop may sleep: until the bulk being built is due, a host
  // is to be probed, or curl's own timers; at most 100 ms.
  int64_t wait_ms(int64_t now) {
    int64_t ms = 100;
    if (building) ms = std::min(ms, std::max<int64_t>(0, (building_since_ns + config.linger_ms * kMs - now) / kMs));
    for (const Host& h : hosts)
      if (!h.alive && !h.probing) ms = std::min(ms, std::max<int64_t>(0, (h.probe_at_ns - now) / kMs));
    long curl_ms = -1;
    curl_multi_timeout(multi, &curl_ms);
    if (curl_ms >= 0) ms = std::min<int64_t>(ms, curl_ms);
    return std::max<int64_t>(ms, 0);
  }

  void take(OutputWork& w) {
    auto* ws = new WorkState{&w, w.size()};
    live_states.insert(ws);
    if (w.size() == 0) {
      finish(ws);
      return;
    }
    for (size_t i = 0; i < w.size(); ++i) {
      std::string_view item = w.encoded(i);
      if (bulk_refused(item)) {
        resolve({ws, static_cast<uint32_t>(i)}, Delivery::Rejected, std::string(item.substr(1)));
        continue;
      }
      // A document larger than a bulk goes alone (Elasticsearch judges it).
      if (building && building->bytes + item.size() > config.bulk_max_bytes) seal();
      if (!building) {
        building = new_request(Request::Bulk);
        building_since_ns = steady_ns();
      }
      building->items.push_back({ws, static_cast<uint32_t>(i)});
      building->bytes += item.size();
      if (building->bytes >= config.bulk_max_bytes || building->items.size() >= config.bulk_max_events)
        seal();
    }
  }

  Request* new_request(Request::Kind kind) {
    Request* r;
    if (!spare.empty()) {
      r = spare.back();
      spare.pop_back();
    } else {
      r = new Request;
    }
    r->kind = kind;
    r->items.clear();
    r->bytes = 0;
    r->body.clear();
    r->response.clear();
    r->host = nullptr;
    return r;
  }

  void recycle(Request* r) {
    if (r->body.capacity() > 2 * config.bulk_max_bytes + 4096) std::string().swap(r->body);
    if (spare.size() < 16) spare.push_back(r);
    else delete r;
  }

  void seal() {
    ready.push_back(building);
    building = nullptr;
  }

  // The request body: the items' NDJSON, gzipped when asked.
  void make_body(Request& r) {
    std::string& raw = scratch;
    raw.clear();
    raw.reserve(r.bytes);
    for (const ItemRef& it : r.items) raw.append(it.ws->work->encoded(it.index));
    if (!zs_ready) {
      r.body.swap(raw);
      return;
    }
    deflateReset(&zs);
    r.body.resize(deflateBound(&zs, raw.size()) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(raw.data());
    zs.avail_in = static_cast<uInt>(raw.size());
    zs.next_out = reinterpret_cast<Bytef*>(r.body.data());
    zs.avail_out = static_cast<uInt>(r.body.size());
    deflate(&zs, Z_FINISH);
    r.body.resize(r.body.size() - zs.avail_out);
  }

  Host* pick_host() {
    for (size_t n = 0; n < hosts.size(); ++n) {
      Host& h = hosts[(next_host + n) % hosts.size()];
      if (h.alive && h.in_flight < config.max_requests_per_host) {
        next_host = (next_host + n + 1) % hosts.size();
        return &h;
      }
    }
    return nullptr;
  }

  void dispatch() {
    if (template_state == TemplateWanted) {
      if (Host* h = pick_host()) {
        Request* r = new_request(config.template_overwrite ? Request::TemplatePut : Request::TemplateCheck);
        if (r->kind == Request::TemplatePut) r->body = config.template_body;
        start(*r, *h);
        template_state = TemplateRunning;
      }
    }
    if (template_state != TemplateDone) return;
    while (!ready.empty()) {
      Host* h = pick_host();
      if (!h) return;
      Request* r = ready.front();
      ready.pop_front();
      make_body(*r);
      start(*r, *h);
    }
  }

  void probe_hosts(int64_t now) {
    for (Host& h : hosts) {
      if (h.alive || h.probing || now < h.probe_at_ns) continue;
      h.probing = true;
      start(*new_request(Request::Probe), h);
    }
  }

  std::string url_for(const Request& r, const Host& h) const {
    std::string url = h.base_url;
    switch (r.kind) {
      case Request::Bulk:
        url += "/_bulk?filter_path=errors,items.*.error,items.*.status";
        if (!config.query.empty()) url += "&" + config.query;
        return url;
      case Request::Probe: url += config.healthcheck_path; break;
      case Request::TemplateCheck:
      case Request::TemplatePut: url += config.template_path; break;
    }
    if (!config.query.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + config.query;
    return url;
  }

  void start(Request& r, Host& h) {
    CURL* e;
    if (!easy_pool.empty()) {
      e = easy_pool.back();
      easy_pool.pop_back();
      curl_easy_reset(e);
    } else {
      e = curl_easy_init();
    }
    r.easy = e;
    r.host = &h;
    ++h.in_flight;
    std::string url = url_for(r, h);
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout_ms));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(config.timeout_ms, 10000)));
    if (!config.user.empty()) {
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(e, CURLOPT_USERNAME, config.user.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, config.password.c_str());
    }
    if (!config.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, config.ca_file.c_str());
    if (!config.client_cert.empty()) curl_easy_setopt(e, CURLOPT_SSLCERT, config.client_cert.c_str());
    if (!config.client_key.empty()) curl_easy_setopt(e, CURLOPT_SSLKEY, config.client_key.c_str());
    if (!config.verify) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    switch (r.kind) {
      case Request::Bulk:
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
        stats_requests.fetch_add(1, std::memory_order_relaxed);
        stats_bytes.fetch_add(r.body.size(), std::memory_order_relaxed);
        r.sent_ns = steady_ns();
        break;
      case Request::TemplatePut:
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, json_headers);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
        break;
      case Request::Probe:
      case Request::TemplateCheck:
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, json_headers);
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        break;
    }
    curl_multi_add_handle(multi, e);
    running.insert(&r);
  }

  void collect() {
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Request* r = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&r));
      long status = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      CURLcode result = m->data.result;
      curl_multi_remove_handle(multi, m->easy_handle);
      easy_pool.push_back(m->easy_handle);
      running.erase(r);
      r->easy = nullptr;
      --r->host->in_flight;
      std::string error = result == CURLE_OK ? std::string() : curl_easy_strerror(result);
      if (r->kind == Request::Bulk) {
        stats_latency.record(steady_ns() - r->sent_ns);
        std::lock_guard<std::mutex> lock(stats_mu);
        ++stats_responses[result == CURLE_OK ? status : 0];
      }
      done(*r, status, error);
    }
  }

  // ------------------------------------------------------------ outcomes

  void done(Request& r, long status, const std::string& transport_error) {
    Host& h = *r.host;
    if (!transport_error.empty()) {
      set_aside(h, transport_error);
      switch (r.kind) {
        case Request::Probe: h.probing = false; break;
        case Request::TemplateCheck:
        case Request::TemplatePut: template_state = TemplateWanted; break;
        case Request::Bulk:
          stats_failures.fetch_add(1, std::memory_order_relaxed);
          resolve_all(r, Delivery::Retry, "Elasticsearch at " + h.base_url + " unreachable: " + transport_error);
          break;
      }
      recycle(&r);
      return;
    }
    switch (r.kind) {
      case Request::Probe: probed(h, status, r.response); break;
      case Request::TemplateCheck:
      case Request::TemplatePut: template_answer(r, h, status); break;
      case Request::Bulk: bulk_answer(r, h, status); return;  // recycles or reuses r
    }
    recycle(&r);
  }

  void set_aside(Host& h, const std::string& why) {
    bool was_alive = h.alive;
    h.alive = false;
    h.probe_at_ns = steady_ns() + config.resurrect_delay_ms * kMs;
    if (was_alive || rate_ok(h.last_log_ns))
      log_warn("elasticsearch {}: {} set aside ({}); probing it every {} ms", config.output_id, h.base_url, why,
               config.resurrect_delay_ms);
  }

  static bool rate_ok(int64_t& last_ns) {
    int64_t now = steady_ns();
    if (last_ns != 0 && now - last_ns < kErrorLogIntervalNs) return false;
    last_ns = now;
    return true;
  }

  void probed(Host& h, long status, const std::string& body) {
    h.probing = false;
    if (status >= 200 && status < 300) {
      h.alive = true;
      log_info("elasticsearch {}: {} is up", config.output_id, h.base_url);
      return;
    }
    h.probe_at_ns = steady_ns() + config.resurrect_delay_ms * kMs;
    if (rate_ok(h.last_log_ns))
      log_warn("elasticsearch {}: {} answers HTTP {} to {}: {}", config.output_id, h.base_url, status,
               config.healthcheck_path, es_error_summary(body));
  }

  void template_answer(Request& r, Host& h, long status) {
    if (r.kind == Request::TemplateCheck) {
      if (status == 200) {
        log_info("elasticsearch {}: template {} exists, left as it is (template_overwrite => false)",
                 config.output_id, config.template_path);
        template_state = TemplateDone;
        return;
      }
      if (status == 404) {
        Request* put = new_request(Request::TemplatePut);
        put->body = config.template_body;
        start(*put, h);
        return;
      }
    } else if (status >= 200 && status < 300) {
      log_info("elasticsearch {}: installed template {}", config.output_id, config.template_path);
      template_state = TemplateDone;
      return;
    }
    if (status == 429 || status >= 500) {  // busy: ask again
      template_state = TemplateWanted;
      return;
    }
    // As Logstash: a template that cannot be installed is reported, and
    // events are sent anyway.
    log_error("elasticsearch {}: could not install template {}: HTTP {} {}", config.output_id,
              config.template_path, status, es_error_summary(r.response));
    template_state = TemplateDone;
  }

  void bulk_answer(Request& r, Host& h, long status) {
    if (status == 200) {
      items_answer(r);
      recycle(&r);
      return;
    }
    stats_failures.fetch_add(1, std::memory_order_relaxed);
    std::string what = "HTTP " + std::to_string(status) + " from " + h.base_url + ": " + es_error_summary(r.response);
    if (status == 413 || status == 400 || status == 406) {
      if (r.items.size() > 1) {
        split(r);
        return;
      }
      std::string reason = status == 413
                               ? "document of " + std::to_string(r.bytes) +
                                     " bytes larger than Elasticsearch takes in one request (" + what + ")"
                               : what;
      resolve_all(r, Delivery::Rejected, reason);
      recycle(&r);
      return;
    }
    if (status != 429 && rate_ok(h.last_log_ns))
      log_error("elasticsearch {}: bulk request failed, will retry: {}", config.output_id, what);
    resolve_all(r, Delivery::Retry, what);
    recycle(&r);
  }

  // Halves go to the front of the queue, in order.
  void split(Request& r) {
    size_t half = r.items.size() / 2;
    Request* second = new_request(Request::Bulk);
    second->items.assign(r.items.begin() + static_cast<std::ptrdiff_t>(half), r.items.end());
    r.items.resize(half);
    r.bytes = second->bytes = 0;
    for (const ItemRef& it : r.items) r.bytes += it.ws->work->encoded(it.index).size();
    for (const ItemRef& it : second->items) second->bytes += it.ws->work->encoded(it.index).size();
    ready.push_front(second);
    ready.push_front(&r);
  }

  void items_answer(Request& r) {
    std::string error;
    if (!parse_bulk_response(r.response, results, &error) || results.size() != r.items.size()) {
      if (error.empty())
        error = "the _bulk response has " + std::to_string(results.size()) + " items for " +
                std::to_string(r.items.size()) + " actions";
      log_error("elasticsearch {}: {}; the request is retried", config.output_id, error);
      stats_failures.fetch_add(1, std::memory_order_relaxed);
      resolve_all(r, Delivery::Retry, error);
      return;
    }
    uint64_t delivered = 0, duplicates = 0, rejected = 0, retried = 0;
    for (size_t k = 0; k < r.items.size(); ++k) {
      const BulkItemResult& res = results[k];
      int s = res.status;
      if (s >= 200 && s < 300) {
        ++delivered;
        resolve(r.items[k], Delivery::Delivered, {});
      } else if (s == 409) {
        // Already there (a `create` sent again) or a version conflict:
        // done, as Logstash does.
        ++duplicates;
        resolve(r.items[k], Delivery::Delivered, {});
      } else if (s == 400 || s == 404 || config.dlq_custom_codes.count(s)) {
        ++rejected;
        resolve(r.items[k], Delivery::Rejected, "status " + std::to_string(s) + " " + res.error);
      } else {
        ++retried;
        resolve(r.items[k], Delivery::Retry, "status " + std::to_string(s) + " " + res.error);
      }
    }
    stats_delivered.fetch_add(delivered, std::memory_order_relaxed);
    stats_duplicates.fetch_add(duplicates, std::memory_order_relaxed);
    stats_rejected.fetch_add(rejected, std::memory_order_relaxed);
    stats_retried.fetch_add(retried, std::memory_order_relaxed);
  }

  void resolve_all(Request& r, Delivery d, const std::string& reason) {
    if (d == Delivery::Retry) stats_retried.fetch_add(r.items.size(), std::memory_order_relaxed);
    if (d == Delivery::Rejected) stats_rejected.fetch_add(r.items.size(), std::memory_order_relaxed);
    for (const ItemRef& it : r.items) resolve(it, d, reason);
  }

  void resolve(const ItemRef& it, Delivery d, std::string reason) {
    if (d != Delivery::Delivered) it.ws->work->set(it.index, d, std::move(reason));
    if (--it.ws->outstanding == 0) finish(it.ws);
  }

  void finish(WorkState* ws) {
    live_states.erase(ws);
    OutputWork* w = ws->work;
    delete ws;
    w->complete();
  }

  BulkSenderConfig config;
  CURLM* multi = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* json_headers = nullptr;
  std::vector<Host> hosts;
  size_t next_host = 0;
  enum { TemplateWanted, TemplateRunning, TemplateDone } template_state = TemplateDone;

  std::mutex mu;
  std::vector<OutputWork*> inbox;
  bool flush_wanted = false;
  bool stop = false;

  // The loop's own.
  Request* building = nullptr;
  int64_t building_since_ns = 0;
  std::deque<Request*> ready;
  std::set<Request*> running;
  std::vector<Request*> spare;
  std::vector<CURL*> easy_pool;
  std::set<WorkState*> live_states;
  std::vector<BulkItemResult> results;
  std::string scratch;
  z_stream zs{};
  bool zs_ready = false;
  std::thread thread;

  SharedLatencyHistogram stats_latency;
  mutable std::mutex stats_mu;
  std::map<long, uint64_t> stats_responses;  // under stats_mu
  std::atomic<uint64_t> stats_requests{0}, stats_failures{0}, stats_bytes{0}, stats_delivered{0},
      stats_duplicates{0}, stats_retried{0}, stats_rejected{0};
};

BulkSender::BulkSender(BulkSenderConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
BulkSender::~BulkSender() = default;
void BulkSender::submit(OutputWork& work) { impl_->submit(work); }
void BulkSender::flush() { impl_->request_flush(); }

BulkSenderStats BulkSender::stats() const {
  BulkSenderStats s;
  s.requests = impl_->stats_requests.load(std::memory_order_relaxed);
  s.request_failures = impl_->stats_failures.load(std::memory_order_relaxed);
  s.bytes_sent = impl_->stats_bytes.load(std::memory_order_relaxed);
  s.items_delivered = impl_->stats_delivered.load(std::memory_order_relaxed);
  s.items_duplicate = impl_->stats_duplicates.load(std::memory_order_relaxed);
  s.items_retried = impl_->stats_retried.load(std::memory_order_relaxed);
  s.items_rejected = impl_->stats_rejected.load(std::memory_order_relaxed);
  s.latency = impl_->stats_latency.snapshot();
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  s.responses = impl_->stats_responses;
  return s;
}

}  // namespace logpipe
