#include "outputs/elasticsearch/elasticsearch_output.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/text/json_reader.h"
#include "outputs/elasticsearch/bulk_encoder.h"
#include "outputs/elasticsearch/bulk_sender.h"

namespace logpipe {

namespace {

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool unbase64(std::string_view in, std::string* out) {
  std::string padded(in);
  while (padded.size() % 4) padded += '=';
  out->assign(3 * padded.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0) return false;
  size_t pad = 0;
  for (size_t i = padded.size(); i > 0 && padded[i - 1] == '='; --i) ++pad;
  out->resize(static_cast<size_t>(n) - std::min<size_t>(pad, static_cast<size_t>(n)));
  return true;
}

std::string read_file(const std::string& path, const char* option) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw OptionError(option, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Our own default template for `logstash-*` indices: strings as text with a
// keyword sub-field, message as text only.
constexpr const char* kTemplateSettings = R"("settings":{"index.refresh_interval":"5s","number_of_shards":1})";
constexpr const char* kTemplateMappings =
    R"("mappings":{"dynamic_templates":[)"
    R"({"message_field":{"path_match":"message","match_mapping_type":"string","mapping":{"type":"text","norms":false}}},)"
    R"({"string_fields":{"match":"*","match_mapping_type":"string","mapping":{"type":"text","norms":false,)"
    R"("fields":{"keyword":{"type":"keyword","ignore_above":256}}}}}],)"
    R"("properties":{"@timestamp":{"type":"date"},"@version":{"type":"keyword"}}})";

// Composable (_index_template, ES 8) or legacy (_template: no "template"
// wrapper, "order" instead of "priority").
std::string default_template(bool legacy) {
  std::string out = R"({"index_patterns":["logstash-*"],"version":80001,)";
  if (legacy) {
    out += R"("order":0,)";
    out += kTemplateSettings;
    out += ',';
    out += kTemplateMappings;
    out += '}';
  } else {
    out += R"("priority":200,"template":{)";
    out += kTemplateSettings;
    out += ',';
    out += kTemplateMappings;
    out += "}}";
  }
  return out;
}

std::string query_escape(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// Logstash 8's options. Those whose presence matters ("was it given?") have
// no default and bind to std::optional.
struct EsOptions {
  std::vector<std::string> hosts;
  std::optional<std::string> index, document_id, action, routing, pipeline;
  bool doc_as_upsert = false;
  std::string upsert;
  int64_t retry_on_conflict = 0;
  std::optional<std::string> user;
  std::optional<Password> password, api_key, cloud_auth;
  std::optional<std::string> cloud_id;
  std::optional<bool> ssl_enabled, ssl, ssl_certificate_verification, http_compression;
  std::vector<std::string> ssl_certificate_authorities;
  std::optional<std::string> cacert, ssl_verification_mode, ssl_certificate, ssl_key;
  std::optional<int> compression_level;
  Duration timeout, resurrect_delay, retry_initial_interval, retry_max_interval, bulk_linger;
  int64_t pool_max = 0, pool_max_per_route = 0;
  std::string healthcheck_path;
  std::optional<std::string> path;
  Object parameters, custom_headers;
  std::vector<std::string> dlq_custom_codes;
  bool dlq_on_failed_indexname_interpolation = true;
  bool manage_template = true;
  std::optional<std::string> template_file;
  std::string template_name, template_api;
  bool template_overwrite = false;
  std::string ilm_enabled, data_stream;
  std::string data_stream_type, data_stream_dataset, data_stream_namespace;
  bool data_stream_auto_routing = true, data_stream_sync_fields = true;
  bool sniffing = false;
  Bytes bulk_max_bytes;
  int64_t bulk_max_events = 0, bulk_max_requests = 0;
};

const OptionSchema<EsOptions>& es_schema() {
  static const OptionSchema<EsOptions> schema = [] {
    using O = EsOptions;
    OptionSchema<O> s;
    s.strings("hosts", &O::hosts,
              "Elasticsearch nodes (host, host:port or URL; //127.0.0.1 if unset); requests go round robin over the live ones.");
    s.string("index", &O::index, "Index to write to (%{field} allowed); logstash-%{+yyyy.MM.dd} if unset.");
    s.string("document_id", &O::document_id, "Document id (%{field} allowed); Elasticsearch makes one if unset.");
    s.string("action", &O::action, "index (if unset), create, update or delete (%{field} allowed).");
    s.string("routing", &O::routing, "Routing value (%{field} allowed).");
    s.string("pipeline", &O::pipeline, "Ingest pipeline (%{field} allowed).");
    s.boolean("doc_as_upsert", &O::doc_as_upsert, "With action => update: create the document when missing.")
        .fallback(false);
    s.string("upsert", &O::upsert, "With action => update: JSON document to create when missing.").fallback("");
    s.integer("retry_on_conflict", &O::retry_on_conflict, "With action => update: Elasticsearch's internal retries.")
        .fallback(1)
        .at_least(0);
    s.string("user", &O::user, "User for basic authentication.");
    s.password("password", &O::password, "Password for basic authentication.");
    s.password("api_key", &O::api_key, "API key as id:api_key (needs TLS).");
    s.string("cloud_id", &O::cloud_id, "Elastic Cloud id, instead of hosts.");
    s.password("cloud_auth", &O::cloud_auth, "Elastic Cloud user:password.");
    s.boolean("ssl_enabled", &O::ssl_enabled, "Use https for hosts given without a scheme.");
    s.boolean("ssl", &O::ssl, "Deprecated name of ssl_enabled.");
    s.strings("ssl_certificate_authorities", &O::ssl_certificate_authorities, "PEM file of the CAs to trust.");
    s.path("cacert", &O::cacert, "Deprecated name of ssl_certificate_authorities.");
    s.string("ssl_verification_mode", &O::ssl_verification_mode, "full (if unset) or none.").one_of({"full", "none"});
    s.boolean("ssl_certificate_verification", &O::ssl_certificate_verification,
              "Deprecated: false means ssl_verification_mode => none.");
    s.path("ssl_certificate", &O::ssl_certificate, "Client certificate (PEM).");
    s.path("ssl_key", &O::ssl_key, "Client key (PEM).");
    s.boolean("http_compression", &O::http_compression, "Deprecated: true means compression_level => 1.");
    s.integer("compression_level", &O::compression_level, "gzip level of request bodies, 0 for none; 1 if unset.")
        .range(0, 9);
    s.duration("timeout", &O::timeout, 1, "How long a request may take.").fallback(60).at_least(0.001);
    s.integer("pool_max", &O::pool_max, "Connections at most, all hosts together.").fallback(1000).at_least(1);
    s.integer("pool_max_per_route", &O::pool_max_per_route, "Connections at most per host.").fallback(100).at_least(1);
    s.duration("resurrect_delay", &O::resurrect_delay, 1, "Time between probes of a host set aside.")
        .fallback(5)
        .at_least(0.001);
    s.string("healthcheck_path", &O::healthcheck_path, "Path probed on a host set aside.").fallback("/");
    s.string("path", &O::path, "Path prefix of the hosts (a proxy).");
    s.hash("parameters", &O::parameters, "Query parameters added to every request.");
    s.hash("custom_headers", &O::custom_headers, "Headers added to every request.");
    s.duration("retry_initial_interval", &O::retry_initial_interval, 1, "Wait before the first retry; doubled each time.")
        .fallback(2)
        .at_least(0.001);
    s.duration("retry_max_interval", &O::retry_max_interval, 1, "Wait between retries at most.").fallback(64);
    s.strings("dlq_custom_codes", &O::dlq_custom_codes, "Item statuses dead-lettered besides 400 and 404.");
    s.boolean("dlq_on_failed_indexname_interpolation", &O::dlq_on_failed_indexname_interpolation,
              "Dead-letter events whose index still holds %{...}.")
        .fallback(true);
    s.boolean("manage_template", &O::manage_template, "Install an index template at start.").fallback(true);
    s.path("template", &O::template_file, "Template file (JSON); logpipe's own for logstash-* if unset.");
    s.string("template_name", &O::template_name, "Name of the template.").fallback("logstash");
    s.boolean("template_overwrite", &O::template_overwrite, "Replace a template already there.").fallback(false);
    s.string("template_api", &O::template_api, "auto, composable or legacy.")
        .fallback("auto")
        .one_of({"auto", "composable", "legacy"});
    s.string("ilm_enabled", &O::ilm_enabled, "Accepted as auto or false: logpipe does not manage ILM.")
        .fallback("auto")
        .one_of({"auto", "true", "false"});
    s.string("data_stream", &O::data_stream, "true, false or auto (auto means false).")
        .fallback("auto")
        .one_of({"true", "false", "auto"});
    s.string("data_stream_type", &O::data_stream_type, "Data stream type.").fallback("logs");
    s.string("data_stream_dataset", &O::data_stream_dataset, "Data stream dataset.").fallback("generic");
    s.string("data_stream_namespace", &O::data_stream_namespace, "Data stream namespace.").fallback("default");
    s.boolean("data_stream_auto_routing", &O::data_stream_auto_routing,
              "Take the target from the event's [data_stream] fields.")
        .fallback(true);
    s.boolean("data_stream_sync_fields", &O::data_stream_sync_fields,
              "Write the target into the event's [data_stream] fields.")
        .fallback(true);
    s.boolean("sniffing", &O::sniffing, "Not supported (false only).").fallback(false);
    s.accepted("ecs_compatibility", OptionType::String, "Accepted; logpipe has no ECS mode.");
    s.bytes("bulk_max_bytes", &O::bulk_max_bytes, "logpipe: a bulk request is sent at this size.")
        .fallback("20MiB")
        .at_least(1024);
    s.integer("bulk_max_events", &O::bulk_max_events, "logpipe: ... or at this many events.").fallback(5000).at_least(1);
    s.duration("bulk_linger", &O::bulk_linger, 1, "logpipe: ... or this long after its first event.").fallback(0.01);
    s.integer("bulk_max_requests", &O::bulk_max_requests, "logpipe: requests in flight per host at most.")
        .fallback(4)
        .at_least(1);
    return s;
  }();
  return schema;
}

class ElasticsearchOutput : public Output {
 public:
  explicit ElasticsearchOutput(const PluginArgs& args) : Output(args) {
    static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!curl_ready) throw OptionError("", "libcurl could not be initialised");
    EsOptions o = es_schema().bind(args.settings);
    BulkSenderConfig sc;
    sc.output_id = id();

    if (o.sniffing) throw OptionError("sniffing", "is not supported by logpipe: list every host in `hosts`");
    if (o.ilm_enabled == "true")
      throw OptionError("ilm_enabled", "ILM management is not supported by logpipe: attach the policy in an index template");

    // TLS: ssl_enabled, or the deprecated ssl / cacert / ssl_certificate_verification.
    bool ssl = o.ssl_enabled.value_or(o.ssl.value_or(false));
    std::vector<std::string> cas = o.ssl_certificate_authorities;
    if (cas.empty() && o.cacert) cas = {*o.cacert};
    if (cas.size() > 1) throw OptionError("ssl_certificate_authorities", "takes one file (concatenate the certificates)");
    if (!cas.empty()) sc.ca_file = cas[0];
    std::string mode = o.ssl_verification_mode.value_or("full");
    if (!o.ssl_verification_mode && o.ssl_certificate_verification)
      mode = *o.ssl_certificate_verification ? "full" : "none";
    sc.verify = mode != "none";
    sc.client_cert = o.ssl_certificate.value_or("");
    sc.client_key = o.ssl_key.value_or("");

    // Hosts (or Elastic Cloud).
    std::vector<std::string> hosts = o.hosts;
    if (o.cloud_id && !o.cloud_id->empty()) {
      if (!o.hosts.empty()) throw OptionError("cloud_id", "cannot be used together with hosts");
      hosts = {es_cloud_url(*o.cloud_id)};
    }
    if (hosts.empty()) hosts = {"//127.0.0.1"};
    std::string path = o.path.value_or("");
    if (!path.empty() && path.front() != '/') path.insert(0, "/");
    while (!path.empty() && path.back() == '/') path.pop_back();
    std::string url_user, url_password;
    for (const std::string& h : hosts) {
      std::string base = es_base_url(h, ssl, &url_user, &url_password);
      if (!path.empty() && base.find('/', base.find("//") + 2) == std::string::npos) base += path;
      sc.hosts.push_back({base});
    }

    // Credentials: user/password, cloud_auth, credentials in the URL, api_key.
    sc.user = o.user.value_or("");
    std::string password = o.password ? o.password->reveal() : "";
    sc.password = password;
    std::string cloud_auth = o.cloud_auth ? o.cloud_auth->reveal() : "";
    if (!cloud_auth.empty()) {
      size_t colon = cloud_auth.find(':');
      if (colon == std::string::npos) throw OptionError("cloud_auth", "must be user:password");
      sc.user = cloud_auth.substr(0, colon);
      sc.password = cloud_auth.substr(colon + 1);
    }
    if (sc.user.empty() && !url_user.empty()) {
      sc.user = url_user;
      sc.password = url_password;
    }
    if (o.api_key && !o.api_key->empty()) {
      if (!sc.user.empty()) throw OptionError("api_key", "cannot be used together with user/password or cloud_auth");
      bool all_https = true;
      for (auto& h : sc.hosts) all_https = all_https && h.base_url.rfind("https://", 0) == 0;
      if (!all_https) throw OptionError("api_key", "needs TLS: set ssl_enabled => true or use https:// hosts");
      sc.api_key_header = "ApiKey " + base64(o.api_key->reveal());
    }
    if (!sc.user.empty() && password.empty() && cloud_auth.empty() && url_password.empty())
      throw OptionError("password", "is required with user");

    for (auto& [k, v] : o.custom_headers) sc.custom_headers.emplace_back(k, v.to_string());
    for (auto& [k, v] : o.parameters) {
      if (!sc.query.empty()) sc.query += '&';
      sc.query += query_escape(k) + "=" + query_escape(v.to_string());
    }

    sc.timeout_ms = o.timeout.milliseconds();
    sc.resurrect_delay_ms = o.resurrect_delay.milliseconds();
    sc.healthcheck_path = o.healthcheck_path;
    if (sc.healthcheck_path.empty() || sc.healthcheck_path.front() != '/') sc.healthcheck_path.insert(0, "/");
    sc.pool_max = static_cast<long>(o.pool_max);
    sc.pool_max_per_route = static_cast<long>(o.pool_max_per_route);
    int level = 1;
    if (o.compression_level)
      level = *o.compression_level;
    else if (o.http_compression)
      level = *o.http_compression ? 1 : 0;
    sc.compression_level = level;
    for (const std::string& code : o.dlq_custom_codes) {
      int c = std::atoi(code.c_str());
      if (c == 400 || c == 404) throw OptionError("dlq_custom_codes", "400 and 404 already go to the dead letter queue");
      if (c < 100 || c > 599) throw OptionError("dlq_custom_codes", "[" + code + "] is not an HTTP status");
      sc.dlq_custom_codes.insert(c);
    }

    sc.bulk_max_bytes = static_cast<size_t>(o.bulk_max_bytes.count);
    sc.bulk_max_events = static_cast<size_t>(o.bulk_max_events);
    sc.max_requests_per_host = static_cast<size_t>(std::min<int64_t>(o.bulk_max_requests, sc.pool_max_per_route));
    sc.linger_ms = o.bulk_linger.milliseconds();

    backoff_.initial_ms = o.retry_initial_interval.milliseconds();
    backoff_.max_ms = o.retry_max_interval.milliseconds();
    if (backoff_.max_ms < backoff_.initial_ms)
      throw OptionError("retry_max_interval", "must not be less than retry_initial_interval");

    // What goes into each action.
    auto ac = std::make_shared<BulkActionConfig>();
    // logpipe has no ECS-compatibility mode, so `auto` resolves as Logstash's
    // does with ecs_compatibility => disabled: index mode.
    bool ds = o.data_stream == "true";
    ac->data_stream = ds;
    ac->ds_type = o.data_stream_type;
    ac->ds_dataset = o.data_stream_dataset;
    ac->ds_namespace = o.data_stream_namespace;
    ac->ds_auto_routing = o.data_stream_auto_routing;
    ac->ds_sync_fields = o.data_stream_sync_fields;
    if (ds) {
      std::pair<const char*, bool> conflicting[] = {{"index", o.index.has_value()},
                                                    {"document_id", o.document_id.has_value()},
                                                    {"action", o.action.has_value()},
                                                    {"routing", o.routing.has_value()}};
      for (auto& [name, given] : conflicting)
        if (given)
          throw OptionError(name, "cannot be used with data_stream => true (data streams take `create` actions into <type>-<dataset>-<namespace>)");
      if (ac->ds_type != "logs" && ac->ds_type != "metrics" && ac->ds_type != "synthetics" && ac->ds_type != "traces")
        throw OptionError("data_stream_type", "must be logs, metrics, synthetics or traces");
    }
    ac->index = SprintfTemplate(o.index.value_or("logstash-%{+yyyy.MM.dd}"));
    ac->action = SprintfTemplate(o.action.value_or("index"));
    if (ac->action.constant()) {
      const std::string& a = ac->action.text();
      if (a != "index" && a != "create" && a != "update" && a != "delete")
        throw OptionError("action", "must be index, create, update, delete or a %{field} reference");
      if ((a == "update" || a == "delete") && !o.document_id)
        throw OptionError("document_id", "is required with action => " + a);
    }
    ac->has_document_id = o.document_id.has_value();
    ac->document_id = SprintfTemplate(o.document_id.value_or(""));
    ac->has_routing = o.routing.has_value();
    ac->routing = SprintfTemplate(o.routing.value_or(""));
    ac->has_pipeline = o.pipeline.has_value();
    ac->pipeline = SprintfTemplate(o.pipeline.value_or(""));
    ac->doc_as_upsert = o.doc_as_upsert;
    ac->upsert = o.upsert;
    if (!ac->upsert.empty()) {
      Value parsed;
      std::string error;
      if (!parse_json(ac->upsert, &parsed, &error)) throw OptionError("upsert", "is not JSON: " + error);
    }
    ac->retry_on_conflict = o.retry_on_conflict;
    ac->dlq_on_failed_index_interpolation = o.dlq_on_failed_indexname_interpolation;
    actions_ = std::move(ac);

    // The template, installed at start (not for data streams: Elasticsearch
    // 8 has its own for logs-*-*).
    if (o.manage_template && !ds) {
      bool legacy = o.template_api == "legacy";
      sc.template_path = (legacy ? "/_template/" : "/_index_template/") + query_escape(o.template_name);
      if (o.template_file && !o.template_file->empty()) {
        const std::string& file = *o.template_file;
        sc.template_body = read_file(file, "template");
        Value parsed;
        std::string error;
        if (!parse_json(sc.template_body, &parsed, &error))
          throw OptionError("template", file + " is not JSON: " + error);
      } else {
        sc.template_body = default_template(legacy);
      }
      sc.template_overwrite = o.template_overwrite;
    }
    if (args.env.validating) return;  // -t and the config build: no connections
    sender_ = std::make_unique<BulkSender>(std::move(sc));
  }

  ~ElasticsearchOutput() override {
    if (!sender_) return;
    BulkSenderStats st = sender_->stats();
    sender_.reset();
    log_info("elasticsearch {}: {} bulk requests ({} failed), {:.1f} MB sent; items: {} stored, {} already there (409), {} retried, {} refused",
             id(), st.requests, st.request_failures, double(st.bytes_sent) / 1e6, st.items_delivered,
             st.items_duplicate, st.items_retried, st.items_rejected);
  }

  std::unique_ptr<OutputEncoder> make_encoder() override { return std::make_unique<BulkEncoder>(actions_); }
  size_t max_in_flight() const override { return 512; }
  std::optional<RetryBackoff> retry_backoff() const override { return backoff_; }

  void submit(OutputWork& work) override {
    if (!sender_) throw std::logic_error("elasticsearch output built for validation only");
    sender_->submit(work);
  }
  void flush() override {
    if (sender_) sender_->flush();
  }

  // Logstash's names where it has them (bulk_requests, documents).
  void collect_metrics(PluginMetrics& out) const override {
    if (!sender_) return;
    BulkSenderStats st = sender_->stats();
    using K = PluginMetric::Kind;
    out.push_back({"bulk_requests_total", "Bulk requests sent.", K::Counter, {}, double(st.requests)});
    out.push_back({"bulk_request_failures_total", "Bulk requests that failed as a whole (retried).", K::Counter, {},
                   double(st.request_failures)});
    for (auto& [status, n] : st.responses)
      out.push_back({"bulk_responses_total", "Bulk requests answered, by HTTP status (0: no answer).", K::Counter,
                     {{"status", std::to_string(status)}}, double(n)});
    out.push_back({"bulk_bytes_sent_total", "Bytes of bulk request bodies sent.", K::Counter, {}, double(st.bytes_sent)});
    out.push_back({"documents_successes_total", "Documents stored.", K::Counter, {}, double(st.items_delivered)});
    out.push_back({"documents_duplicates_total", "Documents already there (409), done.", K::Counter, {},
                   double(st.items_duplicate)});
    out.push_back({"documents_retried_total", "Document items retried.", K::Counter, {}, double(st.items_retried)});
    out.push_back({"documents_non_retryable_failures_total", "Documents refused for good (dead-lettered).", K::Counter,
                   {}, double(st.items_rejected)});
    const std::pair<const char*, double> percentiles[] = {{"50", 0.5}, {"99", 0.99}, {"100", 1}};
    for (auto& [name, q] : percentiles)
      out.push_back({"bulk_request_latency_seconds", "Bulk request latency, sent to answered, at this percentile.",
                     K::Gauge, {{"percentile", name}}, double(st.latency.percentile(q)) / 1e9});
  }

 private:
  std::shared_ptr<const BulkActionConfig> actions_;
  RetryBackoff backoff_;
  std::unique_ptr<BulkSender> sender_;
};

}  // namespace

std::string es_base_url(const std::string& host, bool ssl, std::string* user, std::string* password) {
  std::string rest = host;
  std::string scheme = ssl ? "https" : "http";
  size_t sep = rest.find("://");
  if (sep != std::string::npos) {
    scheme = rest.substr(0, sep);
    rest = rest.substr(sep + 3);
    if (scheme != "http" && scheme != "https") throw OptionError("hosts", "[" + host + "]: scheme must be http or https");
  } else if (rest.rfind("//", 0) == 0) {
    rest = rest.substr(2);
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string cred = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = cred.find(':');
    *user = cred.substr(0, colon);
    *password = colon == std::string::npos ? "" : cred.substr(colon + 1);
  }
  if (authority.empty()) throw OptionError("hosts", "[" + host + "] has no host name");
  bool has_port = false;
  if (authority.front() == '[') {  // [::1]:9200
    size_t close = authority.find(']');
    has_port = close != std::string::npos && close + 1 < authority.size() && authority[close + 1] == ':';
  } else {
    has_port = authority.find(':') != std::string::npos;
  }
  if (!has_port) authority += ":9200";
  return scheme + "://" + authority + path;
}

std::string es_cloud_url(const std::string& cloud_id) {
  size_t colon = cloud_id.find(':');
  std::string encoded = colon == std::string::npos ? cloud_id : cloud_id.substr(colon + 1);
  std::string decoded;
  if (!unbase64(encoded, &decoded)) throw OptionError("cloud_id", "is not label:base64");
  size_t d1 = decoded.find('$');
  if (d1 == std::string::npos) throw OptionError("cloud_id", "does not hold domain$es_uuid");
  std::string domain = decoded.substr(0, d1);
  size_t d2 = decoded.find('$', d1 + 1);
  std::string es_uuid = decoded.substr(d1 + 1, d2 == std::string::npos ? std::string::npos : d2 - d1 - 1);
  std::string port = "443";
  size_t pc = domain.rfind(':');
  if (pc != std::string::npos) {
    port = domain.substr(pc + 1);
    domain = domain.substr(0, pc);
  }
  if (domain.empty() || es_uuid.empty()) throw OptionError("cloud_id", "does not hold domain$es_uuid");
  return "https://" + es_uuid + "." + domain + ":" + port;
}

PluginInfo elasticsearch_output_info() {
  PluginInfo info;
  info.name = "elasticsearch";
  info.kind = PluginKind::Output;
  info.description = "Stores events in Elasticsearch through the _bulk API (Logstash's options).";
  info.default_codec = "plain";
  info.options = es_schema().specs();
  info.make_output = [](const PluginArgs& args) -> std::unique_ptr<Output> {
    return std::make_unique<ElasticsearchOutput>(args);
  };
  return info;
}

}  // namespace logpipe
