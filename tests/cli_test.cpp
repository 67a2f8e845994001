// Integration tests of the logpipe binary: config in, events through real
// stdin/stdout/files, exit codes and error messages as a user sees them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>

#include "engine/text/json_reader.h"
#include "engine/text/json_writer.h"
#include "tests/subprocess.h"

using logpipe::Object;
using logpipe::to_json;
using logpipe::Value;
using logpipe::testing::make_temp_dir;
using logpipe::testing::read_text_file;
using logpipe::testing::split_lines;
using logpipe::testing::Subprocess;

namespace {

Value json(const std::string& text) {
  Value v;
  std::string err;
  EXPECT_TRUE(logpipe::parse_json(text, &v, &err)) << err << " in: " << text;
  return v;
}

std::vector<Value> json_lines(const std::string& text) {
  std::vector<Value> out;
  for (auto& line : split_lines(text))
    if (!line.empty()) out.push_back(json(line));
  return out;
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

struct CliResult {
  int code;
  std::string out, err;
};

CliResult run(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv{LOGPIPE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  Subprocess p(argv);
  p.write_stdin(input);
  p.close_stdin();
  int code = p.finish();
  return {code, p.out(), p.err()};
}

}  // namespace

TEST(Cli, StdinThroughMutateAndConditionalsToJsonLines) {
  const std::string config = R"(
input { stdin { type => "app" } }
filter {
  mutate {
    split => { "message" => "|" }
    add_field => { "level" => "%{[message][0]}" "user" => "%{[message][1]}" }
  }
  if [level] == "ERROR" {
    mutate { add_tag => ["alert"] add_field => { "[alert][owner]" => "%{user}" } }
  } else if [level] in ["WARN", "INFO"] {
    mutate { uppercase => ["user"] }
  } else {
    drop { }
  }
  if "alert" not in [tags] and [user] =~ /^B/ {
    mutate { add_field => { "vip" => "true" } }
    mutate { convert => { "vip" => "boolean" } }
  }
  mutate { remove_field => ["@timestamp", "@version", "host"] }
}
output { stdout { codec => json_lines } }
)";
  CliResult r = run({"-w", "1", "-e", config},
              "ERROR|alice|disk full\nINFO|bob|ok\nDEBUG|carol|noise\nWARN|dave|slow\n");
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 3u) << r.out;
  EXPECT_EQ(events[0], json(R"({"message":["ERROR","alice","disk full"],"type":"app",
      "level":"ERROR","user":"alice","tags":["alert"],"alert":{"owner":"alice"}})"));
  EXPECT_EQ(events[1], json(R"({"message":["INFO","bob","ok"],"type":"app",
      "level":"INFO","user":"BOB","vip":true})"));
  EXPECT_EQ(events[2], json(R"({"message":["WARN","dave","slow"],"type":"app",
      "level":"WARN","user":"DAVE"})"));
}

TEST(Cli, EventModelFieldsFromStdin) {
  CliResult r = run({"-w", "1", "-e", "output { stdout { codec => json_lines } }"}, "hello\n\nworld");
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 3u) << r.out;
  const char* messages[] = {"hello", "", "world"};
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  for (size_t i = 0; i < 3; ++i) {
    auto& o = events[i].as_object();
    EXPECT_EQ(o.find("message")->as_string(), messages[i]);
    EXPECT_EQ(o.find("@version")->as_string(), "1");
    EXPECT_EQ(o.find("type")->as_string(), "stdin");  // -e without input: stdin { type => stdin }
    EXPECT_EQ(o.find("host")->as_string(), host);
    ASSERT_TRUE(o.find("@timestamp"));
    // ISO 8601 in UTC: 2026-11-26T04:55:19.123Z, with more digits when the clock has them.
    EXPECT_TRUE(std::regex_match(o.find("@timestamp")->as_string(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.(\d{3}|\d{6}|\d{9})Z)")))
        << o.find("@timestamp")->as_string();
  }
}

TEST(Cli, MetadataIsNeverOutput) {
  CliResult r = run({"-w", "1", "-e",
               "filter { mutate { add_field => { \"[@metadata][index]\" => \"x\" } } "
               "mutate { add_field => { \"copy\" => \"%{[@metadata][index]}\" } } } "
               "output { stdout { codec => json_lines } }"},
              "a\n");
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].as_object().find("copy")->as_string(), "x");
  EXPECT_EQ(events[0].as_object().find("@metadata"), nullptr);
}

TEST(Cli, InvalidUtf8IsWrittenAsValidJson) {
  CliResult r = run({"-w", "1", "-e", "output { stdout { codec => json_lines } }"},
              std::string("ok \xff\xfe end\n", 10));
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].as_object().find("message")->as_string(), "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST(Cli, OversizedMessageIsTruncatedAndTagged) {
  std::string longline(5000, 'x');
  CliResult r = run({"-w", "1", "--pipeline.max_message_bytes", "100", "-e",
               "output { stdout { codec => json_lines } }"},
              longline + "\nshort\n");
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].as_object().find("message")->as_string(), std::string(100, 'x'));
  EXPECT_EQ(events[0].as_object().find("tags")->as_array().at(0).as_string(), "_message_truncated");
  EXPECT_EQ(events[1].as_object().find("message")->as_string(), "short");
  EXPECT_EQ(events[1].as_object().find("tags"), nullptr);
}

TEST(Cli, ConfigTestOk) {
  CliResult r = run({"-t", "-e", "input { stdin {} } filter { mutate { lowercase => [\"a\"] } } output { stdout {} }"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Configuration OK\n");
}

TEST(Cli, ConfigTestReportsEveryErrorWithPositionAndCaret) {
  std::string dir = make_temp_dir("cli");
  std::string path = write_file(dir, "bad.conf",
                                "input { stdin { } }\n"
                                "filter {\n"
                                "  frobnicate { }\n"
                                "  mutate { uppercase => [\"a\"] colour => \"red\" }\n"
                                "  drop { percentage => \"lots\" }\n"
                                "  if [x] =~ /a(b/ { drop {} }\n"
                                "}\n"
                                "output { file { } }\n");
  CliResult r = run({"-t", "-f", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  const std::string& e = r.err;
  EXPECT_NE(e.find(path + ":3:3: unknown filter plugin \"frobnicate\""), std::string::npos) << e;
  EXPECT_NE(e.find("  frobnicate { }\n  ^"), std::string::npos) << e;
  EXPECT_NE(e.find(path + ":4:31: unknown option \"colour\" for filter mutate"), std::string::npos) << e;
  EXPECT_NE(e.find(path + ":5:24: option \"percentage\" of filter drop expects a number"), std::string::npos) << e;
  EXPECT_NE(e.find(path + ":6:13: invalid regular expression /a(b/"), std::string::npos) << e;
  EXPECT_NE(e.find(path + ":8:10: output file is missing required option \"path\""), std::string::npos) << e;
  EXPECT_NE(e.find("Configuration has 5 errors"), std::string::npos) << e;
}

TEST(Cli, PluginsThatWillNotExistAreRefusedSayingWhy) {
  std::string dir = make_temp_dir("cli");
  std::string path = write_file(dir, "refused.conf",
                                "input { twitter { consumer_key => \"k\" } }\n"
                                "filter {\n"
                                "  ruby { code => \"event.set('a', 1)\" }\n"
                                "}\n"
                                "output { stdout { } }\n");
  CliResult r = run({"-t", "-f", path});
  EXPECT_EQ(r.code, 1);
  const std::string& e = r.err;
  EXPECT_NE(e.find(path + ":1:9: input plugin \"twitter\" is not supported by logpipe and will not "
                          "be: it reads Twitter's"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find(path + ":3:3: filter plugin \"ruby\" is not supported by logpipe and will not be: "
                          "it runs Ruby code"),
            std::string::npos)
      << e;
  // The plugin list says what exists and what will not.
  CliResult list = run({"--list-plugins"});
  EXPECT_EQ(list.code, 0);
  EXPECT_NE(list.out.find("filter   grok "), std::string::npos) << list.out;
  size_t refused = list.out.find("Not supported, and not planned:");
  ASSERT_NE(refused, std::string::npos) << list.out;
  EXPECT_NE(list.out.find("filter   ruby ", refused), std::string::npos) << list.out;
}

TEST(Cli, ConfigDebugPrintsTheMergedConfigWithSecretsMasked) {
  std::string dir = make_temp_dir("cli-debug");
  std::string in = write_file(dir, "input.conf", "input { generator { count => 1 } }\n");
  std::string filter = write_file(dir, "filter.conf", "filter { mutate { add_tag => [\"team\"] } }\n");
  std::string out = write_file(dir, "output.conf",
                               "output { elasticsearch { hosts => [\"http://127.0.0.1:1\"] "
                               "password => \"${CLI_DEBUG_PW:hunter2}\" } }\n");
  CliResult r = run({"-t", "--config.debug", "-f", in, "-f", filter, "-f", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("password => \"<masked>\""), std::string::npos) << r.out;
  size_t g = r.out.find("generator {"), m = r.out.find("mutate {"), e = r.out.find("elasticsearch {");
  ASSERT_NE(g, std::string::npos) << r.out;
  ASSERT_NE(m, std::string::npos) << r.out;
  ASSERT_NE(e, std::string::npos) << r.out;
  EXPECT_LT(g, m);
  EXPECT_LT(m, e);
  EXPECT_NE(r.out.find("Configuration OK"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

TEST(Cli, ConfigErrorsAsJsonLinesForMachines) {
  std::string dir = make_temp_dir("cli-json");
  std::string path = write_file(dir, "bad.conf",
                                "input { stdin { } }\nfilter {\n  frobnicate { }\n  drop { percentage => \"lots\" }\n}\n");
  CliResult r = run({"-t", "--log.format", "json", "-f", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  auto lines = json_lines(r.err);
  ASSERT_EQ(lines.size(), 2u) << r.err;
  const logpipe::Object& first = lines[0].as_object();
  EXPECT_EQ(first.find("level")->as_string(), "ERROR");
  EXPECT_EQ(first.find("file")->as_string(), path);
  EXPECT_EQ(first.find("line")->as_int(), 3);
  EXPECT_EQ(first.find("column")->as_int(), 3);
  EXPECT_NE(first.find("message")->as_string().find("unknown filter plugin \"frobnicate\""),
            std::string::npos);
  EXPECT_EQ(lines[1].as_object().find("line")->as_int(), 4);
  // The log itself is JSON lines too.
  CliResult ok = run({"--log.format", "json", "-e", "input { generator { count => 1 } } output { stdout { } }"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  for (auto& line : split_lines(ok.err)) {
    if (line.empty()) continue;
    Value v = json(line);
    ASSERT_TRUE(v.is_object()) << line;
    EXPECT_NE(v.as_object().find("@timestamp"), nullptr) << line;
    EXPECT_NE(v.as_object().find("message"), nullptr) << line;
  }
  EXPECT_EQ(run({"--log.format", "xml", "-t", "-f", path}).code, 2);
}

TEST(Cli, SyntaxErrorStopsBeforeStart) {
  CliResult r = run({"-e", "filter { mutate { add_tag => [\"a\"], remove_tag => [\"b\"] } }"}, "x\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("config string:1:35:"), std::string::npos) << r.err;
}

TEST(Cli, EnvironmentVariables) {
  setenv("LOGPIPE_TEST_TAG", "from-env", 1);
  CliResult ok = run({"-w", "1", "-e",
                "filter { mutate { add_tag => [\"${LOGPIPE_TEST_TAG}\", \"${LOGPIPE_UNSET_X:dflt}\"] } } "
                "output { stdout { codec => json_lines } }"},
               "a\n");
  ASSERT_EQ(ok.code, 0) << ok.err;
  auto events = json_lines(ok.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].as_object().find("tags")->to_string(), "from-env,dflt");

  CliResult bad = run({"-t", "-e", "filter { mutate { add_tag => [\"${LOGPIPE_UNSET_Y}\"] } }"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("LOGPIPE_UNSET_Y"), std::string::npos) << bad.err;
}

TEST(Cli, DirectoryOfFragmentsInLexicalOrder) {
  std::string dir = make_temp_dir("cli");
  write_file(dir, "20-filter.conf", "filter { mutate { add_tag => [\"second\"] } }\n");
  write_file(dir, "10-filter.conf", "filter { mutate { add_tag => [\"first\"] } }\n");
  write_file(dir, "30-output.conf", "output { stdout { codec => json_lines } }\n");
  write_file(dir, "00-input.conf", "input { stdin { } }\n");
  CliResult r = run({"-w", "1", "-f", dir}, "x\n");
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].as_object().find("tags")->to_string(), "first,second");
}

TEST(Cli, GeneratorToFileDeliversEveryEvent) {
  std::string dir = make_temp_dir("cli");
  std::string out = dir + "/out-%{+yyyy}.log";
  CliResult r = run({"-w", "2", "-b", "50", "--path.data", dir + "/data", "-e",
               "input { generator { count => 10000 lines => [\"a\", \"b\"] } } "
               "output { file { path => \"" + out + "\" } }"});
  ASSERT_EQ(r.code, 0) << r.err;
  // The one file named after the current UTC year.
  std::string text;
  for (int year = 2020; year < 2100 && text.empty(); ++year)
    text = read_text_file(dir + "/out-" + std::to_string(year) + ".log");
  auto events = json_lines(text);
  ASSERT_EQ(events.size(), 20000u);
  std::vector<int> seen(10000, 0);
  for (auto& e : events) seen[static_cast<size_t>(e.as_object().find("sequence")->as_int())]++;
  for (int n : seen) ASSERT_EQ(n, 2);
}

// Plugins are built once while the config is checked and again per worker:
// a warning about the configuration must still appear once.
TEST(Cli, ConfigurationWarningsAppearOnceWhateverTheWorkers) {
  std::string dir = make_temp_dir("cli");
  CliResult r = run({"-w", "3", "--path.data", dir + "/data", "-e",
                     "input { generator { count => 10 threads => 2 } } "
                     "filter { date { match => [\"t\", \"ISO8601\"] locale => \"de\" } } "
                     "output { file { path => \"" + dir + "/out.log\" } }"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = r.err.find(needle); at != std::string::npos; at = r.err.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("threads > 1 is accepted"), 1u) << r.err;
  EXPECT_EQ(count("locale \"de\" is read with English"), 1u) << r.err;
}

TEST(Cli, HelpPluginComesFromTheDeclarations) {
  CliResult r = run({"--help-plugin", "mutate"});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("filter mutate"), std::string::npos);
  EXPECT_NE(r.out.find("tag_on_failure (string, default \"_mutate_error\")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("add_field (hash"), std::string::npos);
}

TEST(Cli, GeneratedOptionReferenceIsUpToDate) {
  CliResult r = run({"--plugin-docs"});
  ASSERT_EQ(r.code, 0);
  std::string committed = read_text_file(std::string(LOGPIPE_SOURCE_DIR) + "/docs/plugins.md");
  EXPECT_TRUE(committed == r.out)
      << "docs/plugins.md is stale: regenerate with build/release/logpipe --plugin-docs > docs/plugins.md";
}

TEST(Cli, DemoConfigIsValid) {
  setenv("LOGPIPE_HOME", LOGPIPE_SOURCE_DIR, 1);
  CliResult r = run({"-t", "-f", std::string(LOGPIPE_SOURCE_DIR) + "/conf/demo.conf"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Configuration OK\n");
}


TEST(Cli, StdinWithTheJsonCodecGivesOneEventPerLine) {
  // Logstash turns json into json_lines on streaming inputs.
  CliResult r = run({"-e", "input { stdin { codec => json } } output { stdout { codec => json_lines } }"},
                    "{\"a\":1}\n{\"a\":2}\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
  EXPECT_NE(r.out.find("\"a\":1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"a\":2"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("_jsonparsefailure"), std::string::npos) << r.out;
}

TEST(Cli, StdinAndFileInputsGiveEcsNamesInV8Mode) {
  CliResult r = run({"-e", "input { stdin { ecs_compatibility => v8 } } output { stdout { codec => json_lines } }"},
                    "one line\n");
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 1u) << r.out;
  const logpipe::Object& e = events[0].as_object();
  ASSERT_TRUE(e.find("host") && e.find("host")->is_object()) << r.out;
  EXPECT_NE(e.find("host")->as_object().find("hostname"), nullptr) << r.out;
  EXPECT_EQ(e.find("event")->as_object().find("original")->as_string(), "one line") << r.out;

  std::string dir = make_temp_dir("cli-ecs");
  std::string log = write_file(dir, "app.log", "a\nb\n");
  CliResult f = run({"--path.data", dir + "/data", "-e",
                     "input { file { path => \"" + log + "\" mode => read exit_after_read => true "
                     "ecs_compatibility => v1 sincedb_path => \"/dev/null\" } } "
                     "output { stdout { codec => json_lines } }"});
  ASSERT_EQ(f.code, 0) << f.err;
  auto lines = json_lines(f.out);
  ASSERT_EQ(lines.size(), 2u) << f.out;
  const logpipe::Object& l = lines[0].as_object();
  EXPECT_EQ(l.find("log")->as_object().find("file")->as_object().find("path")->as_string(), log);
  EXPECT_NE(l.find("host")->as_object().find("name"), nullptr) << f.out;
  EXPECT_EQ(l.find("path"), nullptr) << f.out;
}

TEST(Cli, AnInputThatCannotStartMakesTheRunFail) {
  // Hold a port so that the syslog input cannot listen on it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));
  CliResult r = run({"-e", "input { syslog { port => " + port + " } } output { stdout { } }"});
  ::close(fd);
  EXPECT_EQ(r.code, 1) << "a supervisor must see the failure; stderr: " << r.err;
  EXPECT_NE(r.err.find("syslog_1"), std::string::npos) << r.err;
}

TEST(Cli, ADrainPastTheShutdownTimeoutExitsOneAndSaysWhatWasNotDelivered) {
  // stdout is /dev/full: every write fails, the output is retried until the deadline.
  std::string cmd = std::string("exec ") + LOGPIPE_BINARY +
                    " --pipeline.shutdown_timeout 1s -e 'input { generator { count => 10 } } "
                    "output { stdout { codec => json_lines } }' > /dev/full";
  Subprocess p({"/bin/sh", "-c", cmd});
  p.close_stdin();
  auto began = std::chrono::steady_clock::now();
  int code = p.finish(60);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  EXPECT_EQ(code, 1) << p.err();
  EXPECT_LT(seconds, 30) << "the drain deadline must end the run";
  EXPECT_NE(p.err().find("10 event(s) not delivered"), std::string::npos) << p.err();
}

// pipeline.ecs_compatibility is the ecs_compatibility of every plugin that
// does not set its own, as in Logstash (whose 8.x default is v8).
TEST(Cli, PipelineEcsCompatibilityIsEveryPluginsDefault) {
  const std::string config =
      "input { generator { count => 1 } generator { count => 1 ecs_compatibility => disabled message => \"own\" } } "
      "output { stdout { codec => json_lines } }";
  CliResult v8 = run({"-w", "1", "--pipeline.ecs_compatibility", "v8", "-e", config});
  ASSERT_EQ(v8.code, 0) << v8.err;
  auto events = json_lines(v8.out);
  ASSERT_EQ(events.size(), 2u) << v8.out;
  for (const auto& e : events) {
    const Object& o = e.as_object();
    bool own = o.find("message")->as_string() == "own";
    EXPECT_EQ(o.find("sequence") != nullptr, own) << to_json(e);
    const Value* event = o.find("event");
    EXPECT_EQ(event && event->as_object().find("sequence"), !own) << to_json(e);
    // The codec, which sets no ecs_compatibility of its own, follows the
    // pipeline even under a generator that sets it: [event][original].
    EXPECT_TRUE(event && event->as_object().find("original")) << to_json(e);
  }
  CliResult plain = run({"-w", "1", "-e", config});
  ASSERT_EQ(plain.code, 0) << plain.err;
  for (const auto& e : json_lines(plain.out)) EXPECT_NE(e.as_object().find("sequence"), nullptr) << to_json(e);
  CliResult bad = run({"--pipeline.ecs_compatibility", "v9", "-e", config});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("pipeline.ecs_compatibility"), std::string::npos) << bad.err;
}
