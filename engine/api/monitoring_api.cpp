#include "engine/api/monitoring_api.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "engine/api/prometheus_metrics.h"
#include "engine/system/openssl_reason.h"
#include "engine/text/json_writer.h"

namespace logpipe {

bool parse_port_range(const std::string& text, int* first, int* last) {
  auto number = [](const std::string& s, int* out) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    *out = std::stoi(s);
    return *out >= 0 && *out <= 65535;
  };
  size_t dash = text.find('-');
  if (dash == std::string::npos) {
    if (!number(text, first)) return false;
    *last = *first;
    return true;
  }
  return number(text.substr(0, dash), first) && number(text.substr(dash + 1), last) && *first <= *last;
}

MonitoringApi::MonitoringApi(const Monitor& monitor, NodeInfo node) : monitor_(monitor), node_(std::move(node)) {}

MonitoringApi::~MonitoringApi() { stop(); }

namespace {

// "Basic " and base64 of "user:password", the Authorization header a client
// with these credentials sends.
std::string basic_authorization(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  encoded.resize(static_cast<size_t>(n));
  return "Basic " + encoded;
}

// What a PKCS#12 keystore holds: the certificate, its key and the chain.
struct Keystore {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509)* chain = nullptr;
  ~Keystore() {
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
  }
};

std::shared_ptr<Keystore> read_keystore(const std::string& path, const std::string& password) {
  auto why = [&](const std::string& what) {
    return std::runtime_error("api.ssl.keystore.path " + path + ": " + what);
  };
  BIO* in = BIO_new_file(path.c_str(), "rb");
  if (!in) throw why("cannot be read (" + openssl_reason() + ")");
  PKCS12* p12 = d2i_PKCS12_bio(in, nullptr);
  BIO_free(in);
  if (!p12) throw why("not a PKCS#12 keystore (" + openssl_reason() + ")");
  auto ks = std::make_shared<Keystore>();
  bool ok = PKCS12_parse(p12, password.c_str(), &ks->key, &ks->cert, &ks->chain) == 1;
  PKCS12_free(p12);
  if (!ok) throw why("cannot be opened with api.ssl.keystore.password (" + openssl_reason() + ")");
  if (!ks->cert || !ks->key) throw why("holds no certificate with its private key");
  return ks;
}

std::unique_ptr<httplib::Server> make_server(const ApiSettings& settings) {
  if (!settings.ssl) return std::make_unique<httplib::Server>();
  std::shared_ptr<Keystore> ks = read_keystore(settings.keystore_path, settings.keystore_password);
  auto server = std::make_unique<httplib::SSLServer>([ks](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate(&ctx, ks->cert) != 1 || SSL_CTX_use_PrivateKey(&ctx, ks->key) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1)
      return false;
    for (int i = 0; ks->chain && i < sk_X509_num(ks->chain); ++i)
      if (SSL_CTX_add1_chain_cert(&ctx, sk_X509_value(ks->chain, i)) != 1) return false;
    return true;
  });
  if (!server->is_valid())
    throw std::runtime_error("api.ssl.keystore.path " + settings.keystore_path +
                             ": its key does not fit its certificate (" + openssl_reason() + ")");
  return server;
}

}  // namespace

void MonitoringApi::start(const ApiSettings& settings) {
  server_ = make_server(settings);
  httplib::Server& s = *server_;
  const char* json = "application/json";
  if (!settings.username.empty()) {
    // /health stays open: Marathon's and Docker's health checks send no
    // credentials, and it tells only up or down.
    s.set_pre_routing_handler([expected = basic_authorization(settings.username, settings.password), json](
                                  const httplib::Request& req, httplib::Response& res) {
      if (req.path == "/health") return httplib::Server::HandlerResponse::Unhandled;
      const std::string given = req.get_header_value("Authorization");
      if (given.size() == expected.size() &&
          CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0)
        return httplib::Server::HandlerResponse::Unhandled;
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"logpipe\"");
      res.set_content(R"({"error":"authentication required"})", json);
      return httplib::Server::HandlerResponse::Handled;
    });
  }
  s.Get("/", [this, json](const httplib::Request&, httplib::Response& res) {
    res.set_content(node_info_json(node_, monitor_.snapshot()), json);
  });
  s.Get(R"(/_node/stats(?:/(\w+))?/?)", [this, json](const httplib::Request& req, httplib::Response& res) {
    std::string part = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
    std::string body = node_stats_json(node_, monitor_.snapshot(), part);
    if (body.empty()) {
      res.status = 404;
      res.set_content(R"({"error":"unknown stats part: )" + part + "\"}", json);
      return;
    }
    res.set_content(body, json);
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(prometheus_metrics(monitor_.snapshot(), node_.pipeline_id), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/health", [this, json](const httplib::Request&, httplib::Response& res) {
    MonitorSnapshot m = monitor_.snapshot();
    Object o;
    o.set("status", Value(m.health.healthy ? "green" : "red"));
    Array reasons;
    for (auto& r : m.health.reasons) reasons.push_back(Value(r));
    o.set("reasons", Value(std::move(reasons)));
    res.status = m.health.healthy ? 200 : 503;
    res.set_content(to_json(Value(std::move(o))), json);
  });

  for (int port = settings.port_first; port <= settings.port_last; ++port) {
    if (port == 0) {
      int bound = s.bind_to_any_port(settings.host);
      if (bound > 0) port_ = bound;
    } else if (s.bind_to_port(settings.host, port)) {
      port_ = port;
    }
    if (port_) break;
  }
  if (!port_)
    throw std::runtime_error("the monitoring API cannot listen on " + settings.host + ":" +
                             std::to_string(settings.port_first) +
                             (settings.port_last != settings.port_first ? "-" + std::to_string(settings.port_last) : "") +
                             " (every port taken?)");
  node_.http_address = settings.host + ":" + std::to_string(port_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

void MonitoringApi::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace logpipe
