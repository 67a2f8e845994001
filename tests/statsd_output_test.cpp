// statsd output through the real binary, checked byte for byte by a UDP
// listener in the test: every metric type, namespace and sender formatting
// (Logstash's build_stat), sample rates, datagram packing, and that a
// refused port or an unresolvable host never holds the pipeline up; over
// TCP, that a connection the daemon closed is replaced before sending.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "outputs/statsd_output.h"
#include "tests/loopback_socket.h"
#include "tests/output_work.h"
#include "tests/plugin_test_support.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

using testing::bind_loopback;
using testing::Subprocess;

// A UDP socket on 127.0.0.1 with a free port, collecting datagrams.
class UdpListener {
 public:
  UdpListener() { fd_ = bind_loopback(SOCK_DGRAM, port_); }
  ~UdpListener() { ::close(fd_); }
  int port() const { return port_; }
  // Datagrams until none came for `quiet`.
  std::vector<std::string> receive(std::chrono::milliseconds quiet = std::chrono::milliseconds(500)) {
    std::vector<std::string> out;
    char buf[65536];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(quiet.count())) != 1) return out;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n >= 0) out.emplace_back(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

struct StatsdRun {
  int code;
  std::string err;
};

StatsdRun run_logpipe(const std::string& output, const std::string& input_lines) {
  Subprocess p({LOGPIPE_BINARY, "-w", "1", "-e",
                "input { stdin { codec => json_lines } } output { " + output + " }"});
  p.write_stdin(input_lines);
  p.close_stdin();
  int code = p.finish(60);
  return {code, p.err()};
}

std::vector<std::string> lines_of(const std::vector<std::string>& datagrams) {
  std::vector<std::string> lines;
  for (auto& d : datagrams) {
    EXPECT_LE(d.size(), 1432u) << "a datagram that would be fragmented";
    EXPECT_FALSE(!d.empty() && d.back() == '\n') << "no trailing newline in a datagram";
    size_t start = 0;
    for (size_t nl; (nl = d.find('\n', start)) != std::string::npos; start = nl + 1)
      lines.push_back(d.substr(start, nl - start));
    lines.push_back(d.substr(start));
  }
  return lines;
}

TEST(StatsdOutput, SendsEveryMetricTypeWithLogstashNames) {
  UdpListener statsd;
  std::string config = "statsd { host => '127.0.0.1' port => " + std::to_string(statsd.port()) +
                       " namespace => 'app' sender => '%{host}'"
                       " increment => ['hits.%{status}'] decrement => ['open']"
                       " count => { 'bytes' => '%{bytes}' } timing => { 'took' => '%{took}' }"
                       " gauge => { 'queue::depth' => '%{depth}' } set => { 'users' => '%{user}' } }";
  StatsdRun r = run_logpipe(config,
                      "{\"host\":\"web-1.example.com\",\"status\":200,\"bytes\":512,\"took\":12,"
                      "\"depth\":3,\"user\":\"alice\"}\n"
                      "{\"host\":\"db::primary\",\"status\":503,\"bytes\":0,\"took\":250,"
                      "\"depth\":0,\"user\":\"b|o:b@x\"}\n");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> got = lines_of(statsd.receive());
  // Logstash's order per event: increment, decrement, count, timing, set, gauge.
  std::vector<std::string> want = {
      "app.web-1_example_com.hits.200:1|c", "app.web-1_example_com.open:-1|c",
      "app.web-1_example_com.bytes:512|c",  "app.web-1_example_com.took:12|ms",
      "app.web-1_example_com.users:alice|s", "app.web-1_example_com.queue.depth:3|g",
      "app.db_primary.hits.503:1|c",         "app.db_primary.open:-1|c",
      "app.db_primary.bytes:0|c",            "app.db_primary.took:250|ms",
      "app.db_primary.users:b|o:b@x|s",      "app.db_primary.queue.depth:0|g",
  };
  EXPECT_EQ(got, want);
}

TEST(StatsdOutput, AnEmptyNamespaceHasNoPrefixAndASampleRateIsAppended) {
  UdpListener statsd;
  std::string config = "statsd { host => '127.0.0.1' port => " + std::to_string(statsd.port()) +
                       " namespace => '' sender => 'api' sample_rate => 0.5 increment => ['req'] }";
  std::string input;
  for (int i = 0; i < 2000; ++i) input += "{\"i\":" + std::to_string(i) + "}\n";
  StatsdRun r = run_logpipe(config, input);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> got = lines_of(statsd.receive());
  for (auto& line : got) EXPECT_EQ(line, "api.req:1|c|@0.5");
  // Binomial(2000, 0.5): 1000 +- 22; outside 800..1200 is beyond 8 deviations.
  EXPECT_GT(got.size(), 800u);
  EXPECT_LT(got.size(), 1200u);
}

TEST(StatsdOutput, PacksManyMetricsPerDatagramWithinTheSafeSize) {
  UdpListener statsd;
  std::string config = "statsd { host => '127.0.0.1' port => " + std::to_string(statsd.port()) +
                       " sender => 's' increment => ['a.long.metric.name.%{i}'] }";
  std::string input;
  for (int i = 0; i < 500; ++i) input += "{\"i\":" + std::to_string(i) + "}\n";
  StatsdRun r = run_logpipe(config, input);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> datagrams = statsd.receive();
  std::vector<std::string> got = lines_of(datagrams);
  ASSERT_EQ(got.size(), 500u);
  EXPECT_LT(datagrams.size(), 100u) << "metrics are packed, not one datagram each";
  for (int i = 0; i < 500; ++i) EXPECT_EQ(got[i], "logstash.s.a.long.metric.name." + std::to_string(i) + ":1|c");
}

TEST(StatsdOutput, ARefusedPortOrAnUnknownHostNeverHoldsThePipeline) {
  int port = 0;
  {
    UdpListener gone;  // bound, then closed: nothing listens on the port
    port = gone.port();
  }
  std::string input;
  for (int i = 0; i < 300; ++i) input += "{\"i\":" + std::to_string(i) + "}\n";
  for (std::string host : {std::string("127.0.0.1"), std::string("no-such-host.invalid")}) {
    auto began = std::chrono::steady_clock::now();
    StatsdRun r = run_logpipe("statsd { host => '" + host + "' port => " + std::to_string(port) +
                            " increment => ['x'] }",
                        input);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    EXPECT_EQ(r.code, 0) << host << ": " << r.err;
    EXPECT_LT(seconds, 20) << host;
    if (host != "127.0.0.1") {
      EXPECT_NE(r.err.find("dropped"), std::string::npos) << r.err;
    }
  }
}

// A statsd that restarts closes the connection; send() on it still succeeds
// once and the metrics vanish. The output must notice and connect again.
TEST(StatsdOutput, OverTcpReconnectsWhenTheDaemonClosedTheConnection) {
  int port = 0;
  int listener = bind_loopback(SOCK_STREAM, port);
  ASSERT_EQ(::listen(listener, 4), 0);
  auto accept_and_read_line = [&]() -> std::string {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return "(no new connection)";
    int conn = ::accept(listener, nullptr, nullptr);
    std::string got;
    char buf[256];
    pollfd c{conn, POLLIN, 0};
    while (got.find('\n') == std::string::npos && ::poll(&c, 1, 2000) == 1) {
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    ::close(conn);  // all read: the peer sees a clean close (FIN)
    return got;
  };

  const PluginInfo info = statsd_output_info();
  PluginEnv env;
  Settings settings = testing::settings_with_defaults(
      info, testing::opts({{"host", Value("127.0.0.1")},
                           {"port", Value(port)},
                           {"protocol", Value("tcp")},
                           {"sender", Value("s")},
                           {"increment", Value(Array{Value("n")})}}));
  std::unique_ptr<Output> out = info.make_output(PluginArgs{info.name, "statsd_1", settings, env, nullptr});
  Event e("x", Timestamp{0});
  testing::submit_to(*out, {&e});
  EXPECT_EQ(accept_and_read_line(), "logstash.s.n:1|c\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the FIN reaches the output's socket
  testing::submit_to(*out, {&e});
  EXPECT_EQ(accept_and_read_line(), "logstash.s.n:1|c\n");
  ::close(listener);
}

}  // namespace
}  // namespace logpipe
