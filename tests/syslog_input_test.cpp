// syslog input through the real logpipe binary, fed by real senders: logger
// (util-linux) over UDP and TCP in both formats and with octet counting,
// rsyslog forwarding (omfwd, octet-counted TCP, LF TCP and UDP) from a
// private config, and a raw socket client for malformed input and many
// concurrent connections.
//
// The binary is LOGPIPE_TEST_BINARY when set (a private build), else
// LOGPIPE_BINARY. Ports are random in 20000-60000, retried when taken.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "engine/codecs/iso8601.h"
#include "engine/text/json_reader.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

using testing::Subprocess;

std::string binary() {
  if (const char* b = std::getenv("LOGPIPE_TEST_BINARY")) return b;
  return LOGPIPE_BINARY;
}

int random_port() {
  static std::mt19937 rng(std::random_device{}());
  return std::uniform_int_distribution<int>(20000, 60000)(rng);
}

// True when nothing holds port on 127.0.0.1 for this socket type.
bool port_free(int port, int type) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

int connect_tcp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << strerror(errno);
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

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
  return s;
}

std::string short_hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  std::string h = buf;
  return h.substr(0, h.find('.'));
}

// logpipe with the given input section (@PORT@ is replaced), events written as
// JSON lines to a file that the test polls.
class Logpipe {
 public:
  enum class Ready { Tcp, Udp };

  bool start(const std::string& input_section, Ready ready) {
    dir_ = testing::make_temp_dir("syslog");
    out_ = dir_ + "/out.json";
    for (int attempt = 0; attempt < 8; ++attempt) {
      port = random_port();
      if (!port_free(port, SOCK_STREAM) || !port_free(port, SOCK_DGRAM)) continue;
      std::string config = "input { " + replace_all(input_section, "@PORT@", std::to_string(port)) +
                           " } output { file { path => \"" + out_ + "\" codec => json_lines } }";
      proc_ = std::make_unique<Subprocess>(std::vector<std::string>{
          binary(), "-w", "1", "-u", "5", "--path.data", dir_ + "/data", "-e", config});
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (std::chrono::steady_clock::now() < deadline) {
        if (!proc_->running()) break;
        if (ready == Ready::Tcp) {
          int fd = connect_tcp(port);
          if (fd >= 0) {
            close(fd);
            return true;
          }
        } else if (!port_free(port, SOCK_DGRAM)) {
          return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      proc_->signal(SIGKILL);
      proc_->finish(10);
      last_error_ = proc_->err();
      if (last_error_.find("in use") == std::string::npos) return false;
    }
    return false;
  }

  // Waits until at least n events were written (or the timeout); returns all.
  std::vector<Object> wait_events(size_t n, int timeout_seconds = 30) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    std::vector<Object> events;
    for (;;) {
      events = read_events();
      if (events.size() >= n || std::chrono::steady_clock::now() > deadline) return events;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  std::vector<Object> read_events() {
    std::vector<Object> events;
    std::string text = testing::read_text_file(out_);
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      Value v;
      std::string err;
      if (parse_json(std::string_view(text).substr(start, nl - start), &v, &err) && v.is_object())
        events.push_back(v.as_object());
    }
    return events;
  }

  // SIGTERM and the exit code (-1: did not stop within the timeout).
  int stop() {
    proc_->signal(SIGTERM);
    return proc_->finish(30);
  }

  const std::string& err() const { return proc_ ? proc_->err() : last_error_; }
  const std::string& dir() const { return dir_; }

  int port = 0;

 private:
  std::unique_ptr<Subprocess> proc_;
  std::string dir_, out_, last_error_;
};

std::string str(const Object& e, const char* key) {
  const Value* v = e.find(key);
  return v && v->is_string() ? v->as_string() : std::string("<absent>");
}

int64_t num(const Object& e, const char* key) {
  const Value* v = e.find(key);
  return v && v->is_int() ? v->as_int() : -1;
}

bool tagged(const Object& e, const std::string& tag) {
  const Value* t = e.find("tags");
  if (!t || !t->is_array()) return false;
  for (auto& v : t->as_array())
    if (v.is_string() && v.as_string() == tag) return true;
  return false;
}

const Object* by_message(const std::vector<Object>& events, const std::string& msg) {
  for (auto& e : events)
    if (str(e, "message") == msg) return &e;
  return nullptr;
}

int run(const std::string& command) { return std::system(command.c_str()); }

TEST(SyslogInput, LoggerOverUdpAndTcpInBothFormats) {
  Logpipe lp;
  ASSERT_TRUE(lp.start("syslog { port => @PORT@ }", Logpipe::Ready::Tcp)) << lp.err();
  const std::string to = "logger -n 127.0.0.1 -P " + std::to_string(lp.port) + " -t myapp ";
  const std::string lines = lp.dir() + "/lines.txt";
  std::ofstream(lines) << "octet one\noctet two\n\noctet four\n";
  ASSERT_EQ(run(to + "-d --rfc3164 -p local0.info 'udp rfc3164'"), 0);
  ASSERT_EQ(run(to + "-d --rfc5424 -p local0.warning --msgid ID47 'udp rfc5424'"), 0);
  ASSERT_EQ(run(to + "-d --rfc5424 -p auth.err --sd-id exampleSDID@32473 --sd-param 'iut=\"3\"' "
                     "'udp sd'"),
            0);
  ASSERT_EQ(run(to + "-T --rfc3164 -p daemon.notice 'tcp rfc3164'"), 0);
  ASSERT_EQ(run(to + "-T --rfc5424 -p daemon.notice 'tcp rfc5424'"), 0);
  ASSERT_EQ(run(to + "-T --rfc3164 --octet-count 'octet rfc3164'"), 0);
  ASSERT_EQ(run(to + "-T --rfc5424 --octet-count -f " + lines), 0);
  auto events = lp.wait_events(10);
  EXPECT_EQ(lp.stop(), 0) << lp.err();
  ASSERT_EQ(events.size(), 10u) << lp.err();

  const std::string host = short_hostname();
  struct Want {
    const char* message;
    int priority;
    bool rfc5424;
  };
  const Want wants[] = {
      {"udp rfc3164", 134, false}, {"udp rfc5424", 132, true}, {"udp sd", 35, true},
      {"tcp rfc3164", 29, false},  {"tcp rfc5424", 29, true},  {"octet rfc3164", 13, false},
      {"octet one", 13, true},     {"octet two", 13, true},    {"", 13, true},
      {"octet four", 13, true}};
  for (const Want& w : wants) {
    const Object* e = by_message(events, w.message);
    ASSERT_NE(e, nullptr) << "no event with message \"" << w.message << "\"";
    EXPECT_EQ(num(*e, "priority"), w.priority) << w.message;
    EXPECT_EQ(str(*e, "program"), "myapp") << w.message;
    EXPECT_EQ(str(*e, "logsource"), host) << w.message;
    EXPECT_EQ(str(*e, "host"), "127.0.0.1") << w.message;
    EXPECT_EQ(e->find("tags"), nullptr) << w.message;
    EXPECT_EQ(num(*e, "version"), w.rfc5424 ? 1 : -1) << w.message;
  }
  const Object* sd = by_message(events, "udp sd");
  ASSERT_NE(sd, nullptr);
  EXPECT_EQ(str(*sd, "severity_label"), "Error");
  EXPECT_EQ(str(*sd, "facility_label"), "security/authorization");
  const Value* iut = sd->find("sd");
  ASSERT_NE(iut, nullptr);
  EXPECT_EQ(iut->as_object().find("exampleSDID@32473")->as_object().find("iut")->as_string(), "3");
  EXPECT_EQ(str(*by_message(events, "udp rfc5424"), "msgid"), "ID47");
  // @timestamp is the sender's time: within a minute of now.
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  Timestamp t;
  std::string stamp = str(*by_message(events, "tcp rfc3164"), "@timestamp");
  ASSERT_TRUE(parse_iso8601(stamp, &t)) << stamp;
  EXPECT_LT(std::llabs(t.seconds() - now), 120) << stamp;
}

// rsyslog as a forwarder: it reads UDP on a port of its own and forwards each
// message three times to logpipe: octet-counted TCP (RFC 5424), LF-framed TCP
// (traditional RFC 3164) and UDP (RFC 5424).
TEST(SyslogInput, RsyslogForwardsOverOctetCountedTcpLfTcpAndUdp) {
  Logpipe lp;
  ASSERT_TRUE(lp.start("syslog { port => @PORT@ }", Logpipe::Ready::Tcp)) << lp.err();
  int rs_port = 0;
  for (int i = 0; i < 20 && !rs_port; ++i) {
    int p = random_port();
    if (p != lp.port && port_free(p, SOCK_DGRAM)) rs_port = p;
  }
  ASSERT_NE(rs_port, 0);
  const std::string work = lp.dir() + "/rsyslog-work";
  ASSERT_EQ(run("mkdir -p " + work), 0);
  const std::string port = std::to_string(lp.port);
  const std::string conf = lp.dir() + "/rsyslog.conf";
  std::ofstream(conf) << "global(workDirectory=\"" << work << "\" maxMessageSize=\"64k\")\n"
                      << "module(load=\"imudp\")\n"
                      << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << rs_port << "\")\n"
                      << "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" << port
                      << "\" protocol=\"tcp\" TCP_Framing=\"octet-counted\" "
                         "template=\"RSYSLOG_SyslogProtocol23Format\")\n"
                      << "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" << port
                      << "\" protocol=\"tcp\" template=\"RSYSLOG_TraditionalForwardFormat\")\n"
                      << "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" << port
                      << "\" protocol=\"udp\" template=\"RSYSLOG_SyslogProtocol23Format\")\n";
  const std::string pidfile = lp.dir() + "/rsyslogd.pid";
  Subprocess rsyslogd({"/usr/sbin/rsyslogd", "-n", "-f", conf, "-i", pidfile});
  bool up = false;
  for (int i = 0; i < 500 && !up && rsyslogd.running(); ++i) {
    up = !port_free(rs_port, SOCK_DGRAM);
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!up) {
    rsyslogd.signal(SIGKILL);
    rsyslogd.finish(10);
    FAIL() << "rsyslogd did not start: " << rsyslogd.err();
  }
  const std::string to = "logger -n 127.0.0.1 -P " + std::to_string(rs_port) + " -d -t myapp ";
  EXPECT_EQ(run(to + "--rfc3164 -p local0.info 'via rsyslog: rfc3164 input'"), 0);
  EXPECT_EQ(run(to + "--rfc5424 --msgid ID47 --sd-id exampleSDID@32473 --sd-param 'iut=\"3\"' "
                     "'via rsyslog: rfc5424 input'"),
            0);
  auto events = lp.wait_events(6);
  rsyslogd.signal(SIGTERM);
  rsyslogd.finish(20);
  EXPECT_EQ(lp.stop(), 0) << lp.err();
  ASSERT_EQ(events.size(), 6u) << lp.err() << rsyslogd.err();
  const std::string host = short_hostname();
  int rfc3164 = 0, rfc5424 = 0, with_sd = 0;
  for (auto& e : events) {
    EXPECT_EQ(e.find("tags"), nullptr) << str(e, "message");
    EXPECT_EQ(str(e, "program"), "myapp");
    EXPECT_EQ(str(e, "logsource"), host);
    EXPECT_EQ(str(e, "host"), "127.0.0.1");
    std::string m = str(e, "message");
    EXPECT_TRUE(m == "via rsyslog: rfc3164 input" || m == "via rsyslog: rfc5424 input") << m;
    (num(e, "version") == 1 ? rfc5424 : rfc3164)++;
    if (e.find("sd") && e.find("sd")->as_object().find("exampleSDID@32473")) ++with_sd;
  }
  EXPECT_EQ(rfc5424, 4);  // octet-counted TCP and UDP, two messages each
  EXPECT_EQ(rfc3164, 2);  // LF-framed traditional format
  EXPECT_EQ(with_sd, 2);
}

// A raw client: malformed frames, binary, oversized, a client that leaves in
// the middle of a frame, and 200 concurrent connections.
TEST(SyslogInput, MalformedInputIsTaggedAndManyConnectionsAreServed) {
  Logpipe lp;
  ASSERT_TRUE(lp.start("syslog { port => @PORT@ max_message_size => 1000 }", Logpipe::Ready::Tcp))
      << lp.err();
  const std::string head = "<13>Nov 26 04:13:16 h p: ";
  {  // a good frame, then an octet-counted frame cut short by the client leaving
    int fd = connect_tcp(lp.port);
    ASSERT_GE(fd, 0);
    send_all(fd, head + "first\n" + "80 " + head + "cut short");
    close(fd);
  }
  {  // a length that is not one, binary bytes, then an oversized frame and one after it
    int fd = connect_tcp(lp.port);
    ASSERT_GE(fd, 0);
    send_all(fd, "12a not a length\n");
    send_all(fd, std::string("\x00\x01\xff\xfe binary\n", 12));
    std::string big = head + std::string(5000, 'y');
    send_all(fd, std::to_string(big.size()) + " " + big);
    send_all(fd, head + "after the big one\n");
    close(fd);
  }
  send_udp(lp.port, head + std::string(3000, 'u'));
  // A client that stays connected in the middle of a frame must not hold anything up.
  int idle = connect_tcp(lp.port);
  ASSERT_GE(idle, 0);
  send_all(idle, "60 " + head + "idle");

  constexpr int kConns = 200, kPerConn = 5;
  std::vector<int> fds;
  for (int i = 0; i < kConns; ++i) {
    int fd = connect_tcp(lp.port);
    ASSERT_GE(fd, 0) << i;
    fds.push_back(fd);
  }
  // Every frame is sent in two pieces, connections interleaved.
  for (int j = 0; j < kPerConn; ++j) {
    std::vector<std::string> frames;
    for (int i = 0; i < kConns; ++i) {
      std::string m = head + "conn " + std::to_string(i) + " msg " + std::to_string(j);
      frames.push_back(std::to_string(m.size()) + " " + m);
    }
    for (int i = 0; i < kConns; ++i) send_all(fds[i], frames[i].substr(0, frames[i].size() / 2));
    for (int i = 0; i < kConns; ++i) send_all(fds[i], frames[i].substr(frames[i].size() / 2));
  }
  for (int fd : fds) close(fd);

  const size_t expected = 2 + 2 + 2 + 1 + kConns * kPerConn;
  auto events = lp.wait_events(expected);
  EXPECT_EQ(lp.stop(), 0) << lp.err();  // with the idle client still connected
  close(idle);
  auto after = lp.read_events();
  ASSERT_EQ(events.size(), expected) << lp.err();

  const Object* first = by_message(events, "first");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->find("tags"), nullptr);
  const Object* cut = by_message(events, "cut short");
  ASSERT_NE(cut, nullptr);
  EXPECT_TRUE(tagged(*cut, "_syslogframeincomplete"));
  const Object* badlen = by_message(events, "12a not a length");
  ASSERT_NE(badlen, nullptr);
  EXPECT_TRUE(tagged(*badlen, "_syslogparsefailure"));
  EXPECT_EQ(num(*badlen, "priority"), 13);
  int binary = 0, truncated_tcp = 0, truncated_udp = 0;
  std::map<std::string, int> seen;
  for (auto& e : events) {
    std::string m = str(e, "message");
    if (m.find("binary") != std::string::npos) {
      ++binary;
      EXPECT_TRUE(tagged(e, "_syslogparsefailure"));
    }
    if (tagged(e, "_message_truncated")) {
      EXPECT_EQ(m.size(), 1000u - head.size());
      (m[0] == 'y' ? truncated_tcp : truncated_udp)++;
    }
    if (m.rfind("conn ", 0) == 0) seen[m]++;
  }
  EXPECT_EQ(binary, 1);
  EXPECT_EQ(truncated_tcp, 1);
  EXPECT_EQ(truncated_udp, 1);
  EXPECT_NE(by_message(events, "after the big one"), nullptr);
  EXPECT_EQ(seen.size(), size_t{kConns * kPerConn});
  for (auto& [m, n] : seen) EXPECT_EQ(n, 1) << m;
  // At shutdown the idle client's partial frame is handed on, marked.
  const Object* idle_event = by_message(after, "idle");
  ASSERT_NE(idle_event, nullptr);
  EXPECT_TRUE(tagged(*idle_event, "_syslogframeincomplete"));
}

// The plain tcp and udp inputs through the binary, with the json_lines and
// line codecs.
TEST(TcpUdpInputs, ThroughTheBinaryWithJsonLinesAndLineCodecs) {
  Logpipe tcp;
  ASSERT_TRUE(tcp.start("tcp { port => @PORT@ codec => json_lines }", Logpipe::Ready::Tcp))
      << tcp.err();
  int fd = connect_tcp(tcp.port);
  ASSERT_GE(fd, 0);
  send_all(fd, "{\"a\":1,\"message\":\"json\"}\n{oops\n");
  close(fd);
  auto tcp_events = tcp.wait_events(2);
  EXPECT_EQ(tcp.stop(), 0) << tcp.err();
  ASSERT_EQ(tcp_events.size(), 2u) << tcp.err();
  const Object* j = by_message(tcp_events, "json");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(num(*j, "a"), 1);
  EXPECT_EQ(str(*j, "host"), "127.0.0.1");
  EXPECT_GT(num(*j, "port"), 0);
  EXPECT_TRUE(tagged(tcp_events[0], "_jsonparsefailure") ||
              tagged(tcp_events[1], "_jsonparsefailure"));

  Logpipe udp;
  ASSERT_TRUE(udp.start("udp { port => @PORT@ codec => line }", Logpipe::Ready::Udp)) << udp.err();
  send_udp(udp.port, "first line\nsecond line\n");
  send_udp(udp.port, "no newline");
  auto udp_events = udp.wait_events(3);
  EXPECT_EQ(udp.stop(), 0) << udp.err();
  ASSERT_EQ(udp_events.size(), 3u) << udp.err();
  for (const char* m : {"first line", "second line", "no newline"}) {
    const Object* e = by_message(udp_events, m);
    ASSERT_NE(e, nullptr) << m;
    EXPECT_EQ(str(*e, "host"), "127.0.0.1");
  }
}

// A nested field of an event written as JSON, or nullptr.
const Value* at(const Object& e, std::initializer_list<const char*> path) {
  const Object* o = &e;
  const Value* v = nullptr;
  for (const char* key : path) {
    if (!o) return nullptr;
    v = o->find(key);
    if (!v) return nullptr;
    o = v->is_object() ? &v->as_object() : nullptr;
  }
  return v;
}

TEST(SyslogInput, EcsFieldNamesAsLogstash8GivesThem) {
  Logpipe lp;
  ASSERT_TRUE(lp.start("syslog { port => @PORT@ ecs_compatibility => v8 }", Logpipe::Ready::Tcp))
      << lp.err();
  const std::string to = "logger -n 127.0.0.1 -P " + std::to_string(lp.port) + " -t myapp ";
  ASSERT_EQ(run(to + "-d --rfc3164 -i -p local0.info 'ecs rfc3164'"), 0);
  ASSERT_EQ(run(to + "-T --rfc5424 -p auth.err --msgid ID47 'ecs rfc5424'"), 0);
  ASSERT_EQ(run("printf 'not syslog at all\\n' | socat -u - TCP:127.0.0.1:" + std::to_string(lp.port)),
            0);
  auto events = lp.wait_events(3);
  EXPECT_EQ(lp.stop(), 0) << lp.err();
  ASSERT_EQ(events.size(), 3u) << lp.err();
  const std::string host = short_hostname();

  const Object* e = by_message(events, "ecs rfc3164");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(at(*e, {"log", "syslog", "priority"})->as_int(), 134);
  EXPECT_EQ(at(*e, {"log", "syslog", "facility", "code"})->as_int(), 16);
  EXPECT_EQ(at(*e, {"log", "syslog", "facility", "name"})->as_string(), "local0");
  EXPECT_EQ(at(*e, {"log", "syslog", "severity", "code"})->as_int(), 6);
  EXPECT_EQ(at(*e, {"log", "syslog", "severity", "name"})->as_string(), "Informational");
  EXPECT_EQ(at(*e, {"host", "hostname"})->as_string(), host);
  EXPECT_EQ(at(*e, {"host", "ip"})->as_string(), "127.0.0.1");
  EXPECT_EQ(at(*e, {"process", "name"})->as_string(), "myapp");
  ASSERT_NE(at(*e, {"process", "pid"}), nullptr);
  EXPECT_TRUE(at(*e, {"process", "pid"})->is_int());
  EXPECT_EQ(at(*e, {"service", "type"})->as_string(), "system");
  const Value* original = at(*e, {"event", "original"});
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->as_string().rfind("<134>", 0), 0u) << original->as_string();
  for (const char* legacy : {"priority", "facility", "severity", "facility_label", "severity_label",
                             "logsource", "program", "pid", "timestamp"})
    EXPECT_EQ(e->find(legacy), nullptr) << legacy;
  // host is the [host] object, not the sender's address.
  EXPECT_TRUE(e->find("host")->is_object());

  const Object* r = by_message(events, "ecs rfc5424");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(at(*r, {"event", "code"})->as_string(), "ID47");
  EXPECT_EQ(at(*r, {"system", "syslog", "version"})->as_int(), 1);
  EXPECT_EQ(at(*r, {"log", "syslog", "severity", "name"})->as_string(), "Error");

  const Object* bad = by_message(events, "not syslog at all");
  ASSERT_NE(bad, nullptr);
  EXPECT_TRUE(tagged(*bad, "_syslogparsefailure"));
  EXPECT_EQ(at(*bad, {"log", "syslog", "priority"})->as_int(), 13);
}

// A firewall distribution's kind of config: its own grok_pattern makes the
// fields the rest of its pipeline keys on.
TEST(SyslogInput, CustomGrokPatternIsAppliedAsLogstashDoes) {
  Logpipe lp;
  ASSERT_TRUE(lp.start(R"(syslog { port => @PORT@ grok_pattern => "<%{POSINT:priority}>%{SYSLOGTIMESTAMP:timestamp} %{WORD:fw_host} filterlog: %{INT:rule},%{WORD:action},%{GREEDYDATA:fw_rest}" })",
                       Logpipe::Ready::Tcp))
      << lp.err();
  const std::string port = std::to_string(lp.port);
  ASSERT_EQ(run("printf '<134>Feb  3 10:11:12 fw1 filterlog: 5,pass,em0\\n<13>not a firewall line\\n' "
                "| socat -u - TCP:127.0.0.1:" + port),
            0);
  auto events = lp.wait_events(2);
  EXPECT_EQ(lp.stop(), 0) << lp.err();
  ASSERT_EQ(events.size(), 2u) << lp.err();
  const Object* fw = nullptr;
  const Object* other = nullptr;
  for (auto& e : events) (e.find("fw_host") ? fw : other) = &e;
  ASSERT_NE(fw, nullptr);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(str(*fw, "fw_host"), "fw1");
  EXPECT_EQ(str(*fw, "rule"), "5");
  EXPECT_EQ(str(*fw, "action"), "pass");
  EXPECT_EQ(num(*fw, "priority"), 134);  // read as a number from the capture
  EXPECT_EQ(num(*fw, "facility"), 16);
  EXPECT_EQ(num(*fw, "severity"), 6);
  EXPECT_EQ(str(*fw, "facility_label"), "local0");
  EXPECT_EQ(str(*fw, "severity_label"), "Informational");
  EXPECT_EQ(str(*fw, "host"), "127.0.0.1");
  EXPECT_EQ(fw->find("tags"), nullptr);
  // @timestamp comes from the year-less timestamp through the date filter.
  const std::string stamp = str(*fw, "@timestamp");
  EXPECT_NE(stamp.find("-02-03T10:11:12.000Z"), std::string::npos) << stamp;
  // What the pattern does not match keeps its line, priority 13 and Logstash's tag.
  EXPECT_EQ(str(*other, "message"), "<13>not a firewall line");
  EXPECT_TRUE(tagged(*other, "_grokparsefailure_sysloginput"));
  EXPECT_EQ(num(*other, "priority"), 13);
  EXPECT_EQ(str(*other, "severity_label"), "Notice");
}

TEST(TcpUdpInputs, EcsNamesInV8Mode) {
  // The tcp input's ECS fields are all @metadata: copied out to be seen.
  Logpipe tcp;
  ASSERT_TRUE(tcp.start("tcp { port => @PORT@ ecs_compatibility => v8 } } filter { mutate { copy => "
                        "{ \"[@metadata][input][tcp][source][ip]\" => \"src_ip\" "
                        "\"[@metadata][input][tcp][source][port]\" => \"src_port\" } }",
                        Logpipe::Ready::Tcp))
      << tcp.err();
  int fd = connect_tcp(tcp.port);
  ASSERT_GE(fd, 0);
  send_all(fd, "over tcp\n");
  close(fd);
  auto tcp_events = tcp.wait_events(1);
  EXPECT_EQ(tcp.stop(), 0) << tcp.err();
  ASSERT_EQ(tcp_events.size(), 1u) << tcp.err();
  EXPECT_EQ(str(tcp_events[0], "src_ip"), "127.0.0.1");
  EXPECT_GT(num(tcp_events[0], "src_port"), 0);
  EXPECT_EQ(tcp_events[0].find("host"), nullptr);
  EXPECT_EQ(tcp_events[0].find("port"), nullptr);

  Logpipe udp;
  ASSERT_TRUE(udp.start("udp { port => @PORT@ ecs_compatibility => v8 }", Logpipe::Ready::Udp))
      << udp.err();
  send_udp(udp.port, "over udp");
  auto udp_events = udp.wait_events(1);
  EXPECT_EQ(udp.stop(), 0) << udp.err();
  ASSERT_EQ(udp_events.size(), 1u) << udp.err();
  EXPECT_EQ(at(udp_events[0], {"host", "ip"})->as_string(), "127.0.0.1");
}

TEST(SyslogInput, RefusesWhatItDoesNotSupport) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"syslog { proxy_protocol => true }", "proxy_protocol"},
      {"syslog { timezone => \"Mars/Olympus\" }", "timezone"},
      {"syslog { locale => \"fr_FR\" }", "locale"},
      {"syslog { ecs_compatibility => v9 }", "ecs_compatibility"},
      {"syslog { grok_pattern => \"%{NOSUCHPATTERN}\" }", "grok_pattern"},
      {"syslog { max_message_size => 0 }", "max_message_size"},
  };
  for (auto& [input, option] : cases) {
    Subprocess p({binary(), "-t", "-e", "input { " + input + " } output { stdout {} }"});
    EXPECT_EQ(p.finish(30), 1) << input;
    EXPECT_NE(p.err().find(option), std::string::npos) << p.err();
  }
  Subprocess ok({binary(), "-t", "-e",
                 "input { syslog { port => 5514 timezone => \"Europe/Paris\" locale => \"en_US\" "
                 "grok_pattern => \"x\" } } output { stdout {} }"});
  EXPECT_EQ(ok.finish(30), 0) << ok.err();
}

// Zone-less times in the configured zone, DST included, also past the zone
// files' last transition (2037) and in a spring-forward gap.
TEST(SyslogInput, TimezoneOptionFollowsDaylightSavingTimeAfter2037) {
  Logpipe lp;
  ASSERT_TRUE(
      lp.start("syslog { port => @PORT@ timezone => \"Europe/Paris\" }", Logpipe::Ready::Udp))
      << lp.err();
  struct Sent {
    const char* frame;
    const char* message;
    const char* time;
  };
  const Sent sent[] = {
      {"<13>Jul 15 2040 12:00:00 h p: summer", "summer", "2040-07-15T10:00:00Z"},
      {"<13>Jan 15 2040 12:00:00 h p: winter", "winter", "2040-01-15T11:00:00Z"},
      {"<13>1 2040-07-15T12:00:00 h p - - - rfc5424", "rfc5424", "2040-07-15T10:00:00Z"},
      {"<13>1 2040-07-15T12:00:00+05:00 h p - - - offset", "offset", "2040-07-15T07:00:00Z"},
      {"<13>Mar 25 2040 02:30:00 h p: gap", "gap", "2040-03-25T01:30:00Z"},
  };
  for (const Sent& s : sent) send_udp(lp.port, s.frame);
  auto events = lp.wait_events(std::size(sent));
  EXPECT_EQ(lp.stop(), 0) << lp.err();
  ASSERT_EQ(events.size(), std::size(sent)) << lp.err();
  for (const Sent& s : sent) {
    const Object* e = by_message(events, s.message);
    ASSERT_NE(e, nullptr) << s.frame;
    EXPECT_EQ(e->find("tags"), nullptr) << s.frame;
    Timestamp got, want;
    ASSERT_TRUE(parse_iso8601(str(*e, "@timestamp"), &got)) << s.frame;
    ASSERT_TRUE(parse_iso8601(s.time, &want));
    EXPECT_EQ(got.seconds(), want.seconds()) << s.frame << " gave " << str(*e, "@timestamp");
  }
}

TEST(SyslogInput, AcceptsEveryDocumentedTimezoneForm) {
  std::string inputs;
  int port = 5514;
  for (const char* zone : {"UTC", "GMT", "Z", "Etc/UTC", "Etc/GMT", "Zulu", "+02:00", "-0530",
                           "+02", "Europe/Paris", "America/New_York"})
    inputs += "syslog { port => " + std::to_string(port++) + " timezone => \"" + zone + "\" } ";
  Subprocess ok({binary(), "-t", "-e", "input { " + inputs + "} output { stdout {} }"});
  EXPECT_EQ(ok.finish(30), 0) << ok.err();
}

}  // namespace
}  // namespace logpipe
