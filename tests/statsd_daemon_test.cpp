// statsd output against the real statsd daemon (Etsy's, from npm, installed
// by scripts/deps under .tools/npm): what the daemon aggregates from what
// logpipe sends — every metric type, Logstash's namespace and sender
// formatting, sample-rate scaling, packed datagrams — over UDP and TCP, and
// that a TCP output reconnects to a statsd that restarted.
//
// The daemon runs with its console backend and a short flush interval; each
// flush it prints what it aggregated since the last one, and the test adds
// the flushes up. Skipped, saying why, when node or the daemon is missing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "outputs/statsd_output.h"
#include "tests/loopback_socket.h"
#include "tests/output_work.h"
#include "tests/plugin_test_support.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;
using testing::Subprocess;

const std::string kStatsdDir = LOGPIPE_SOURCE_DIR "/.tools/npm/node_modules/statsd";

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

int free_port(int type) {
  int port = 0;
  ::close(testing::bind_loopback(type, port));
  return port;
}

// A value as node's util.inspect prints it (what the console backend
// writes): objects, arrays, quoted strings, and bare words (numbers, names).
struct Inspected {
  enum Kind { Word, Text, List, Map } kind = Word;
  std::string text;  // the word or the string
  std::vector<Inspected> items;
  std::vector<std::pair<std::string, Inspected>> fields;

  double number() const { return std::strtod(text.c_str(), nullptr); }
  const Inspected* field(const std::string& name) const {
    for (auto& [k, v] : fields)
      if (k == name) return &v;
    return nullptr;
  }
};

class InspectReader {
 public:
  explicit InspectReader(std::string_view s) : s_(s) {}
  // False when the text ends before the value does (a flush being written).
  bool read(Inspected& out) {
    skip_space();
    if (at_end()) return false;
    char c = s_[pos_];
    if (c == '{' || c == '[') return read_container(c == '{', out);
    if (c == '\'' || c == '"') {
      out.kind = Inspected::Text;
      return read_quoted(out.text);
    }
    out.kind = Inspected::Word;
    out.text = read_word();
    return !out.text.empty();
  }

 private:
  bool read_container(bool is_map, Inspected& out) {
    out.kind = is_map ? Inspected::Map : Inspected::List;
    const char close = is_map ? '}' : ']';
    ++pos_;
    for (;;) {
      skip_space();
      if (at_end()) return false;
      if (s_[pos_] == close) {
        ++pos_;
        return true;
      }
      std::string key;
      if (is_map) {
        skip_space();
        if (at_end()) return false;
        if (s_[pos_] == '\'' || s_[pos_] == '"') {
          if (!read_quoted(key)) return false;
        } else {
          key = read_word();
        }
        skip_space();
        if (at_end() || s_[pos_] != ':') return false;
        ++pos_;
      }
      Inspected value;
      if (!read(value)) return false;
      if (is_map) out.fields.emplace_back(std::move(key), std::move(value));
      else out.items.push_back(std::move(value));
      skip_space();
      if (!at_end() && s_[pos_] == ',') ++pos_;
    }
  }
  bool read_quoted(std::string& out) {
    char quote = s_[pos_++];
    while (!at_end() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c == '\\' && !at_end()) {
        c = s_[pos_++];
        if (c == 'n') c = '\n';
        else if (c == 't') c = '\t';
      }
      out += c;
    }
    if (at_end()) return false;
    ++pos_;
    return true;
  }
  std::string read_word() {
    size_t start = pos_;
    while (!at_end() && std::string_view(" \t\n,:]}").find(s_[pos_]) == std::string_view::npos) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  void skip_space() {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  bool at_end() const { return pos_ >= s_.size(); }

  std::string_view s_;
  size_t pos_ = 0;
};

// What the daemon aggregated, added up over its flushes. The daemon's own
// counters (statsd.packets_received, ...) are kept apart from the metrics.
struct Aggregated {
  std::map<std::string, double> counters, daemon;
  std::map<std::string, std::vector<double>> timers;  // each sorted
  std::map<std::string, double> gauges;               // the last value
  std::map<std::string, std::set<std::string>> sets;

  void add_flush(const Inspected& flush) {
    if (auto* c = flush.field("counters"))
      for (auto& [name, v] : c->fields)
        (name.rfind("statsd.", 0) == 0 ? daemon : counters)[name] += v.number();
    if (auto* t = flush.field("timers"))
      for (auto& [name, v] : t->fields) {
        for (auto& item : v.items) timers[name].push_back(item.number());
        std::sort(timers[name].begin(), timers[name].end());
      }
    if (auto* g = flush.field("gauges"))
      for (auto& [name, v] : g->fields)
        if (name.rfind("statsd.", 0) != 0) gauges[name] = v.number();
    if (auto* s = flush.field("sets"))
      for (auto& [name, v] : s->fields)
        for (auto& item : v.items) sets[name].insert(item.text);
  }
};

// The statsd daemon on free 127.0.0.1 ports, UDP or TCP, printing each flush
// to a log file the test reads.
class StatsdDaemonProcess {
 public:
  StatsdDaemonProcess(std::string node, bool tcp)
      : node_(std::move(node)),
        tcp_(tcp),
        port_(free_port(tcp ? SOCK_STREAM : SOCK_DGRAM)),
        admin_port_(free_port(SOCK_STREAM)),
        dir_(testing::make_temp_dir("statsd")) {
    std::ofstream(dir_ + "/config.js")
        << "{ servers: [ { server: \"./servers/" << (tcp_ ? "tcp" : "udp")
        << "\", address: \"127.0.0.1\", port: " << port_ << " } ]\n"
        << ", mgmt_address: \"127.0.0.1\", mgmt_port: " << admin_port_ << "\n"
        << ", flushInterval: 250, deleteIdleStats: true, automaticConfigReload: false\n"
           // Names as they arrive, so the test sees logpipe's formatting.
        << ", keyNameSanitize: false\n"
        << ", backends: [ \"./backends/console\" ], console: { prettyprint: false } }\n";
  }
  ~StatsdDaemonProcess() { std::filesystem::remove_all(dir_); }

  int port() const { return port_; }
  std::string log() const { return testing::read_text_file(dir_ + "/statsd.log"); }

  // Starts it (again, on the same ports) and waits until it answers its
  // management port. The backends are relative paths: it runs from its own
  // directory.
  ::testing::AssertionResult start() {
    process_.reset();
    process_ = std::make_unique<Subprocess>(std::vector<std::string>{
        "/bin/sh", "-c",
        "cd '" + kStatsdDir + "' && exec '" + node_ + "' stats.js '" + dir_ + "/config.js' >'" + dir_ +
            "/statsd.log' 2>&1"});
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!process_->running()) return ::testing::AssertionFailure() << "statsd exited:\n" << log();
      if (log().find("server is up") != std::string::npos && admin("health").find("health: up") == 0)
        return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(100ms);
    }
    return ::testing::AssertionFailure() << "statsd did not come up in 30 s:\n" << log();
  }
  void kill() { process_.reset(); }

  // One command on the management port; its answer.
  std::string admin(const std::string& command) const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(admin_port_));
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      std::string line = command + "\n";
      (void)!::write(fd, line.data(), line.size());
      char buf[4096];
      pollfd p{fd, POLLIN, 0};
      while (answer.find('\n') == std::string::npos && ::poll(&p, 1, 2000) == 1) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        answer.append(buf, static_cast<size_t>(n));
      }
    }
    ::close(fd);
    return answer;
  }

  std::vector<Inspected> flushes() const {
    std::vector<Inspected> out;
    std::string text = log();
    const std::string mark = "Flushing stats at";
    for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at + 1)) {
      size_t brace = text.find('{', at);
      Inspected flush;
      if (brace == std::string::npos || !InspectReader(std::string_view(text).substr(brace)).read(flush)) break;
      out.push_back(std::move(flush));
    }
    return out;
  }

  // Everything aggregated once what was sent has been flushed: a flush that
  // began after the call and received nothing means nothing is left.
  Aggregated aggregated_when_quiet() const {
    size_t before = flushes().size();
    auto deadline = std::chrono::steady_clock::now() + 20s;
    std::vector<Inspected> all;
    while (std::chrono::steady_clock::now() < deadline) {
      all = flushes();
      if (all.size() > before + 1) {
        const Inspected* counters = all.back().field("counters");
        const Inspected* received = counters ? counters->field("statsd.metrics_received") : nullptr;
        if (received && received->number() == 0) break;
      }
      std::this_thread::sleep_for(100ms);
    }
    EXPECT_LT(std::chrono::steady_clock::now(), deadline) << "statsd never went quiet:\n" << log();
    Aggregated sum;
    for (auto& f : all) sum.add_flush(f);
    return sum;
  }

 private:
  std::string node_;
  bool tcp_;
  int port_, admin_port_;
  std::string dir_;
  std::unique_ptr<Subprocess> process_;
};

class StatsdDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = find_on_path("node");
    if (node_.empty()) GTEST_SKIP() << "node is not on PATH: scripts/deps installs it (Debian's nodejs)";
    if (::access((kStatsdDir + "/stats.js").c_str(), R_OK) != 0)
      GTEST_SKIP() << "the statsd daemon is not installed at " << kStatsdDir << ": run scripts/deps";
  }

  std::unique_ptr<StatsdDaemonProcess> start_statsd(bool tcp) {
    auto daemon = std::make_unique<StatsdDaemonProcess>(node_, tcp);
    EXPECT_TRUE(daemon->start());
    return daemon;
  }

  // The real binary: JSON events on stdin, one statsd output.
  static void run_logpipe(const std::string& statsd_settings, const std::string& events) {
    Subprocess p({LOGPIPE_BINARY, "-w", "1", "-e",
                  "input { stdin { codec => json_lines } } output { statsd { " + statsd_settings + " } }"});
    p.write_stdin(events);
    p.close_stdin();
    ASSERT_EQ(p.finish(60), 0) << p.err();
  }

  // Every metric type for four events, with senders and metric names that
  // need Logstash's sanitising; what the daemon must have aggregated.
  void expect_every_metric_type_aggregated(bool tcp) {
    auto statsd = start_statsd(tcp);
    if (HasFailure()) return;
    run_logpipe(std::string("host => '127.0.0.1' port => ") + std::to_string(statsd->port()) +
                    " protocol => " + (tcp ? "tcp" : "udp") +
                    " namespace => 'app.prod' sender => '%{host}'"
                    " increment => ['hits.%{status}', 'odd:name|with@chars'] decrement => ['open']"
                    " count => { 'bytes' => '%{bytes}' } timing => { 'took' => '%{took}' }"
                    " gauge => { 'queue::depth' => '%{depth}' } set => { 'users' => '%{user}' }",
                R"({"host":"web-1.example.com","status":200,"bytes":512,"took":12,"depth":3,"user":"alice"}
{"host":"web-1.example.com","status":200,"bytes":100,"took":30,"depth":5,"user":"bob"}
{"host":"db::primary","status":503,"bytes":0,"took":250,"depth":0,"user":"alice"}
{"host":"x|y@z:w","status":200,"bytes":1,"took":5,"depth":9,"user":"carol"}
)");
    Aggregated got = statsd->aggregated_when_quiet();
    const std::string web = "app.prod.web-1_example_com.", db = "app.prod.db_primary.", odd = "app.prod.x_y_z_w.";
    EXPECT_EQ(got.counters, (std::map<std::string, double>{
                                {web + "hits.200", 2}, {web + "odd_name_with_chars", 2}, {web + "open", -2},
                                {web + "bytes", 612}, {db + "hits.503", 1}, {db + "odd_name_with_chars", 1},
                                {db + "open", -1}, {db + "bytes", 0}, {odd + "hits.200", 1},
                                {odd + "odd_name_with_chars", 1}, {odd + "open", -1}, {odd + "bytes", 1}}));
    EXPECT_EQ(got.timers, (std::map<std::string, std::vector<double>>{
                              {web + "took", {12, 30}}, {db + "took", {250}}, {odd + "took", {5}}}));
    EXPECT_EQ(got.gauges, (std::map<std::string, double>{
                              {web + "queue.depth", 5}, {db + "queue.depth", 0}, {odd + "queue.depth", 9}}));
    EXPECT_EQ(got.sets, (std::map<std::string, std::set<std::string>>{
                            {web + "users", {"alice", "bob"}}, {db + "users", {"alice"}}, {odd + "users", {"carol"}}}));
    // 7 metrics per event, none malformed, several per packet.
    EXPECT_EQ(got.daemon["statsd.metrics_received"], 28);
    EXPECT_EQ(got.daemon["statsd.bad_lines_seen"], 0);
    EXPECT_GE(got.daemon["statsd.packets_received"], 1);
    EXPECT_LT(got.daemon["statsd.packets_received"], 28) << "metrics are packed, several per packet";
    if (HasFailure()) ADD_FAILURE() << "statsd log:\n" << statsd->log();
  }

  std::string node_;
};

TEST_F(StatsdDaemon, AggregatesEveryMetricTypeWithLogstashNamesOverUdp) {
  expect_every_metric_type_aggregated(/*tcp=*/false);
}

TEST_F(StatsdDaemon, AggregatesEveryMetricTypeWithLogstashNamesOverTcp) {
  expect_every_metric_type_aggregated(/*tcp=*/true);
}

TEST_F(StatsdDaemon, ScalesSampledCountersByTheSampleRate) {
  auto statsd = start_statsd(/*tcp=*/false);
  if (HasFailure()) return;
  std::string events;
  for (int i = 0; i < 2000; ++i) events += "{\"b\":3}\n";
  run_logpipe("host => '127.0.0.1' port => " + std::to_string(statsd->port()) +
                  " namespace => '' sender => 'api' sample_rate => 0.25"
                  " increment => ['req'] count => { 'bytes' => '%{b}' }",
              events);
  Aggregated got = statsd->aggregated_when_quiet();
  // Each metric is sampled on its own; every line that arrives counts 1/0.25
  // times its value: req 4 a line, bytes 3 * 4 = 12.
  double req = got.counters["api.req"], bytes = got.counters["api.bytes"];
  EXPECT_EQ(got.counters.size(), 2u);
  EXPECT_EQ(req / 4 + bytes / 12, got.daemon["statsd.metrics_received"]) << "every line arrived scaled";
  EXPECT_EQ(std::fmod(req, 4), 0);
  EXPECT_EQ(std::fmod(bytes, 12), 0);
  // Binomial(2000, 0.25): 500 +- 19 lines each; 400..600 is beyond 5 deviations.
  EXPECT_GE(req, 4 * 400);
  EXPECT_LE(req, 4 * 600);
  EXPECT_GE(bytes, 12 * 400);
  EXPECT_LE(bytes, 12 * 600);
  EXPECT_EQ(got.daemon["statsd.bad_lines_seen"], 0);
}

// A statsd that restarts closes logpipe's TCP connection: the next metrics
// must reach the new daemon on a new connection, not vanish into the old one.
TEST_F(StatsdDaemon, TcpOutputReconnectsToARestartedDaemon) {
  auto statsd = start_statsd(/*tcp=*/true);
  if (HasFailure()) return;
  const PluginInfo info = statsd_output_info();
  PluginEnv env;
  Settings settings = testing::settings_with_defaults(
      info, testing::opts({{"host", Value("127.0.0.1")},
                           {"port", Value(statsd->port())},
                           {"protocol", Value("tcp")},
                           {"sender", Value("restart")},
                           {"increment", Value(Array{Value("batches")})}}));
  std::unique_ptr<Output> out = info.make_output(PluginArgs{info.name, "statsd_1", settings, env, nullptr});
  Event e("x", Timestamp{0});
  auto send_batch = [&] {
    for (Delivery d : testing::submit_to(*out, {&e, &e})) EXPECT_EQ(d, Delivery::Delivered);
  };
  send_batch();
  EXPECT_EQ(statsd->aggregated_when_quiet().counters["logstash.restart.batches"], 2);

  statsd->kill();
  ASSERT_TRUE(statsd->start());
  send_batch();
  send_batch();
  Aggregated got = statsd->aggregated_when_quiet();
  EXPECT_EQ(got.counters["logstash.restart.batches"], 4) << statsd->log();
}

}  // namespace
}  // namespace logpipe
