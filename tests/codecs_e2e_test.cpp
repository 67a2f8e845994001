// The dots, multiline and cef codecs through the real binary: configs a user
// would write, real stdin/stdout, files and TCP connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "engine/text/json_reader.h"
#include "tests/logpipe_process.h"
#include "tests/loopback_socket.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;
using testing::Logpipe;
using testing::read_text_file;
using testing::Subprocess;

std::vector<Value> json_lines(const std::string& text) {
  std::vector<Value> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    Value v;
    std::string err;
    EXPECT_TRUE(parse_json(text.substr(start, nl - start), &v, &err)) << err;
    out.push_back(std::move(v));
  }
  return out;
}

std::string field(const Value& event, const char* name) {
  const Value* v = event.as_object().find(name);
  return v ? v->to_string() : "<missing>";
}

std::string at(const Value& event, std::initializer_list<const char*> path) {
  const Value* v = &event;
  for (const char* p : path) {
    if (!v->is_object() || !(v = v->as_object().find(p))) return "<missing>";
  }
  return v->to_string();
}

bool has_tag(const Value& event, const std::string& tag) {
  const Value* t = event.as_object().find("tags");
  if (!t || !t->is_array()) return false;
  for (auto& v : t->as_array())
    if (v.is_string() && v.as_string() == tag) return true;
  return false;
}

int free_port() {
  int port = 0;
  int fd = testing::bind_loopback(SOCK_STREAM, port);
  close(fd);
  return port;
}

int connect_to(int port) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    close(fd);
    std::this_thread::sleep_for(20ms);  // the server is still starting
  }
  return -1;
}

void send_all(int fd, const std::string& s) { ASSERT_EQ(write(fd, s.data(), s.size()), ssize_t(s.size())); }

class CodecsEndToEnd : public testing::TempDirTest {
 protected:
  CodecsEndToEnd() : TempDirTest("codecs-e2e") {}
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  // Waits for `n` complete lines in a file.
  std::vector<Value> wait_events(const std::string& file, size_t n) {
    std::vector<Value> events;
    testing::wait_until(
        [&] {
          std::string text = read_text_file(file);
          size_t lines = std::count(text.begin(), text.end(), '\n');
          if (lines < n) return false;
          events = json_lines(text);
          return true;
        },
        10s, 50ms);
    return events;
  }
};

TEST_F(CodecsEndToEnd, DotsPrintsOneDotPerEvent) {
  Subprocess p({testing::logpipe_binary(), "-w", "2", "--path.data", path("data"), "-e",
                "input { generator { count => 37 } } output { stdout { codec => dots } }"});
  p.close_stdin();
  ASSERT_EQ(p.finish(), 0) << p.err();
  EXPECT_EQ(p.out(), std::string(37, '.'));
}

TEST_F(CodecsEndToEnd, DotsIsRefusedAsAnInputCodec) {
  Subprocess p({testing::logpipe_binary(), "-t", "-e",
                "input { stdin { codec => dots } } output { stdout {} }"});
  p.close_stdin();
  EXPECT_NE(p.finish(), 0);
  EXPECT_NE(p.err().find("codec dots only encodes"), std::string::npos) << p.err();
}

TEST_F(CodecsEndToEnd, MultilineJoinsJavaStackTracesPerFile) {
  // b.log starts with continuation lines: they must not join a.log's last event.
  // In a folder of their own: the Logpipe helper keeps its log next to dir_'s files.
  std::system(("mkdir -p '" + path("logs") + "'").c_str());
  write("logs/a.log",
        "2026-12-02 10:00:00,001 INFO start\n"
        "2026-12-02 10:00:01,002 ERROR request failed\n"
        "java.lang.NullPointerException: name\n"
        "\tat com.example.Handler.handle(Handler.java:42)\n"
        "\tat com.example.Server.run(Server.java:7)\n");
  write("logs/b.log",
        "\tat orphan.Frame.one(Frame.java:1)\n"
        "2026-12-02 11:00:00,000 WARN slow\n"
        "Caused by: java.io.IOException: timeout\n");
  const std::string out = path("out.json");
  Logpipe lp(dir_, "multiline-file",
             "input { file { path => \"" + dir_ + "/logs/*.log\" start_position => \"beginning\""
             " file_sort_by => \"path\" sincedb_path => \"/dev/null\" stat_interval => 0.05\n"
             " codec => multiline { pattern => \"^%{TIMESTAMP_ISO8601} \" negate => true"
             " what => \"previous\" auto_flush_interval => 0.3 } } }\n"
             "output { file { path => \"" + out + "\" codec => json_lines } }\n");
  // Tailing: the files never end, so each file's last event leaves on the auto flush.
  auto events = wait_events(out, 4);
  EXPECT_EQ(lp.stop(), 0) << lp.log();
  ASSERT_EQ(events.size(), 4u) << read_text_file(out);
  std::vector<std::string> messages;
  for (auto& e : events) messages.push_back(field(e, "message"));
  std::sort(messages.begin(), messages.end());
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "\tat orphan.Frame.one(Frame.java:1)",
                          "2026-12-02 10:00:00,001 INFO start",
                          "2026-12-02 10:00:01,002 ERROR request failed\n"
                          "java.lang.NullPointerException: name\n"
                          "\tat com.example.Handler.handle(Handler.java:42)\n"
                          "\tat com.example.Server.run(Server.java:7)",
                          "2026-12-02 11:00:00,000 WARN slow\nCaused by: java.io.IOException: timeout"}));
  for (auto& e : events) {
    bool joined = field(e, "message").find('\n') != std::string::npos;
    EXPECT_EQ(has_tag(e, "multiline"), joined) << field(e, "message");
    if (field(e, "message").rfind("\tat orphan", 0) == 0) {
      EXPECT_EQ(field(e, "path"), dir_ + "/logs/b.log");
    }
  }
}

TEST_F(CodecsEndToEnd, MultilineKeepsTcpConnectionsApartAndAutoFlushes) {
  const int port = free_port();
  const std::string out = path("out.json");
  Logpipe lp(dir_, "multiline-tcp",
             "input { tcp { port => " + std::to_string(port) +
                 " codec => multiline { pattern => \"^\\s\" what => \"previous\""
                 " auto_flush_interval => 0.3 } } }\n"
                 "output { file { path => \"" + out + "\" codec => json_lines } }\n");
  int a = connect_to(port), b = connect_to(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  send_all(a, "A head\n");
  std::this_thread::sleep_for(20ms);
  send_all(b, "B head\n");
  std::this_thread::sleep_for(20ms);
  send_all(a, "  A more\n");
  std::this_thread::sleep_for(20ms);
  send_all(b, "  B more\n");
  // Both connections stay open: only the auto flush can emit the events.
  auto events = wait_events(out, 2);
  ASSERT_EQ(events.size(), 2u) << lp.log();
  std::vector<std::string> messages{field(events[0], "message"), field(events[1], "message")};
  std::sort(messages.begin(), messages.end());
  EXPECT_EQ(messages, (std::vector<std::string>{"A head\n  A more", "B head\n  B more"}));
  EXPECT_TRUE(has_tag(events[0], "multiline"));
  close(a);
  close(b);
  EXPECT_EQ(lp.stop(), 0) << lp.log();
}

TEST_F(CodecsEndToEnd, MultilineOverStdinFlushesAtEndOfInput) {
  Subprocess p({testing::logpipe_binary(), "-w", "2", "--path.data", path("data"), "-e",
                "input { stdin { codec => multiline { pattern => \"\\\\$\" what => \"next\" } } }"
                " output { stdout { codec => json_lines } }"});
  p.write_stdin("one \\\ntwo \\\nthree\nfour \\\nfive");
  p.close_stdin();
  ASSERT_EQ(p.finish(), 0) << p.err();
  auto events = json_lines(p.out());
  ASSERT_EQ(events.size(), 2u) << p.out();
  EXPECT_EQ(field(events[0], "message"), "one \\\ntwo \\\nthree");
  EXPECT_EQ(field(events[1], "message"), "four \\\nfive");
}

TEST_F(CodecsEndToEnd, CefOverTcpDecodesAndEncodes) {
  const int port = free_port();
  const std::string out = path("out.json"), cef_out = path("out.cef");
  Logpipe lp(dir_, "cef-tcp",
             "input { tcp { port => " + std::to_string(port) +
                 " codec => cef { delimiter => \"\\n\" ecs_compatibility => v8 } } }\n"
                 "output {\n"
                 "  file { path => \"" + out + "\" codec => json_lines }\n"
                 "  file { path => \"" + cef_out + "\" codec => cef { ecs_compatibility => v8"
                 " reverse_mapping => true delimiter => \"\\n\" vendor => \"%{[observer][vendor]}\""
                 " fields => [\"[source][ip]\", \"[destination][port]\"] } }\n"
                 "}\n");
  int fd = connect_to(port);
  ASSERT_GE(fd, 0);
  send_all(fd,
           "Dec 02 10:00:00 fw1 CEF:0|Acme|Firewall|2.1|4000|Blocked|7|src=10.1.2.3 dpt=443 "
           "msg=blocked \\= policy rt=1764669600000\n"
           "not cef at all\n");
  close(fd);
  auto events = wait_events(out, 2);
  ASSERT_EQ(events.size(), 2u) << lp.log();
  const Value& e = events[0];
  EXPECT_EQ(at(e, {"observer", "vendor"}), "Acme");
  EXPECT_EQ(at(e, {"observer", "product"}), "Firewall");
  EXPECT_EQ(at(e, {"event", "code"}), "4000");
  EXPECT_EQ(at(e, {"cef", "name"}), "Blocked");
  EXPECT_EQ(at(e, {"event", "severity"}), "7");
  EXPECT_EQ(at(e, {"log", "syslog", "header"}), "Dec 02 10:00:00 fw1");
  EXPECT_EQ(at(e, {"source", "ip"}), "10.1.2.3");
  EXPECT_EQ(at(e, {"destination", "port"}), "443");
  EXPECT_EQ(field(e, "message"), "blocked = policy");
  EXPECT_EQ(field(e, "@timestamp"), "2025-12-02T10:00:00.000Z");
  EXPECT_TRUE(has_tag(events[1], "_cefparsefailure"));
  EXPECT_EQ(field(events[1], "message"), "not cef at all");
  ASSERT_TRUE(testing::wait_until([&] { return !read_text_file(cef_out).empty(); }, 10s, 50ms));
  std::string encoded = read_text_file(cef_out);
  EXPECT_NE(encoded.find("CEF:0|Acme|Logstash|1.0|Logstash|Logstash|6|src=10.1.2.3 dpt=443\n"),
            std::string::npos)
      << encoded;
  EXPECT_EQ(lp.stop(), 0) << lp.log();
}

}  // namespace
}  // namespace logpipe
