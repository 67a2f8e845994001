// tcp and udp inputs, in process: a real socket client against the input
// running on its own thread (port 0: the system picks a free port), with the
// real codecs, and events collected by a fake InputContext.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/codecs/codecs.h"
#include "inputs/syslog_input.h"
#include "inputs/tcp_input.h"
#include "inputs/udp_input.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

class CollectingContext : public InputContext {
 public:
  void push(Event&& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
    cv_.notify_all();
  }
  void tick() override {}
  void flush() override {}
  bool stopping() const override { return false; }
  int poll_interval_ms() const override { return 50; }
  bool congested() const override { return false; }

  // Waits (up to 20 s) for n events; returns what there is.
  std::vector<Event> wait(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(20), [&] { return events_.size() >= n; });
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
};

template <class In>
const char* input_name() {
  if constexpr (std::is_same_v<In, TcpInput>) return "tcp";
  if constexpr (std::is_same_v<In, UdpInput>) return "udp";
  if constexpr (std::is_same_v<In, SyslogInput>) return "syslog";
}

// As the compiler hands them to the input: its declared defaults, then `given`.
template <class In>
Settings with_defaults(const Settings& given) {
  const PluginInfo* info = find_plugin(PluginKind::Input, input_name<In>());
  return testing::settings_with_defaults(*info, given.all());
}

// An input built from settings, running on its own thread until destroyed.
template <class In>
class Running {
 public:
  Running(const Settings& settings, const std::string& codec)
      : settings_(with_defaults<In>(settings)) {
    auto spec = std::make_shared<CodecSpec>();
    spec->name = codec;
    settings_.set_codec(spec);
    const PluginInfo* info = find_plugin(PluginKind::Codec, codec);
    std::function<std::unique_ptr<Codec>()> make;
    if (info) {
      make = [this, info] {
        PluginArgs a{info->name, "codec", codec_settings_, env_, nullptr};
        return info->make_codec(a);
      };
    }
    PluginArgs args{"input", "input_1", settings_, env_, make};
    input_ = std::make_unique<In>(args);
    thread_ = std::thread([this] { input_->run(ctx); });
    for (int i = 0; i < 1000 && input_->bound_port() == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Running() {
    input_->stop();
    thread_.join();
  }
  int port() const { return input_->bound_port(); }

  CollectingContext ctx;

 private:
  Settings settings_;
  Settings codec_settings_;
  PluginEnv env_;
  std::unique_ptr<In> input_;
  std::thread thread_;
};

Settings loopback_any_port() {
  Settings s;
  s.set("host", Value("127.0.0.1"));
  s.set("port", Value(0));
  return s;
}

int connect_tcp(int port, int* local_port = nullptr) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  if (local_port) {
    sockaddr_in me{};
    socklen_t len = sizeof me;
    getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len);
    *local_port = ntohs(me.sin_port);
  }
  return fd;
}

void send_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    off += static_cast<size_t>(n);
  }
}

void send_udp(int port, const std::string& data) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  close(fd);
}

const Event* find_message(const std::vector<Event>& events, const std::string& m) {
  for (auto& e : events)
    if (e.message() && *e.message() == m) return &e;
  return nullptr;
}

TEST(TcpInput, LineCodecKeepsEachConnectionsPartialLinesApart) {
  Running<TcpInput> in(loopback_any_port(), "line");
  ASSERT_NE(in.port(), 0);
  int port1 = 0, port2 = 0;
  int a = connect_tcp(in.port(), &port1);
  int b = connect_tcp(in.port(), &port2);
  int c = connect_tcp(in.port());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  ASSERT_GE(c, 0);
  send_all(a, "hel");
  send_all(b, "wor");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  send_all(a, "lo\n");
  send_all(b, "ld\n");
  send_all(c, "first\nlast without newline");
  close(c);
  auto events = in.ctx.wait(4);
  close(a);
  close(b);
  ASSERT_EQ(events.size(), 4u);
  const Event* hello = find_message(events, "hello");
  const Event* world = find_message(events, "world");
  ASSERT_NE(hello, nullptr);
  ASSERT_NE(world, nullptr);
  EXPECT_EQ(hello->get_top("host")->as_string(), "127.0.0.1");
  EXPECT_EQ(hello->get_top("port")->as_int(), port1);
  EXPECT_EQ(world->get_top("port")->as_int(), port2);
  EXPECT_NE(find_message(events, "first"), nullptr);
  EXPECT_NE(find_message(events, "last without newline"), nullptr);
}

TEST(TcpInput, JsonLinesCodec) {
  Running<TcpInput> in(loopback_any_port(), "json_lines");
  int fd = connect_tcp(in.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "{\"a\":1,\"message\":\"m\"}\n{not json\n");
  auto events = in.ctx.wait(2);
  close(fd);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].get_top("a")->as_int(), 1);
  EXPECT_EQ(events[0].get_top("host")->as_string(), "127.0.0.1");
  EXPECT_TRUE(events[1].has_tag("_jsonparsefailure"));
}

TEST(TcpInput, ALineWithoutEndIsCutAtTheBound) {
  Settings s = loopback_any_port();
  s.set("max_message_size", Value(1000));
  Running<TcpInput> in(s, "line");
  int fd = connect_tcp(in.port());
  ASSERT_GE(fd, 0);
  send_all(fd, std::string(5000, 'z'));
  auto events = in.ctx.wait(4);
  close(fd);
  ASSERT_GE(events.size(), 4u);
  for (auto& e : events) {
    EXPECT_TRUE(e.has_tag("_line_too_long"));
    EXPECT_LE(e.message()->size(), 1000u);
  }
}

// Past max_connections a new peer is accepted and closed at once; the open
// ones go on.
TEST(TcpInput, ClosesConnectionsPastMaxConnections) {
  Settings s = loopback_any_port();
  s.set("max_connections", Value(2));
  Running<TcpInput> in(s, "line");
  int a = connect_tcp(in.port()), b = connect_tcp(in.port());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  send_all(a, "first\n");
  send_all(b, "second\n");
  ASSERT_EQ(in.ctx.wait(2).size(), 2u);  // both accepted before the third comes
  int c = connect_tcp(in.port());
  ASSERT_GE(c, 0);
  timeval tv{10, 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char byte;
  EXPECT_EQ(recv(c, &byte, 1, 0), 0) << "the third connection should be closed by the input";
  send_all(a, "still open\n");
  auto events = in.ctx.wait(3);
  EXPECT_TRUE(find_message(events, "still open"));
  close(a);
  close(b);
  close(c);
}

TEST(TcpInput, RefusesClientModeSslAndProxyProtocol) {
  const std::vector<std::pair<std::string, Value>> refused = {
      {"mode", Value("client")},
      {"ssl_enable", Value(true)},
      {"ssl_certificate", Value("/x.pem")},
      {"proxy_protocol", Value(true)},
  };
  for (auto& [name, value] : refused) {
    Settings s = loopback_any_port();
    s.set(name, value);
    s = with_defaults<TcpInput>(s);
    PluginEnv env;
    PluginArgs args{"tcp", "tcp_1", s, env, nullptr};
    try {
      TcpInput in(args);
      ADD_FAILURE() << name << " was accepted";
    } catch (const OptionError& e) {
      EXPECT_EQ(e.option, name);
    }
  }
}

TEST(UdpInput, PlainCodecOneEventPerDatagramAndOversizedIsCut) {
  Settings s = loopback_any_port();
  s.set("buffer_size", Value(100));
  Running<UdpInput> in(s, "plain");
  ASSERT_NE(in.port(), 0);
  send_udp(in.port(), "one");
  send_udp(in.port(), "two\nstill two");
  send_udp(in.port(), std::string(300, 'w'));
  auto events = in.ctx.wait(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_NE(find_message(events, "one"), nullptr);
  EXPECT_NE(find_message(events, "two\nstill two"), nullptr);
  const Event* big = find_message(events, std::string(100, 'w'));
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(big->has_tag("_message_truncated"));
  EXPECT_EQ(events[0].get_top("host")->as_string(), "127.0.0.1");
}

TEST(UdpInput, JsonCodecAndSourceIpField) {
  Settings s = loopback_any_port();
  s.set("source_ip_fieldname", Value("client_ip"));
  Running<UdpInput> in(s, "json");
  send_udp(in.port(), "{\"k\":\"v\"}");
  send_udp(in.port(), "{broken");
  auto events = in.ctx.wait(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].get_top("k")->as_string(), "v");
  EXPECT_EQ(events[0].get_top("client_ip")->as_string(), "127.0.0.1");
  EXPECT_TRUE(events[1].has_tag("_jsonparsefailure"));
}

// The syslog input with another codec: the codec makes the event, the parser
// reads its syslog_field.
TEST(SyslogInputInProcess, JsonCodecThenSyslogParsing) {
  Settings s = loopback_any_port();
  Running<SyslogInput> in(s, "json");
  send_udp(in.port(), "{\"message\":\"<13>Nov 26 04:13:16 h p[3]: inner\",\"team\":\"a\"}");
  auto events = in.ctx.wait(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*events[0].message(), "inner");
  EXPECT_EQ(events[0].get_top("pid")->as_string(), "3");
  EXPECT_EQ(events[0].get_top("team")->as_string(), "a");
  EXPECT_EQ(events[0].get_top("host")->as_string(), "127.0.0.1");
}

TEST(SyslogInputInProcess, StopReturnsWithIdleConnectionsOpen) {
  std::vector<int> fds;
  {
    Running<SyslogInput> in(loopback_any_port(), "plain");
    for (int i = 0; i < 20; ++i) fds.push_back(connect_tcp(in.port()));
    send_all(fds[0], "<13>Nov 26 04:13:16 h p: done\n");
    auto events = in.ctx.wait(1);
    ASSERT_EQ(events.size(), 1u);
  }  // stop() and join: returns although 20 clients are still connected
  for (int fd : fds) close(fd);
}

}  // namespace
}  // namespace logpipe
