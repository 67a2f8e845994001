#include "engine/api/monitoring_api.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "engine/api/prometheus_metrics.h"
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

MonitoringApi::MonitoringApi(const Monitor& monitor, NodeInfo node)
    : monitor_(monitor), node_(std::move(node)), server_(std::make_unique<httplib::Server>()) {}

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

}  // namespace

void MonitoringApi::start(const ApiSettings& settings) {
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
