// MonitoringApi: the HTTP monitoring API, Logstash's (api.enabled,
// api.http.host, api.http.port with a range such as 9600-9700: the first free
// port is taken), served by cpp-httplib on a thread of its own.
//
//   GET /                       who this is, status green/red
//   GET /_node/stats[/events|/flow|/pipelines|/process|/latency]
//   GET /metrics                Prometheus text format
//   GET /health                 200 while running and delivering, else 503 with the reasons
//
// Every answer is built from a fresh Monitor snapshot; nothing is cached.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "engine/api/monitor.h"
#include "engine/api/node_stats.h"

namespace httplib {
class Server;
}

namespace logpipe {

struct ApiSettings {
  std::string host = "127.0.0.1";
  int port_first = 9600;
  int port_last = 9700;
  // Logstash's api.auth.type basic: every endpoint but /health asks for these
  // (401 with a Basic challenge otherwise). Empty username: no authentication.
  std::string username;
  std::string password;
  // Logstash's api.ssl.enabled with api.ssl.keystore.path and .password: HTTPS
  // with the certificate, its chain and the key of a PKCS#12 keystore.
  bool ssl = false;
  std::string keystore_path;
  std::string keystore_password;
};

// "9600" or "9600-9700"; false when it is neither.
bool parse_port_range(const std::string& text, int* first, int* last);

class MonitoringApi {
 public:
  MonitoringApi(const Monitor& monitor, NodeInfo node);
  ~MonitoringApi();

  // Binds the first free port of the range; throws std::runtime_error when
  // none is free. Then serves on its own thread.
  // A keystore that cannot be read is a std::runtime_error saying why.
  void start(const ApiSettings& settings);
  void stop();
  int port() const { return port_; }

 private:
  const Monitor& monitor_;
  NodeInfo node_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace logpipe
