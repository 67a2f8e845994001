// The monitoring figures: counters that agree exactly with what went
// through, /metrics that a strict Prometheus parser accepts with the same
// values, /health that follows an input's failure and an output's outage
// (the local Elasticsearch contract server), and the statsd push as a UDP
// listener receives it.
#include <httplib.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "engine/api/monitor.h"
#include "engine/api/node_stats.h"
#include "engine/api/prometheus_metrics.h"
#include "engine/api/statsd_push.h"
#include "engine/config/compiler.h"
#include "engine/runtime/pipeline.h"
#include "engine/text/json_reader.h"
#include "tests/logpipe_process.h"
#include "tests/loopback_socket.h"
#include "tests/test_certificates.h"
#include "tests/prometheus_text.h"
#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe {
namespace {

using testing::Logpipe;
using testing::TempDirTest;
using testing::wait_until;

// A datagram within `wait`, or nothing.
std::optional<std::string> receive(int fd, std::chrono::milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
  char buf[65536];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

// text as a regular expression that matches only itself.
std::string literal(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::string(".|[]()*+?^$\\{}").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

std::shared_ptr<PipelineConfig> compiled(const std::string& text) {
  return config::load_pipeline({config::SourceFile{"test.conf", text}});
}

// The sample with exactly these labels (besides pipeline) in a family.
const testing::PromSample* find_sample(const std::vector<testing::PromFamily>& families, const std::string& name,
                                       const std::vector<std::pair<std::string, std::string>>& labels) {
  for (auto& f : families)
    for (auto& s : f.samples) {
      if (s.name != name) continue;
      bool all = true;
      for (auto& want : labels) {
        bool found = false;
        for (auto& have : s.labels) found |= have == want;
        all &= found;
      }
      if (all) return &s;
    }
  return nullptr;
}

double sample_value(const std::vector<testing::PromFamily>& families, const std::string& name,
                    const std::vector<std::pair<std::string, std::string>>& labels = {}) {
  const testing::PromSample* s = find_sample(families, name, labels);
  if (!s) throw std::runtime_error("no sample " + name);
  return s->value;
}

class MonitoringInProcess : public TempDirTest {
 public:
  MonitoringInProcess() : TempDirTest("monitoring") {}
  PipelineSettings settings() const {
    PipelineSettings s;
    s.workers = 2;
    s.batch_size = 50;
    s.batch_delay_ms = 5;
    s.data_dir = path("data");
    return s;
  }
};

TEST_F(MonitoringInProcess, CountersAgreeExactlyWithWhatWentThroughAndMetricsParseStrictly) {
  std::filesystem::create_directories(path("data"));
  // 2,500 rounds of 4 lines: 10,000 events, the 2,500 "d" dropped.
  auto config = compiled(
      "input { generator { count => 2500 lines => [\"a\", \"b\", \"c\", \"d\"] } }\n"
      "filter {\n"
      "  mutate { id => \"tagger\" add_tag => [\"seen\"] }\n"
      "  if [message] == \"d\" { drop { id => \"dropper\" } }\n"
      "}\n"
      "output { file { id => \"sink\" path => \"" + path("out.json") + "\" } }\n");
  Pipeline pipeline(config, settings());
  Monitor monitor([&] { return pipeline.stats(); }, MonitorSettings{});
  pipeline.start();
  pipeline.wait();
  monitor.sample();
  MonitorSnapshot m = monitor.snapshot();
  const PipelineStats& s = m.stats;

  ASSERT_EQ(s.events_in, 10000u);
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].events_out, 10000u);
  EXPECT_EQ(s.input_queue.events_in, 10000u);
  EXPECT_EQ(s.input_queue.events_out, 10000u);
  EXPECT_EQ(s.input_queue.depth_batches, 0u);
  std::map<std::string, FilterSummary> filters;
  for (auto& f : s.filters) filters[f.id] = f;
  ASSERT_EQ(filters.count("tagger"), 1u);
  ASSERT_EQ(filters.count("dropper"), 1u);
  EXPECT_EQ(filters["tagger"].events_in, 10000u);
  EXPECT_EQ(filters["tagger"].events_out, 10000u);
  EXPECT_EQ(filters["dropper"].events_in, 2500u);
  EXPECT_EQ(filters["dropper"].events_out, 0u);
  EXPECT_EQ(filters["tagger"].per_event.count(), 10000u);
  ASSERT_EQ(s.outputs.size(), 1u);
  const OutputStats& out = s.outputs[0].stats;
  EXPECT_EQ(s.events_filtered, 7500u);
  EXPECT_EQ(out.events_in, 7500u);
  // In = out + dropped + dead-lettered, per output and in total.
  EXPECT_EQ(out.events_in, out.delivered + out.dropped + out.dead_lettered);
  EXPECT_EQ(s.events_in, s.events_out + 2500 + s.dead_lettered);
  EXPECT_EQ(s.events_done, 10000u);
  EXPECT_EQ(s.latency.count(), 10000u);  // dropped events are done when their batch is

  // The same figures through /metrics, read by a strict parser.
  std::string text = prometheus_metrics(m, "main");
  std::vector<testing::PromFamily> families;
  ASSERT_NO_THROW(families = testing::parse_prometheus_text(text)) << text;
  EXPECT_EQ(sample_value(families, "logpipe_events_in_total"), 10000);
  EXPECT_EQ(sample_value(families, "logpipe_events_filtered_total"), 7500);
  EXPECT_EQ(sample_value(families, "logpipe_events_out_total"), 7500);
  EXPECT_EQ(sample_value(families, "logpipe_plugin_events_in_total", {{"plugin_id", "dropper"}}), 2500);
  EXPECT_EQ(sample_value(families, "logpipe_plugin_events_out_total", {{"plugin_id", "dropper"}}), 0);
  EXPECT_EQ(sample_value(families, "logpipe_plugin_events_in_total", {{"plugin_id", "sink"}}), 7500);
  EXPECT_EQ(sample_value(families, "logpipe_queue_events_out_total", {{"queue", "input"}}), 10000);
  EXPECT_EQ(sample_value(families, "logpipe_latency_seconds_count"), 10000);
  EXPECT_EQ(sample_value(families, "logpipe_latency_seconds_bucket", {{"le", "+Inf"}}), 10000);
  EXPECT_EQ(sample_value(families, "logpipe_filter_time_per_event_seconds_count", {{"plugin_id", "tagger"}}), 10000);
  EXPECT_GT(sample_value(families, "logpipe_process_resident_memory_bytes"), 0);

  // And through /_node/stats, in Logstash's shape.
  NodeInfo node;
  node.version = "test";
  Value stats;
  std::string error;
  ASSERT_TRUE(parse_json(node_stats_json(node, m, ""), &stats, &error)) << error;
  const Value* events = stats.as_object().find("events");
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(events->as_object().find("in")->as_int(), 10000);
  EXPECT_EQ(events->as_object().find("out")->as_int(), 7500);
  const Value* plugins = stats.as_object().find("pipelines")->as_object().find("main")->as_object().find("plugins");
  ASSERT_NE(plugins, nullptr);
  const Array& fl = plugins->as_object().find("filters")->as_array();
  bool saw_dropper = false;
  for (auto& f : fl)
    if (f.as_object().find("id")->as_string() == "dropper") {
      saw_dropper = true;
      EXPECT_EQ(f.as_object().find("events")->as_object().find("in")->as_int(), 2500);
    }
  EXPECT_TRUE(saw_dropper);
  EXPECT_EQ(node_stats_json(node, m, "nonsense"), "");
}

TEST_F(MonitoringInProcess, GrokCountsMatchesFailuresAndEachPatternsMatchesOverAllWorkers) {
  std::filesystem::create_directories(path("data"));
  auto config = compiled(
      "input { generator { count => 100 lines => [\"alpha 1\", \"beta\", \"gamma 2\", \"???\"] } }\n"
      "filter { grok { id => \"g\" match => { \"message\" => [\"%{WORD:w} %{INT:n}\", \"^beta$\"] } } }\n"
      "output { file { path => \"" + path("out.json") + "\" } }\n");
  Pipeline pipeline(config, settings());
  Monitor monitor([&] { return pipeline.stats(); }, MonitorSettings{});
  pipeline.start();
  pipeline.wait();
  auto families = testing::parse_prometheus_text(prometheus_metrics(monitor.snapshot(), "main"));
  EXPECT_EQ(sample_value(families, "logpipe_grok_matches_total", {{"plugin_id", "g"}}), 300);
  EXPECT_EQ(sample_value(families, "logpipe_grok_failures_total", {{"plugin_id", "g"}}), 100);
  EXPECT_EQ(sample_value(families, "logpipe_grok_pattern_matches_total",
                         {{"pattern", "%{WORD:w} %{INT:n}"}, {"engine", "pcre2"}, {"field", "message"}}),
            200);
  EXPECT_EQ(sample_value(families, "logpipe_grok_pattern_matches_total", {{"pattern", "^beta$"}}), 100);
}

TEST_F(MonitoringInProcess, EnableMetricFalseTurnsAPluginsFiguresOff) {
  std::filesystem::create_directories(path("data"));
  auto config = compiled(
      "input { generator { count => 100 } }\n"
      "filter { mutate { id => \"quiet\" enable_metric => false add_tag => [\"x\"] } }\n"
      "output { file { id => \"sink\" enable_metric => false path => \"" + path("out.json") + "\" } }\n");
  Pipeline pipeline(config, settings());
  Monitor monitor([&] { return pipeline.stats(); }, MonitorSettings{});
  pipeline.start();
  pipeline.wait();
  MonitorSnapshot m = monitor.snapshot();
  ASSERT_EQ(m.stats.filters.size(), 1u);
  EXPECT_FALSE(m.stats.filters[0].metered);
  EXPECT_EQ(m.stats.filters[0].events_in, 0u);
  std::string text = prometheus_metrics(m, "main");
  auto families = testing::parse_prometheus_text(text);
  EXPECT_EQ(find_sample(families, "logpipe_plugin_events_in_total", {{"plugin_id", "quiet"}}), nullptr);
  EXPECT_EQ(find_sample(families, "logpipe_plugin_events_in_total", {{"plugin_id", "sink"}}), nullptr);
  EXPECT_EQ(sample_value(families, "logpipe_events_out_total"), 100);  // the pipeline's own still count
}

TEST_F(MonitoringInProcess, AnInputThatFailedToStartMakesTheNodeUnhealthy) {
  std::filesystem::create_directories(path("data"));
  int taken_port = 0;
  int taken = testing::bind_loopback(SOCK_STREAM, taken_port);  // a port already in use
  ASSERT_EQ(::listen(taken, 1), 0);
  auto config = compiled("input { tcp { port => " + std::to_string(taken_port) +
                         " } } output { file { path => \"" + path("out.json") + "\" } }\n");
  Pipeline pipeline(config, settings());
  Monitor monitor([&] { return pipeline.stats(); }, MonitorSettings{});
  pipeline.start();
  ASSERT_TRUE(wait_until([&] { return !pipeline.stats().failed_inputs.empty(); }, std::chrono::seconds(10),
                         std::chrono::milliseconds(20)));
  monitor.sample();
  Health h = monitor.snapshot().health;
  EXPECT_FALSE(h.healthy);
  ASSERT_FALSE(h.reasons.empty());
  EXPECT_EQ(h.reasons[0], "input tcp_1 failed");
  pipeline.request_stop();
  pipeline.wait();
  ::close(taken);
}

TEST(StatsdPushLines, NamesValuesAndCounterIncreases) {
  MonitorSnapshot m;
  m.stats.events_in = 1200;
  m.stats.events_filtered = 1100;
  m.stats.events_out = 1000;
  m.stats.events_done = 1150;
  m.stats.input_queue.capacity_batches = 16;
  m.stats.input_queue.depth_batches = 3;
  m.stats.inputs.push_back({"kafka/in", "kafka", 1200, {{"consumer_lag", "lag", PluginMetric::Kind::Gauge, {{"topic", "logs"}, {"partition", "3"}}, 42}}, true});
  m.stats.running = true;
  m.rates.in_1s = 1500.25;
  m.rates.out_1s = 1400;
  m.health.healthy = true;
  // 2 ms, shown as its bucket's upper bound: 2.007039 ms.
  for (int i = 0; i < 100; ++i) m.stats.latency.record(2000000);
  m.process.resident_bytes = 1 << 20;
  m.process.cpu_seconds = 1.5;
  m.process.threads = 9;
  std::map<std::string, double> previous;
  std::string first = statsd_push_lines(m, "p", previous);
  std::string expected =
      "p.events.in:1200|c\n"
      "p.events.filtered:1100|c\n"
      "p.events.out:1000|c\n"
      "p.events.dead_lettered:0|c\n"
      "p.events.in_flight:50|g\n"
      "p.events.per_second.in:1500.25|g\n"
      "p.events.per_second.out:1400|g\n"
      "p.queue.input.depth:3|g\n"
      "p.queue.input.capacity:16|g\n"
      "p.plugin.kafka_in.events_out:1200|c\n"
      "p.plugin.kafka_in.consumer_lag.logs.3:42|g\n"
      "p.latency.p50:2.007039|ms\n"
      "p.latency.p90:2.007039|ms\n"
      "p.latency.p99:2.007039|ms\n"
      "p.latency.max:2.007039|ms\n"
      "p.queue_wait.p99:0|ms\n"
      "p.process.rss_bytes:1048576|g\n"
      "p.process.cpu_seconds:1.5|g\n"
      "p.process.threads:9|g\n"
      "p.healthy:1|g\n";
  EXPECT_EQ(first, expected);
  // The next push sends what was added since.
  m.stats.events_in = 1500;
  std::string second = statsd_push_lines(m, "p", previous);
  EXPECT_EQ(second.substr(0, second.find('\n') + 1), "p.events.in:300|c\n");
  EXPECT_NE(second.find("p.events.out:0|c\n"), std::string::npos);
}

TEST(StatsdPushLines, DefaultPrefixFollowsMarathonAndMesos) {
  EXPECT_EQ(default_statsd_prefix([](const char*) -> const char* { return nullptr; }), "logpipe");
  EXPECT_EQ(default_statsd_prefix([](const char* v) -> const char* {
              return std::string(v) == "MARATHON_APP_ID" ? "/team/app" : "app.0a1b";
            }),
            "logpipe.team_app.app_0a1b");
}

// ------------------------------------------------------------ the process

class MonitoringBinary : public TempDirTest {
 public:
  MonitoringBinary() : TempDirTest("monitoring_binary") {}
};

// The API listens on loopback unless api.http.host says otherwise, and none of
// its documents carries a plugin's password or API key.
TEST_F(MonitoringBinary, BindsLoopbackByDefaultAndShowsNoSecrets) {
  Logpipe lp(dir_, "lp",
             "input { generator { message => \"hello\" } }\n"
             "output { elasticsearch { hosts => [\"http://127.0.0.1:1\"] user => \"elastic\"\n"
             "  password => \"pw-api-s3cr3t\" } }\n",
             {"--api.http.port", "0", "--pipeline.shutdown_timeout", "1s"});
  int port = lp.api_port();
  ASSERT_GT(port, 0) << lp.log();
  EXPECT_NE(lp.log().find("monitoring API on http://127.0.0.1:"), std::string::npos) << lp.log();
  httplib::Client client("127.0.0.1", port);
  ASSERT_TRUE(wait_until([&] { return static_cast<bool>(client.Get("/")); }, std::chrono::seconds(20),
                         std::chrono::milliseconds(100)))
      << lp.log();
  for (const char* path : {"/", "/_node/stats", "/_node/stats/pipelines", "/metrics", "/health"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body.find("pw-api-s3cr3t"), std::string::npos) << path << ": " << r->body;
  }
  // Not on the machine's other addresses: a connection to one of them is refused.
  ifaddrs* addrs = nullptr;
  ASSERT_EQ(getifaddrs(&addrs), 0);
  for (ifaddrs* a = addrs; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    sockaddr_in in = *reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if ((ntohl(in.sin_addr.s_addr) >> 24) == 127) continue;
    in.sin_port = htons(static_cast<uint16_t>(port));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_NE(connect(fd, reinterpret_cast<sockaddr*>(&in), sizeof in), 0) << a->ifa_name;
    close(fd);
  }
  freeifaddrs(addrs);
  lp.stop(30);
  EXPECT_EQ(lp.log().find("pw-api-s3cr3t"), std::string::npos) << lp.log();
}

// Logstash's api.auth.type basic: every endpoint asks for the credentials,
// except /health, which Marathon's and Docker's checks reach without them.
TEST_F(MonitoringBinary, BasicAuthGuardsEveryEndpointButHealth) {
  // The password through ${VAR}, as a deploy keeps it out of the process list.
  ASSERT_EQ(setenv("LOGPIPE_TEST_API_PASSWORD", "pw-basic-s3cr3t", 1), 0);
  Logpipe lp(dir_, "lp", "input { generator { message => \"hello\" } }\noutput { file { path => \"/dev/null\" } }\n",
             {"--api.http.port", "0", "--api.auth.type", "basic", "--api.auth.basic.username", "ops",
              "--api.auth.basic.password", "${LOGPIPE_TEST_API_PASSWORD}"});
  int port = lp.api_port();
  ASSERT_GT(port, 0) << lp.log();
  httplib::Client anonymous("127.0.0.1", port), right("127.0.0.1", port), wrong("127.0.0.1", port);
  right.set_basic_auth("ops", "pw-basic-s3cr3t");
  wrong.set_basic_auth("ops", "pw-basic-s3cr3T");
  for (const char* path : {"/", "/_node/stats", "/_node/stats/pipelines", "/metrics"}) {
    SCOPED_TRACE(path);
    auto denied = anonymous.Get(path);
    ASSERT_TRUE(denied);
    EXPECT_EQ(denied->status, 401);
    EXPECT_EQ(denied->get_header_value("WWW-Authenticate"), "Basic realm=\"logpipe\"");
    auto refused = wrong.Get(path);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401);
    auto allowed = right.Get(path);
    ASSERT_TRUE(allowed);
    EXPECT_EQ(allowed->status, 200) << allowed->body;
    EXPECT_EQ(allowed->body.find("pw-basic-s3cr3t"), std::string::npos) << allowed->body;
  }
  auto health = anonymous.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  lp.stop(30);
  EXPECT_EQ(lp.log().find("pw-basic-s3cr3t"), std::string::npos) << lp.log();
  unsetenv("LOGPIPE_TEST_API_PASSWORD");
}

// Logstash's api.ssl.enabled with a PKCS#12 keystore: HTTPS with the
// certificate and its chain, which a client that trusts the CA verifies;
// together with basic authentication, as a deployment off the loopback runs it.
TEST_F(MonitoringBinary, ServesHttpsFromAPkcs12Keystore) {
  testing::TestCertificates certs;
  ASSERT_TRUE(certs.ok());
  const std::string keystore = certs.path("api.p12");
  ASSERT_EQ(std::system(("openssl pkcs12 -export -in '" + certs.path("server.crt") + "' -inkey '" +
                         certs.path("server.key") + "' -certfile '" + certs.path("ca.crt") + "' -out '" + keystore +
                         "' -passout pass:ks-s3cr3t >/dev/null 2>&1")
                            .c_str()),
            0);
  ASSERT_EQ(setenv("LOGPIPE_TEST_KEYSTORE_PASSWORD", "ks-s3cr3t", 1), 0);
  Logpipe lp(dir_, "lp", "input { generator { message => \"hello\" } }\noutput { file { path => \"/dev/null\" } }\n",
             {"--api.http.port", "0", "--api.ssl.enabled", "true", "--api.ssl.keystore.path", keystore,
              "--api.ssl.keystore.password", "${LOGPIPE_TEST_KEYSTORE_PASSWORD}", "--api.auth.type", "basic",
              "--api.auth.basic.username", "ops", "--api.auth.basic.password", "pw-basic-s3cr3t"});
  int port = lp.api_port();
  ASSERT_GT(port, 0) << lp.log();
  EXPECT_NE(lp.log().find("monitoring API on https://127.0.0.1:"), std::string::npos) << lp.log();

  httplib::SSLClient trusting("127.0.0.1", port);
  trusting.set_ca_cert_path(certs.path("ca.crt").c_str());
  trusting.enable_server_certificate_verification(true);
  trusting.set_basic_auth("ops", "pw-basic-s3cr3t");
  auto stats = trusting.Get("/_node/stats");
  ASSERT_TRUE(stats) << httplib::to_string(stats.error()) << "\n" << lp.log();
  EXPECT_EQ(stats->status, 200);
  EXPECT_NE(stats->body.find("\"pipelines\""), std::string::npos);

  // A client that does not trust the CA refuses the certificate.
  httplib::SSLClient stranger("127.0.0.1", port);
  stranger.set_ca_cert_path(certs.path("stranger.crt").c_str());
  stranger.enable_server_certificate_verification(true);
  auto refused = stranger.Get("/health");
  EXPECT_FALSE(refused);
  // Plain HTTP gets no answer from it.
  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(2, 0);
  auto unencrypted = plain.Get("/health");
  EXPECT_TRUE(!unencrypted || unencrypted->status >= 400);
  lp.stop(30);
  EXPECT_EQ(lp.log().find("ks-s3cr3t"), std::string::npos) << lp.log();
  unsetenv("LOGPIPE_TEST_KEYSTORE_PASSWORD");
}

TEST(MonitoringSettings, ApiSecuritySettingsThatCannotBeMetAreRefused) {
  struct Finished {
    int status;
    std::string err;
  };
  auto run = [](const std::vector<std::string>& argv) {
    testing::Subprocess p(argv);
    p.close_stdin();
    int status = p.finish(30);
    return Finished{status, p.err()};
  };
  std::string bin = testing::logpipe_binary();
  const std::string config = "input { generator { count => 1 } } output { stdout {} }";
  auto missing = run({bin, "--api.auth.type", "basic", "--api.auth.basic.username", "ops", "-e", config});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("api.auth.type basic needs api.auth.basic.password"), std::string::npos) << missing.err;
  auto unset = run({bin, "--api.auth.type", "basic", "--api.auth.basic.username", "ops",
                    "--api.auth.basic.password", "${LOGPIPE_TEST_UNSET_VARIABLE}", "-e", config});
  EXPECT_EQ(unset.status, 2);
  EXPECT_NE(unset.err.find("LOGPIPE_TEST_UNSET_VARIABLE is not set"), std::string::npos) << unset.err;
  auto no_keystore = run({bin, "--api.ssl.enabled", "true", "-e", config});
  EXPECT_EQ(no_keystore.status, 2);
  EXPECT_NE(no_keystore.err.find("api.ssl.enabled needs api.ssl.keystore.path"), std::string::npos) << no_keystore.err;
  auto not_pkcs12 = run({bin, "--api.ssl.enabled", "true", "--api.ssl.keystore.path", bin,
                         "--api.ssl.keystore.password", "x", "--api.http.port", "0", "-e", config});
  EXPECT_EQ(not_pkcs12.status, 1);
  EXPECT_NE(not_pkcs12.err.find("api.ssl.keystore.path " + bin + ": not a PKCS#12 keystore"), std::string::npos)
      << not_pkcs12.err;
  auto unknown = run({bin, "--api.auth.type", "digest", "-e", config});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("api.auth.type must be none or basic"), std::string::npos) << unknown.err;
}

TEST_F(MonitoringBinary, ServesLogstashShapedStatsPrometheusMetricsAndHealth) {
  Logpipe lp(dir_, "lp",
             "input { generator { message => \"hello 42\" } }\n"
             "filter { grok { id => \"parse\" match => { \"message\" => \"%{WORD:w} %{INT:n}\" } } }\n"
             "output { file { path => \"/dev/null\" } }\n",
             {"--api.http.port", "0"});
  int port = lp.api_port();
  ASSERT_GT(port, 0) << lp.log();
  httplib::Client client("127.0.0.1", port);
  ASSERT_TRUE(wait_until([&] {
    auto r = client.Get("/health");
    return r && r->status == 200;
  }, std::chrono::seconds(20), std::chrono::milliseconds(100))) << lp.log();

  auto root = client.Get("/");
  ASSERT_TRUE(root);
  Value v;
  std::string error;
  ASSERT_TRUE(parse_json(root->body, &v, &error)) << root->body;
  EXPECT_EQ(v.as_object().find("status")->as_string(), "green");
  EXPECT_EQ(v.as_object().find("http_address")->as_string(), "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(v.as_object().find("id")->as_string().size(), 36u);

  for (const char* part : {"", "/events", "/flow", "/pipelines", "/process", "/latency"}) {
    auto r = client.Get(std::string("/_node/stats") + part);
    ASSERT_TRUE(r) << part;
    EXPECT_EQ(r->status, 200) << part;
    ASSERT_TRUE(parse_json(r->body, &v, &error)) << part << ": " << error;
  }
  auto missing = client.Get("/_node/stats/nonsense");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  std::vector<testing::PromFamily> families;
  ASSERT_NO_THROW(families = testing::parse_prometheus_text(metrics->body)) << metrics->body;
  EXPECT_GT(sample_value(families, "logpipe_plugin_events_in_total", {{"plugin_id", "parse"}}), 0);
  EXPECT_EQ(sample_value(families, "logpipe_healthy"), 1);
  EXPECT_EQ(lp.stop(), 0) << lp.log();
}

TEST_F(MonitoringBinary, HealthTurns503WhenElasticsearchCannotTakeEventsAndBackTo200WhenItRecovers) {
  es_fake::EsFakeServer es;
  int es_port = es.start();
  Logpipe lp(dir_, "lp",
             "input { generator { message => \"m\" } }\n"
             "output { elasticsearch { id => \"es\" hosts => [\"127.0.0.1:" + std::to_string(es_port) +
                 "\"] index => \"logs\" retry_initial_interval => 0.1 retry_max_interval => 0.5 } }\n",
             {"--api.http.port", "0", "--api.health.output_stall", "1s", "--pipeline.shutdown_timeout", "5s"});
  int port = lp.api_port();
  ASSERT_GT(port, 0) << lp.log();
  httplib::Client client("127.0.0.1", port);
  auto health = [&] {
    auto r = client.Get("/health");
    return r ? r->status : -1;
  };
  ASSERT_TRUE(wait_until([&] { return health() == 200 && es.stats().docs_total > 0; }, std::chrono::seconds(20),
                         std::chrono::milliseconds(100)))
      << lp.log();

  ASSERT_EQ(es.apply_faults_json(R"({"every_nth_request":{"n":1,"status":503}})"), "");
  ASSERT_TRUE(wait_until([&] { return health() == 503; }, std::chrono::seconds(20), std::chrono::milliseconds(100)))
      << lp.log();
  auto r = client.Get("/health");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("output es delivered nothing for"), std::string::npos) << r->body;
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  auto families = testing::parse_prometheus_text(metrics->body);
  EXPECT_EQ(sample_value(families, "logpipe_healthy"), 0);
  EXPECT_GT(sample_value(families, "logpipe_elasticsearch_bulk_responses_total", {{"status", "503"}}), 0);

  es.reset();
  EXPECT_TRUE(wait_until([&] { return health() == 200; }, std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << lp.log();
  lp.stop();
}

TEST_F(MonitoringBinary, SyslogConnectionsDatagramsAndBytesFromLoggerAreCounted) {
  int syslog_port = 0;
  ::close(testing::bind_loopback(SOCK_STREAM, syslog_port));  // a port free now
  Logpipe lp(dir_, "lp",
             "input { syslog { id => \"sys\" port => " + std::to_string(syslog_port) + " } }\n"
             "output { file { path => \"" + path("out.json") + "\" } }\n",
             {"--api.http.port", "0"});
  int port = lp.api_port();
  ASSERT_GT(port, 0) << lp.log();
  httplib::Client client("127.0.0.1", port);
  auto logger = [&](const char* transport, const std::string& message) {
    std::string cmd = std::string("logger -n 127.0.0.1 -P ") + std::to_string(syslog_port) + " " + transport +
                      " --rfc5424 -t test '" + message + "'";
    return std::system(cmd.c_str());
  };
  ASSERT_TRUE(wait_until([&] { return logger("-T", "over tcp 1") == 0; }, std::chrono::seconds(20),
                         std::chrono::milliseconds(200)));
  ASSERT_EQ(logger("-T", "over tcp 2"), 0);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(logger("-d", "over udp " + std::to_string(i)), 0);
  std::vector<testing::PromFamily> families;
  bool counted = wait_until([&] {
    auto r = client.Get("/metrics");
    if (!r) return false;
    families = testing::parse_prometheus_text(r->body);
    const testing::PromSample* d = find_sample(families, "logpipe_syslog_datagrams_total", {{"plugin_id", "sys"}});
    return d && d->value == 3 &&
           sample_value(families, "logpipe_plugin_events_out_total", {{"plugin_id", "sys"}}) == 5;
  }, std::chrono::seconds(20), std::chrono::milliseconds(100));
  EXPECT_TRUE(counted) << lp.log();
  EXPECT_EQ(sample_value(families, "logpipe_syslog_connections_accepted_total", {{"plugin_id", "sys"}}), 2);
  EXPECT_GT(sample_value(families, "logpipe_syslog_tcp_bytes_total", {{"plugin_id", "sys"}}), 20);
  EXPECT_GT(sample_value(families, "logpipe_syslog_udp_bytes_total", {{"plugin_id", "sys"}}), 30);
  EXPECT_EQ(sample_value(families, "logpipe_syslog_udp_kernel_drops_total", {{"plugin_id", "sys"}}), 0);
  EXPECT_EQ(sample_value(families, "logpipe_syslog_frames_truncated_total", {{"plugin_id", "sys"}}), 0);
  EXPECT_EQ(lp.stop(), 0) << lp.log();
}

TEST_F(MonitoringBinary, TheStatsdPushReachesAUdpListenerWithTheFinalCounts) {
  int statsd_port = 0;
  int statsd = testing::bind_loopback(SOCK_DGRAM, statsd_port);
  Logpipe lp(dir_, "lp",
             "input { generator { count => 1000 message => \"m\" } }\n"
             "output { file { id => \"sink\" path => \"/dev/null\" } }\n",
             {"--api.enabled", "false", "--metrics.statsd.host", "127.0.0.1", "--metrics.statsd.port",
              std::to_string(statsd_port), "--metrics.statsd.prefix", "t", "--metrics.statsd.interval", "1h"});
  ASSERT_EQ(lp.wait(), 0) << lp.log();
  // One push, at the end (the interval is an hour): its datagrams in order.
  std::string all;
  while (auto d = receive(statsd, std::chrono::milliseconds(2000))) {
    EXPECT_LE(d->size(), 1432u);
    all += *d + "\n";
  }
  ::close(statsd);
  // Every line, byte for byte where the value is known; rates and
  // latencies (which depend on the machine) by their form.
  const char* expected[] = {
      "t.events.in:1000|c", "t.events.filtered:1000|c", "t.events.out:1000|c", "t.events.dead_lettered:0|c",
      "t.events.in_flight:0|g", "t.events.per_second.in:~|g", "t.events.per_second.out:~|g",
      "t.queue.input.depth:0|g", "t.queue.input.capacity:16|g", "t.plugin.generator_1.events_out:1000|c",
      "t.plugin.sink.events_in:1000|c", "t.plugin.sink.events_out:1000|c", "t.plugin.sink.retries:0|c",
      "t.plugin.sink.dead_lettered:0|c", "t.plugin.sink.pending:0|g", "t.plugin.sink.queue.depth:0|g",
      "t.plugin.sink.queue.capacity:8|g", "t.latency.p50:~|ms", "t.latency.p90:~|ms", "t.latency.p99:~|ms",
      "t.latency.max:~|ms", "t.queue_wait.p99:~|ms", "t.process.rss_bytes:~|g", "t.process.cpu_seconds:~|g",
      "t.process.threads:~|g", "t.healthy:0|g"};
  std::vector<std::string> got = lines_of(all);
  ASSERT_EQ(got.size(), std::size(expected)) << all;
  for (size_t i = 0; i < got.size(); ++i) {
    std::string want = expected[i];
    size_t wild = want.find('~');
    if (wild == std::string::npos) {
      EXPECT_EQ(got[i], want);
      continue;
    }
    std::string pattern = literal(want.substr(0, wild)) + "[0-9]+(\\.[0-9]+)?" + literal(want.substr(wild + 1));
    EXPECT_TRUE(std::regex_match(got[i], std::regex(pattern))) << got[i] << " !~ " << pattern;
  }
}

}  // namespace
}  // namespace logpipe
