#include "outputs/elasticsearch/elasticsearch_output.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>

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

bool tristate(const Settings& s, const std::string& name, const char* fallback, bool* is_auto) {
  std::string v = s.get_string(name, fallback);
  *is_auto = v == "auto";
  return v == "true";
}

class ElasticsearchOutput : public Output {
 public:
  explicit ElasticsearchOutput(const PluginArgs& args) : Output(args) {
    static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!curl_ready) throw OptionError("", "libcurl could not be initialised");
    const Settings& s = args.settings;
    BulkSenderConfig sc;
    sc.output_id = id();

    for (const char* unsupported : {"sniffing"})
      if (s.get_bool(unsupported, false))
        throw OptionError(unsupported, "is not supported by logpipe: list every host in `hosts`");
    bool ilm_auto = false;
    if (tristate(s, "ilm_enabled", "auto", &ilm_auto))
      throw OptionError("ilm_enabled", "ILM management is not supported by logpipe: attach the policy in an index template");

    // TLS: ssl_enabled, or the deprecated ssl / cacert / ssl_certificate_verification.
    bool ssl = s.has("ssl_enabled") ? s.get_bool("ssl_enabled") : s.get_bool("ssl", false);
    std::vector<std::string> cas = s.get_strings("ssl_certificate_authorities");
    if (cas.empty() && s.has("cacert")) cas = s.get_strings("cacert");
    if (cas.size() > 1) throw OptionError("ssl_certificate_authorities", "takes one file (concatenate the certificates)");
    if (!cas.empty()) sc.ca_file = cas[0];
    std::string mode = s.get_string("ssl_verification_mode", "full");
    if (!s.has("ssl_verification_mode") && s.has("ssl_certificate_verification"))
      mode = s.get_bool("ssl_certificate_verification", true) ? "full" : "none";
    sc.verify = mode != "none";
    sc.client_cert = s.get_string("ssl_certificate");
    sc.client_key = s.get_string("ssl_key");

    // Hosts (or Elastic Cloud).
    std::string cloud_id = s.get_string("cloud_id");
    std::vector<std::string> hosts = s.get_strings("hosts");
    if (!cloud_id.empty()) {
      if (s.has("hosts")) throw OptionError("cloud_id", "cannot be used together with hosts");
      hosts = {es_cloud_url(cloud_id)};
    }
    if (hosts.empty()) hosts = {"//127.0.0.1"};
    std::string path = s.get_string("path");
    if (!path.empty() && path.front() != '/') path.insert(0, "/");
    while (!path.empty() && path.back() == '/') path.pop_back();
    std::string url_user, url_password;
    for (const std::string& h : hosts) {
      std::string base = es_base_url(h, ssl, &url_user, &url_password);
      if (!path.empty() && base.find('/', base.find("//") + 2) == std::string::npos) base += path;
      sc.hosts.push_back({base});
    }

    // Credentials: user/password, cloud_auth, credentials in the URL, api_key.
    sc.user = s.get_string("user");
    sc.password = s.get_string("password");
    std::string cloud_auth = s.get_string("cloud_auth");
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
    std::string api_key = s.get_string("api_key");
    if (!api_key.empty()) {
      if (!sc.user.empty()) throw OptionError("api_key", "cannot be used together with user/password or cloud_auth");
      bool all_https = true;
      for (auto& h : sc.hosts) all_https = all_https && h.base_url.rfind("https://", 0) == 0;
      if (!all_https) throw OptionError("api_key", "needs TLS: set ssl_enabled => true or use https:// hosts");
      sc.api_key_header = "ApiKey " + base64(api_key);
    }
    if (!sc.user.empty() && s.get_string("password").empty() && cloud_auth.empty() && url_password.empty())
      throw OptionError("password", "is required with user");

    for (auto& [k, v] : s.get_hash("custom_headers")) sc.custom_headers.emplace_back(k, v.to_string());
    for (auto& [k, v] : s.get_hash("parameters")) {
      if (!sc.query.empty()) sc.query += '&';
      sc.query += query_escape(k) + "=" + query_escape(v.to_string());
    }

    sc.timeout_ms = static_cast<int64_t>(s.get_number("timeout", 60) * 1000);
    sc.resurrect_delay_ms = static_cast<int64_t>(s.get_number("resurrect_delay", 5) * 1000);
    sc.healthcheck_path = s.get_string("healthcheck_path", "/");
    if (sc.healthcheck_path.empty() || sc.healthcheck_path.front() != '/') sc.healthcheck_path.insert(0, "/");
    sc.pool_max = static_cast<long>(s.get_int("pool_max", 1000));
    sc.pool_max_per_route = static_cast<long>(s.get_int("pool_max_per_route", 100));
    int64_t level = s.get_int("compression_level", 1);
    if (!s.has("compression_level") && s.has("http_compression"))
      level = s.get_bool("http_compression") ? 1 : 0;
    if (level < 0 || level > 9) throw OptionError("compression_level", "must be 0 (none) to 9");
    sc.compression_level = static_cast<int>(level);
    for (const std::string& code : s.get_strings("dlq_custom_codes")) {
      int c = std::atoi(code.c_str());
      if (c == 400 || c == 404) throw OptionError("dlq_custom_codes", "400 and 404 already go to the dead letter queue");
      if (c < 100 || c > 599) throw OptionError("dlq_custom_codes", "[" + code + "] is not an HTTP status");
      sc.dlq_custom_codes.insert(c);
    }

    int64_t bulk_bytes = s.get_int("bulk_max_bytes", 20 << 20);
    int64_t bulk_events = s.get_int("bulk_max_events", 5000);
    int64_t requests = s.get_int("bulk_max_requests", 4);
    if (bulk_bytes < 1024) throw OptionError("bulk_max_bytes", "must be at least 1024");
    if (bulk_events < 1) throw OptionError("bulk_max_events", "must be at least 1");
    if (requests < 1) throw OptionError("bulk_max_requests", "must be at least 1");
    sc.bulk_max_bytes = static_cast<size_t>(bulk_bytes);
    sc.bulk_max_events = static_cast<size_t>(bulk_events);
    sc.max_requests_per_host = static_cast<size_t>(std::min<int64_t>(requests, sc.pool_max_per_route));
    sc.linger_ms = static_cast<int64_t>(s.get_number("bulk_linger", 0.01) * 1000);

    backoff_.initial_ms = static_cast<int64_t>(s.get_number("retry_initial_interval", 2) * 1000);
    backoff_.max_ms = static_cast<int64_t>(s.get_number("retry_max_interval", 64) * 1000);
    if (backoff_.initial_ms < 1) throw OptionError("retry_initial_interval", "must be positive");
    if (backoff_.max_ms < backoff_.initial_ms)
      throw OptionError("retry_max_interval", "must not be less than retry_initial_interval");

    // What goes into each action.
    auto ac = std::make_shared<BulkActionConfig>();
    bool ds_auto = false;
    bool ds = tristate(s, "data_stream", "auto", &ds_auto);
    // logpipe has no ECS-compatibility mode, so `auto` resolves as Logstash's
    // does with ecs_compatibility => disabled: index mode.
    ac->data_stream = ds;
    ac->ds_type = s.get_string("data_stream_type", "logs");
    ac->ds_dataset = s.get_string("data_stream_dataset", "generic");
    ac->ds_namespace = s.get_string("data_stream_namespace", "default");
    ac->ds_auto_routing = s.get_bool("data_stream_auto_routing", true);
    ac->ds_sync_fields = s.get_bool("data_stream_sync_fields", true);
    if (ds) {
      for (const char* conflicting : {"index", "document_id", "action", "routing"})
        if (s.has(conflicting))
          throw OptionError(conflicting, "cannot be used with data_stream => true (data streams take `create` actions into <type>-<dataset>-<namespace>)");
      if (ac->ds_type != "logs" && ac->ds_type != "metrics" && ac->ds_type != "synthetics" && ac->ds_type != "traces")
        throw OptionError("data_stream_type", "must be logs, metrics, synthetics or traces");
    }
    ac->index = SprintfTemplate(s.get_string("index", "logstash-%{+yyyy.MM.dd}"));
    ac->action = SprintfTemplate(s.get_string("action", "index"));
    if (ac->action.constant()) {
      const std::string& a = ac->action.text();
      if (a != "index" && a != "create" && a != "update" && a != "delete")
        throw OptionError("action", "must be index, create, update, delete or a %{field} reference");
      if ((a == "update" || a == "delete") && !s.has("document_id"))
        throw OptionError("document_id", "is required with action => " + a);
    }
    ac->has_document_id = s.has("document_id");
    ac->document_id = SprintfTemplate(s.get_string("document_id"));
    ac->has_routing = s.has("routing");
    ac->routing = SprintfTemplate(s.get_string("routing"));
    ac->has_pipeline = s.has("pipeline");
    ac->pipeline = SprintfTemplate(s.get_string("pipeline"));
    ac->doc_as_upsert = s.get_bool("doc_as_upsert", false);
    ac->upsert = s.get_string("upsert");
    if (!ac->upsert.empty()) {
      Value parsed;
      std::string error;
      if (!parse_json(ac->upsert, &parsed, &error)) throw OptionError("upsert", "is not JSON: " + error);
    }
    ac->retry_on_conflict = s.get_int("retry_on_conflict", 1);
    ac->dlq_on_failed_index_interpolation = s.get_bool("dlq_on_failed_indexname_interpolation", true);
    actions_ = std::move(ac);

    // The template, installed at start (not for data streams: Elasticsearch
    // 8 has its own for logs-*-*).
    if (s.get_bool("manage_template", true) && !ds) {
      std::string api = s.get_string("template_api", "auto");
      bool legacy = api == "legacy";
      std::string name = s.get_string("template_name", "logstash");
      sc.template_path = (legacy ? "/_template/" : "/_index_template/") + query_escape(name);
      std::string file = s.get_string("template");
      if (!file.empty()) {
        sc.template_body = read_file(file, "template");
        Value parsed;
        std::string error;
        if (!parse_json(sc.template_body, &parsed, &error))
          throw OptionError("template", file + " is not JSON: " + error);
      } else {
        sc.template_body = default_template(legacy);
      }
      sc.template_overwrite = s.get_bool("template_overwrite", false);
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
  using T = OptionType;
  info.options = {
      option("hosts", T::Array, std::nullopt,
             "Elasticsearch nodes (host, host:port or URL; //127.0.0.1 if unset); requests go round robin over the live ones."),
      option("index", T::String, std::nullopt, "Index to write to (%{field} allowed); logstash-%{+yyyy.MM.dd} if unset."),
      option("document_id", T::String, std::nullopt, "Document id (%{field} allowed); Elasticsearch makes one if unset."),
      option("action", T::String, std::nullopt, "index (if unset), create, update or delete (%{field} allowed)."),
      option("routing", T::String, std::nullopt, "Routing value (%{field} allowed)."),
      option("pipeline", T::String, std::nullopt, "Ingest pipeline (%{field} allowed)."),
      option("doc_as_upsert", T::Boolean, Value(false), "With action => update: create the document when missing."),
      option("upsert", T::String, Value(""), "With action => update: JSON document to create when missing."),
      option("retry_on_conflict", T::Number, Value(1), "With action => update: Elasticsearch's internal retries."),
      option("user", T::String, std::nullopt, "User for basic authentication."),
      option("password", T::Password, std::nullopt, "Password for basic authentication."),
      option("api_key", T::Password, std::nullopt, "API key as id:api_key (needs TLS)."),
      option("cloud_id", T::String, std::nullopt, "Elastic Cloud id, instead of hosts."),
      option("cloud_auth", T::Password, std::nullopt, "Elastic Cloud user:password."),
      option("ssl_enabled", T::Boolean, std::nullopt, "Use https for hosts given without a scheme."),
      option("ssl", T::Boolean, std::nullopt, "Deprecated name of ssl_enabled."),
      option("ssl_certificate_authorities", T::Array, std::nullopt, "PEM file of the CAs to trust."),
      option("cacert", T::Path, std::nullopt, "Deprecated name of ssl_certificate_authorities."),
      option("ssl_verification_mode", T::String, std::nullopt, "full (if unset) or none.", {"full", "none"}),
      option("ssl_certificate_verification", T::Boolean, std::nullopt, "Deprecated: false means ssl_verification_mode => none."),
      option("ssl_certificate", T::Path, std::nullopt, "Client certificate (PEM)."),
      option("ssl_key", T::Path, std::nullopt, "Client key (PEM)."),
      option("http_compression", T::Boolean, std::nullopt, "Deprecated: true means compression_level => 1."),
      option("compression_level", T::Number, std::nullopt, "gzip level of request bodies, 0 for none; 1 if unset."),
      option("timeout", T::Number, Value(60), "Seconds a request may take."),
      option("pool_max", T::Number, Value(1000), "Connections at most, all hosts together."),
      option("pool_max_per_route", T::Number, Value(100), "Connections at most per host."),
      option("resurrect_delay", T::Number, Value(5), "Seconds between probes of a host set aside."),
      option("healthcheck_path", T::String, Value("/"), "Path probed on a host set aside."),
      option("path", T::String, std::nullopt, "Path prefix of the hosts (a proxy)."),
      option("parameters", T::Hash, std::nullopt, "Query parameters added to every request."),
      option("custom_headers", T::Hash, std::nullopt, "Headers added to every request."),
      option("retry_initial_interval", T::Number, Value(2), "Seconds before the first retry; doubled each time."),
      option("retry_max_interval", T::Number, Value(64), "Seconds between retries at most."),
      option("dlq_custom_codes", T::Array, std::nullopt, "Item statuses dead-lettered besides 400 and 404."),
      option("dlq_on_failed_indexname_interpolation", T::Boolean, Value(true),
             "Dead-letter events whose index still holds %{...}."),
      option("manage_template", T::Boolean, Value(true), "Install an index template at start."),
      option("template", T::Path, std::nullopt, "Template file (JSON); logpipe's own for logstash-* if unset."),
      option("template_name", T::String, Value("logstash"), "Name of the template."),
      option("template_overwrite", T::Boolean, Value(false), "Replace a template already there."),
      option("template_api", T::String, Value("auto"), "auto, composable or legacy.", {"auto", "composable", "legacy"}),
      option("ilm_enabled", T::String, Value("auto"), "Accepted as auto or false: logpipe does not manage ILM.",
             {"auto", "true", "false"}),
      option("data_stream", T::String, Value("auto"), "true, false or auto (auto means false).", {"true", "false", "auto"}),
      option("data_stream_type", T::String, Value("logs"), "Data stream type."),
      option("data_stream_dataset", T::String, Value("generic"), "Data stream dataset."),
      option("data_stream_namespace", T::String, Value("default"), "Data stream namespace."),
      option("data_stream_auto_routing", T::Boolean, Value(true), "Take the target from the event's [data_stream] fields."),
      option("data_stream_sync_fields", T::Boolean, Value(true), "Write the target into the event's [data_stream] fields."),
      option("sniffing", T::Boolean, Value(false), "Not supported (false only)."),
      option("ecs_compatibility", T::String, std::nullopt, "Accepted; logpipe has no ECS mode."),
      option("bulk_max_bytes", T::Number, Value(20 << 20), "logpipe: a bulk request is sent at this many bytes."),
      option("bulk_max_events", T::Number, Value(5000), "logpipe: ... or at this many events."),
      option("bulk_linger", T::Number, Value(0.01), "logpipe: ... or this many seconds after its first event."),
      option("bulk_max_requests", T::Number, Value(4), "logpipe: requests in flight per host at most."),
  };
  info.make_output = [](const PluginArgs& args) -> std::unique_ptr<Output> {
    return std::make_unique<ElasticsearchOutput>(args);
  };
  return info;
}

}  // namespace logpipe
