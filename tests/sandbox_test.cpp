// `logpipe sandbox` through the real binary: a team's filter config over
// sample lines, with the inputs and outputs of the config set aside.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/text/json_reader.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

namespace fs = std::filesystem;

class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sandbox_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  struct Result {
    int code;
    std::string out, err;
  };
  Result run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {LOGPIPE_BINARY, "sandbox"});
    testing::Subprocess p(args);
    p.write_stdin(input);
    p.close_stdin();
    int code = p.finish();
    return {code, p.out(), p.err()};
  }

  fs::path dir_;
};

// Inputs and outputs a deploy would replace: the sandbox must not start them.
const char* kConfig = R"(
input { kafka { bootstrap_servers => "127.0.0.1:1" topics => ["logs"] } }
filter {
  grok {
    id => "access"
    match => { "message" => ["%{IP:client} %{WORD:verb} %{INT:status:int}", "%{IP:client} ping"] }
  }
  if [verb] == "GET" { mutate { add_tag => ["read"] } }
}
output { elasticsearch { hosts => ["http://127.0.0.1:1"] } }
)";

const char* kLines = "10.0.0.1 GET 200\n10.0.0.2 ping\n10.0.0.3 GET abc\n";

TEST_F(Sandbox, EventsMatchedPatternsDiagnosisAndSummary) {
  std::string config = write("filter.conf", kConfig);
  std::string sample = write("sample.log", kLines);
  Result r = run({"-f", config, "--color=never", sample});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("event 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  client = 10.0.0.1\n  verb = GET\n  status = 200\n  tags = [\"read\"]\n"
                       "  grok access: matched [message] with pattern 1 "
                       "%{IP:client} %{WORD:verb} %{INT:status:int}\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("grok access: matched [message] with pattern 2 %{IP:client} ping\n"),
            std::string::npos);
  // The third line: every pattern failed; the furthest is shown first.
  EXPECT_NE(r.out.find("  tags = [\"_grokparsefailure\"]\n  grok access: [message]\n"
                       "    no match (2 patterns, furthest first)\n"
                       "    pattern %{IP:client} %{WORD:verb} %{INT:status:int}\n"
                       "      matched  %{IP:client} %{WORD:verb} \n"
                       "      failed   %{INT:status:int} at offset 13\n"
                       "      10.0.0.3 GET abc\n"
                       "                   ^\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("summary: events in 3, out 3\n  _grokparsefailure 1\n"), std::string::npos);
  EXPECT_NE(r.out.find("  filter access ("), std::string::npos);
  EXPECT_NE(r.out.find("us/event over 3 events"), std::string::npos);
  EXPECT_EQ(r.out.find("\033["), std::string::npos);
}

TEST_F(Sandbox, JsonParsesBack) {
  std::string config = write("filter.conf", kConfig);
  Result r = run({"-f", config, "--json"}, kLines);  // stdin
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<Value> lines;
  for (auto& line : testing::split_lines(r.out)) {
    Value v;
    std::string error;
    ASSERT_TRUE(parse_json(line, &v, &error)) << line << ": " << error;
    lines.push_back(std::move(v));
  }
  ASSERT_EQ(lines.size(), 4u) << r.out;
  const Object& first = lines[0].as_object();
  EXPECT_EQ(first.find("event")->as_object().find("status")->as_int(), 200);
  const Object& trace = first.find("grok")->as_array()[0].as_object();
  EXPECT_EQ(trace.find("filter")->as_string(), "access");
  EXPECT_EQ(trace.find("pattern_index")->as_int(), 0);

  const Object& failed = lines[2].as_object();
  const Object& report = failed.find("grok")->as_array()[0].as_object();
  EXPECT_FALSE(report.find("matched")->as_bool());
  EXPECT_EQ(report.find("text")->as_string(), "10.0.0.3 GET abc");
  const Object& best = report.find("failures")->as_array()[0].as_object();
  EXPECT_EQ(best.find("stop")->as_int(), 13);
  EXPECT_EQ(best.find("failed_part")->as_string(), "%{INT:status:int}");

  const Object& summary = lines[3].as_object().find("summary")->as_object();
  EXPECT_EQ(summary.find("events_in")->as_int(), 3);
  EXPECT_EQ(summary.find("events_out")->as_int(), 3);
  EXPECT_EQ(summary.find("failures")->as_object().find("_grokparsefailure")->as_int(), 1);
  ASSERT_EQ(summary.find("filters")->as_array().size(), 2u);  // grok, mutate
}

TEST_F(Sandbox, DroppedEventsAndTheJsonLinesCodec) {
  std::string config = write("filter.conf", R"(
filter {
  if [level] == "debug" { drop { } }
  date { match => ["at", "ISO8601"] }
}
)");
  Result r = run({"-f", config, "--codec", "json_lines", "--json"},
                 "{\"level\":\"debug\"}\n{\"level\":\"info\",\"at\":\"nope\"}\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("level":"info")"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(R"("level":"debug")"), std::string::npos);
  EXPECT_NE(r.out.find(R"("events_in":2,"events_out":1,"failures":{"_dateparsefailure":1})"),
            std::string::npos)
      << r.out;
}

TEST_F(Sandbox, ConfigErrorsAreReportedWithTheirPlace) {
  std::string config =
      write("bad.conf", "filter {\n  grok { match => { \"message\" => \"%{NOPE:x}\" } }\n}\n");
  Result r = run({"-f", config}, "x\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.conf:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("%{NOPE} not defined"), std::string::npos) << r.err;
}

TEST_F(Sandbox, WatchRunsAgainWhenTheConfigChanges) {
  std::string config = write("filter.conf", R"(filter { mutate { add_tag => ["first"] } })");
  std::string sample = write("sample.log", "hello\n");
  std::string out = (dir_ / "out.txt").string();
  testing::Subprocess p({"/bin/sh", "-c",
                         std::string("exec ") + LOGPIPE_BINARY +
                             " sandbox --watch --color=never -f " + config + " " + sample + " > " +
                             out + " 2>&1"});
  auto wait_for = [&](const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (testing::read_text_file(out).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  ASSERT_TRUE(wait_for("tags = [\"first\"]")) << testing::read_text_file(out);
  write("filter.conf", R"(filter { mutate { add_tag => ["second", "changed"] } })");
  EXPECT_TRUE(wait_for("tags = [\"second\",\"changed\"]")) << testing::read_text_file(out);
  EXPECT_NE(testing::read_text_file(out).find("--- changed, running again ---"), std::string::npos);
  p.signal(SIGTERM);
  p.finish();
}

}  // namespace
}  // namespace logpipe
