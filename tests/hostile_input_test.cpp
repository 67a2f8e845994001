// Hostile input at scale, through the real binary: a log with a fifth of its
// lines built to hurt (bench/gen_hostile.py: invalid UTF-8, NUL bytes, 1 MiB
// lines, JSON nested 100,000 deep, grok near-misses that run long, 20,000
// key=value pairs or JSON keys, absurd syslog priorities, huge numbers ...)
// through stdin -> json, grok, kv, date -> Elasticsearch (the local
// contract server): the process ends, every line is stored or
// dead-lettered with a reason, memory stays bounded. Then the network
// inputs with absurd frames (syslog octet counts, Lumberjack frame sizes, a
// compressed bomb): only that connection is closed, the next one is served.
// And every standard grok pattern against the catastrophic-backtracking
// shapes. Throughput against clean input is measured in bench/hostile.sh,
// not here.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "engine/event/value.h"
#include "engine/text/json_reader.h"
#include "filters/grok/grok_compiler.h"
#include "filters/grok/grok_matcher.h"
#include "filters/grok/pattern_library.h"
#include "inputs/beats/lumberjack_decoder.h"
#include "tests/logpipe_process.h"
#include "tests/lumberjack_client.h"
#include "tests/tools/es_server/es_fake_server.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;

class HostileInput : public testing::TempDirTest {
 protected:
  HostileInput() : TempDirTest("hostile") {}

  // Runs `command` through sh; fails the test when it does not exit 0.
  static void run(const std::string& command) { ASSERT_EQ(std::system(command.c_str()), 0) << command; }
};

const char* const kFilters = R"(
filter {
  if [message] =~ /^[\[{]/ { json { source => "message" target => "doc" } }
  grok { match => { "message" => ["%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}", "%{IPORHOST:h} %{GREEDYDATA:rest}"] } }
  kv { source => "message" target => "kv" }
  date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] }
}
)";

TEST_F(HostileInput, AFullPipelineStoresOrDeadLettersEveryLine) {
  constexpr int kLines = 3000;
  const std::string src = LOGPIPE_SOURCE_DIR;
  run("python3 " + src + "/bench/gen_apache.py -n " + std::to_string(kLines) + " --seed 7 -o '" +
      path("clean.log") + "'");
  run("python3 " + src + "/bench/gen_hostile.py --clean '" + path("clean.log") +
      "' --rate 0.2 --big 4 -o '" + path("hostile.log") + "' 2>/dev/null");
  es_fake::EsFakeServer es;
  es.start();
  std::ofstream(path("hostile.conf")) << "input { stdin { } }\n" << kFilters
                                      << "output { elasticsearch { hosts => [\"" << es.url()
                                      << "\"] index => \"hostile\" } }\n";
  std::string command = "exec /usr/bin/time -f 'peak_rss_kib=%M cpu_s=%U+%S wall_s=%e' '" +
                        testing::logpipe_binary() + "' -w 2 --path.data '" + path("data") + "' -f '" +
                        path("hostile.conf") + "' < '" + path("hostile.log") + "' 2>'" + path("log") + "'";
  testing::Subprocess lp({"/bin/sh", "-c", command});
  ASSERT_EQ(lp.finish(300), 0) << testing::read_text_file(path("log"));
  std::string log = testing::read_text_file(path("log"));

  // Every line: stored, or dead-lettered with its reason.
  es_fake::Stats st = es.stats();
  size_t letters = 0, without_reason = 0;
  for (auto& line : testing::split_lines(testing::read_text_file(
           path("data") + "/dead_letter_queue/main/" + "0000000001.jsonl"))) {
    if (line.empty()) continue;
    Value v;
    std::string error;
    ASSERT_TRUE(parse_json(line, &v, &error)) << error;
    ++letters;
    const Value* reason = v.as_object().find("reason");
    without_reason += !reason || !reason->is_string() || reason->as_string().empty();
  }
  EXPECT_EQ(st.docs_by_index["hostile"] + letters, size_t{kLines}) << log;
  EXPECT_EQ(without_reason, 0u);
  EXPECT_EQ(st.overwrites, 0u);

  // What the filters made of the lines.
  size_t grok_failures = 0, json_failures = 0, big = 0;
  for (auto& d : es.docs("hostile")) {
    grok_failures += d.source.find("\"_grokparsefailure\"") != std::string::npos;
    json_failures += d.source.find("\"_jsonparsefailure\"") != std::string::npos;
    big += d.source.size() > (1u << 20);
  }
  EXPECT_EQ(big, 4u);  // the 1 MiB lines, whole
  EXPECT_GT(json_failures, 0u);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(peak_rss_kib=(\d+) cpu_s=(\S+) wall_s=(\S+))"))) << log;
  uint64_t peak_kib = std::stoull(m[1]);
  // Bounded by what the pipeline holds at once (batches of events of up to
  // 20,000 fields or 1 MiB), not by the length of the log.
  EXPECT_LT(peak_kib, 768u * 1024) << "peak RSS";
  std::printf("[ hostile ] %d lines (a fifth hostile, four of 1 MiB): %llu stored, %zu dead-lettered, "
              "%zu _grokparsefailure, %zu _jsonparsefailure; peak RSS %llu KiB, CPU %s s, wall %s s\n",
              kLines, static_cast<unsigned long long>(st.docs_by_index["hostile"]), letters, grok_failures,
              json_failures, static_cast<unsigned long long>(peak_kib), m[2].str().c_str(), m[3].str().c_str());
}

// Absurd frames on the network inputs: the connection that sent one is
// closed (or the frame cut and tagged), the process stays up and serves the
// next connection.
TEST_F(HostileInput, AbsurdSyslogAndLumberjackFramesCostOnlyTheirConnection) {
  std::string out = path("out.jsonl");
  testing::Logpipe lp(dir_, "lp",
                      "input {\n  syslog { port => 0 }\n  beats { port => 0 }\n}\n"
                      "output { file { path => \"" + out + "\" codec => json_lines } }\n");
  int syslog_port = 0, beats_port = 0;
  ASSERT_TRUE(testing::wait_until([&] {
    std::smatch m;
    std::string log = lp.log();
    if (std::regex_search(log, m, std::regex(R"(syslog \S+: listening on port (\d+))"))) syslog_port = std::stoi(m[1]);
    if (std::regex_search(log, m, std::regex(R"(beats \S+: listening on port (\d+))"))) beats_port = std::stoi(m[1]);
    return syslog_port && beats_port;
  }, 20s, 50ms)) << lp.log();

  {  // An octet count of a hundred billion bytes, then a 2 MiB LF-framed line.
    testing::LumberjackClient s(syslog_port);  // a plain TCP client
    ASSERT_TRUE(s.send("99999999999 <13>1 2026-12-03T10:00:00Z host app - - - absurd\n"));
  }
  {
    testing::LumberjackClient s(syslog_port);
    ASSERT_TRUE(s.send("<13>Dec  3 10:00:00 host app: " + std::string(2 << 20, 'x') + "\n"));
  }
  {  // A frame that claims 4 GiB.
    testing::LumberjackClient client(beats_port);
    ASSERT_TRUE(client.send(lumberjack_window(1) + std::string("2J\x00\x00\x00\x01\xff\xff\xff\xff", 10)));
    EXPECT_EQ(client.read(1, 5s), "");
    EXPECT_TRUE(client.closed());
  }
  {  // 80 MiB of message in 80 KB: past max_decompressed_size (64 MiB).
    std::string inner = lumberjack_json(1, "{\"message\":\"" + std::string(80 << 20, 'a') + "\"}");
    testing::LumberjackClient client(beats_port);
    ASSERT_TRUE(client.send(lumberjack_window(1) + lumberjack_compressed(inner, 9)));
    EXPECT_EQ(client.read(1, 10s), "");
    EXPECT_TRUE(client.closed());
  }
  {  // And the next connections are served.
    testing::LumberjackClient s(syslog_port);
    ASSERT_TRUE(s.send("<13>Dec  3 10:00:00 host app: syslog after\n"));
    testing::LumberjackClient client(beats_port);
    ASSERT_TRUE(client.send(lumberjack_window(1) + lumberjack_json(1, "{\"message\":\"beats after\"}")));
    EXPECT_EQ(client.read_ack(10s), std::optional<uint32_t>(1));
  }
  ASSERT_TRUE(testing::wait_until([&] {
    std::string text = testing::read_text_file(out);
    return text.find("syslog after") != std::string::npos && text.find("beats after") != std::string::npos;
  }, 20s, 100ms)) << lp.log();
  std::string text = testing::read_text_file(out);
  EXPECT_EQ(text.find("\"aaaaaaaa"), std::string::npos) << "the bomb was not inflated into an event";
  // The 2 MiB line is cut at max_message_size (64 KiB) and tagged.
  EXPECT_NE(text.find("_message_truncated"), std::string::npos);
  EXPECT_EQ(lp.stop(), 0) << lp.log();
}

// Every pattern of the built-in library (legacy and ECS), alone, against
// long near-misses of the shapes that make backtracking engines explode.
// RE2 is linear and PCRE2 runs under a step budget, so each match returns;
// the slowest is printed.
TEST(HostileGrok, EveryStandardPatternOnBacktrackingShapesReturns) {
  std::vector<std::string> shapes;
  for (std::string unit : {"a", "1", "1.", "a.", "a:", "::", "a ", " ", "-", "1-", "a@", "%", "\\",
                           "\"", "[", "/a", "a=b ", "12:", "0x", "a\t", "1 ", "A1", "\xc3\xa9"}) {
    std::string s;
    while (s.size() < 8192) s += unit;
    shapes.push_back(s + "!");
    shapes.push_back("1.1.1.1 - - [" + s + "\x01");
  }
  size_t patterns = 0, matches = 0;
  double slowest_us = 0;
  std::string slowest;
  for (const char* folder : {"legacy", "ecs-v1"}) {
    PatternLibrary library;
    library.add_builtin(builtin_pattern_files(), folder);
    std::vector<std::string> names;
    for (auto& [file, text] : builtin_pattern_files()) {
      if (file.rfind(std::string(folder) + "/", 0) != 0) continue;
      for (auto& line : testing::split_lines(text)) {
        size_t space = line.find_first_of(" \t");
        if (line.empty() || line[0] == '#' || space == std::string::npos) continue;
        names.push_back(line.substr(0, space));
      }
    }
    for (auto& name : names) {
      GrokMatcher matcher(GrokCompiler(library, true).compile("%{" + name + "}"));
      ++patterns;
      for (auto& shape : shapes) {
        auto began = std::chrono::steady_clock::now();
        matches += matcher.match(shape);
        double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began).count();
        if (us > slowest_us) slowest_us = us, slowest = std::string(folder) + " " + name;
      }
    }
  }
  EXPECT_GT(patterns, 300u);
  std::printf("[ hostile ] %zu patterns x %zu shapes of 8 KiB: %zu matched; slowest %s, %.0f us\n", patterns,
              shapes.size(), matches, slowest.c_str(), slowest_us);
}

}  // namespace
}  // namespace logpipe
