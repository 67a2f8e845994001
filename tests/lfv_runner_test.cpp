// logpipe test: LFV case files parsed, run through the filters, compared, and
// reported as text and JUnit XML; through the real binary with LFV's own data.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <cstdlib>

#include "engine/config/compiler.h"
#include "engine/testing/lfv_config.h"
#include "engine/testing/lfv_runner.h"
#include "engine/text/json_writer.h"
#include "tests/subprocess.h"

using namespace logpipe;
using logpipe::testing::Subprocess;

namespace {

const std::string kData = std::string(LOGPIPE_SOURCE_DIR) + "/tests/data/lfv/";

LfvSetResult run_case(const std::string& filter, const std::string& name, const std::string& text) {
  std::vector<config::SourceFile> sources{config::SourceFile{"f.conf", filter}};
  LfvRunner runner(load_lfv_test_pipeline(sources, ""));
  return runner.run(parse_lfv_case_set(name, text));
}

struct BinaryRun {
  int code;
  std::string out, err;
};

BinaryRun run_binary(const std::vector<std::string>& args) {
  std::vector<std::string> argv{LOGPIPE_BINARY, "test"};
  argv.insert(argv.end(), args.begin(), args.end());
  Subprocess p(argv);
  p.close_stdin();
  int code = p.finish();
  return {code, p.out(), p.err()};
}

}  // namespace

TEST(LfvCases, YamlScalarsBracketKeysAndDefaults) {
  LfvCaseSet s = parse_lfv_case_set("a.yaml", R"(
fields: {"[log][path]": x, n: 5}
testcases:
  - input: ["a"]
    expected: [{ok: yes, q: "yes", f: 1.5, "[a][b]": ~}]
)");
  EXPECT_EQ(s.codec, "line");
  EXPECT_EQ(s.ignore, std::vector<std::string>{"@version"});
  EXPECT_EQ(to_json(Value(s.fields)), R"({"log":{"path":"x"},"n":5})");
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(to_json(s.cases[0].expected[0]), R"({"ok":true,"q":"yes","f":1.5,"a":{"b":null}})");
  EXPECT_THROW(parse_lfv_case_set("a.txt", "{}"), LfvCaseError);
  EXPECT_THROW(parse_lfv_case_set("a.json", R"({"fields": null})"), LfvCaseError);
}

TEST(LfvCases, JsonKeysCaseInsensitiveAndLegacyFlatForm) {
  LfvCaseSet s = parse_lfv_case_set("a.json", R"({"Input": ["x"], "EXPECTED": [{"message": "x"}],
    "testcases": [{"input": ["y"], "expected": [], "description": "d"}]})");
  ASSERT_EQ(s.cases.size(), 2u);
  EXPECT_EQ(s.cases[0].input, std::vector<std::string>{"x"});
  EXPECT_EQ(s.cases[1].description, "d");
}

TEST(LfvRunner, StandaloneFieldsAreAddFieldStringsAndIgnoreRemovesPaths) {
  auto r = run_case("filter { mutate { add_field => { \"[a][b]\" => \"1\" \"[a][c]\" => \"2\" } } }", "c.json",
                    R"({"fields": {"n": 7}, "ignore": ["@timestamp", "[a][c]"],
                        "testcases": [{"input": ["m"], "expected": [{"message": "m", "n": "7", "a": {"b": "1"}}]}]})");
  EXPECT_TRUE(r.passed()) << (r.cases.empty() || r.cases[0].failures.empty() ? r.set_failure : r.cases[0].failures[0]);
}

TEST(LfvRunner, FailureShowsFieldByFieldDiff) {
  auto r = run_case("filter { mutate { add_tag => [\"t\"] } }", "c.json",
                    R"({"ignore": ["@timestamp"], "testcases": [{"input": ["m"], "expected": [{"message": "m", "n": 1}]}]})");
  ASSERT_FALSE(r.passed());
  ASSERT_EQ(r.cases[0].failures.size(), 1u);
  EXPECT_EQ(r.cases[0].failures[0],
            "  event 1 differs:\n"
            "    n:\n      - expected: 1\n      + actual:   (missing)\n"
            "    tags:\n      - expected: (missing)\n      + actual:   [\"t\"]\n");
}

TEST(LfvRunner, CountMismatchFailsTheFileAndDropIsHonoured) {
  auto r = run_case("filter { if [message] =~ /drop/ { drop {} } }", "c.json",
                    R"({"ignore": ["@timestamp"], "testcases": [{"input": ["a", "drop me"], "expected": [{"message": "a"}, {"message": "b"}]}]})");
  EXPECT_EQ(r.set_failure, "expected 2 events, got 1");
  auto ok = run_case("filter { if [message] =~ /drop/ { drop {} } }", "c.json",
                     R"({"ignore": ["@timestamp"], "testcases": [{"input": ["a", "drop me"], "expected": [{"message": "a"}]}]})");
  EXPECT_TRUE(ok.passed());
}

TEST(LfvRunner, JunitXmlCounts) {
  auto pass = run_case("filter { }", "p.json", R"({"ignore": ["@timestamp"], "testcases": [{"input": ["a"], "expected": [{"message": "a"}]}]})");
  auto fail = run_case("filter { }", "f.json", R"({"ignore": ["@timestamp"], "testcases": [{"input": ["a"], "expected": [{"message": "<b>"}]}]})");
  std::string xml = lfv_junit_xml({pass, fail});
  EXPECT_NE(xml.find("<testsuites name=\"logpipe test\" tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("&lt;b&gt;"), std::string::npos);
}

TEST(LfvBinary, LfvDaemonAndStandaloneFilesPassAndJunitParses) {
  std::string junit = ::testing::TempDir() + "/lfv_junit.xml";
  BinaryRun r = run_binary({"-f", kData + "basic_logstash_config_file.conf", "--junit", junit,
                      kData + "basic_daemon.json", kData + "standalone.yaml", kData + "failing.json"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("PASS " + kData + "basic_daemon.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL " + kData + "failing.json: wrong tag"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 passed, 1 failed, 3 files"), std::string::npos) << r.out;
  std::string cmd = "python3 -c \"import xml.etree.ElementTree as E,sys; r=E.parse('" + junit +
                    "').getroot(); sys.exit(0 if (r.tag, r.get('tests'), r.get('failures'), len(r.findall('testsuite/testcase/failure'))) == ('testsuites', '3', '1', 1) else 1)\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(LfvBinary, DropCaseFromLfvPassesAndConfigErrorsExitTwo) {
  BinaryRun ok = run_binary({"-f", kData + "drop.conf", kData + "drop.json"});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  // LFV's config with a split filter runs the same case.
  BinaryRun split = run_binary({"-f", kData + "drop_and_split.conf", kData + "drop.json"});
  EXPECT_EQ(split.code, 0) << split.out << split.err;
  // A config error is exit 2, with file:line:column first.
  const std::string broken = ::testing::TempDir() + "/lfv_broken.conf";
  std::ofstream(broken) << "input { stdin { id => \"stdin\" } }\nfilter {\n    frobnicate { }\n}\n";
  BinaryRun bad = run_binary({"-f", broken, kData + "drop.json"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find(broken + ":3:5:"), std::string::npos) << bad.err;
  EXPECT_EQ(run_binary({"-f", kData + "drop.conf"}).code, 2);
}

TEST(LfvRunner, DaemonFieldsKeepTypesAndPlainCodecAddsNoNewline) {
  std::vector<config::SourceFile> sources{config::SourceFile{
      "f.conf", "input { generator { id => \"in\" } } filter { mutate { add_tag => [\"__lfv_x\"] } } output { stdout {} }"}};
  LfvRunner runner(load_lfv_test_pipeline(sources, ""));
  auto r = runner.run(parse_lfv_case_set("d.json", R"({"input_plugin": "in", "fields": {"n": 7, "t": "x"},
      "ignore": ["@timestamp"], "testcases": [{"input": ["m"], "fields": {"t": "y"}, "expected": [{"message": "m", "n": 7, "t": "y"}]}]})"));
  EXPECT_TRUE(r.passed()) << r.set_failure << (r.cases[0].failures.empty() ? "" : r.cases[0].failures[0]);
  EXPECT_THROW(runner.run(parse_lfv_case_set("d.json", R"({"input_plugin": "nope"})")), LfvCaseError);
}

TEST(LfvRunner, JsonLinesInputIsOneLineWithBracketKeysExpanded) {
  auto r = run_case("filter { }", "j.yaml", R"(
codec: json_lines
ignore: ["@timestamp"]
testcases:
  - input:
      - >
        {"[a][b]": 1,
         "c": "x"}
    expected: [{a: {b: 1}, c: x}]
)");
  EXPECT_TRUE(r.passed()) << r.set_failure << (r.cases[0].failures.empty() ? "" : r.cases[0].failures[0]);
  EXPECT_THROW(run_case("filter { }", "j.json", R"({"codec": "json_lines", "testcases": [{"input": ["[1]"]}]})"),
               LfvCaseError);
}

namespace {

const std::string kUpstream = kData + "upstream/";

// `-f` for every .conf under the case's directory, sorted, as its
// pipelines.yml (`path.config: "<case>/**/*.conf"`) names them.
std::vector<std::string> upstream_config_args(const std::string& name) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kUpstream + name))
    if (e.is_regular_file() && e.path().extension() == ".conf") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> args;
  for (const auto& f : files) {
    args.push_back("-f");
    args.push_back(f);
  }
  return args;
}

BinaryRun run_upstream(const std::string& name, bool with_mock = false, const std::string& ecs = "") {
  std::vector<std::string> args = upstream_config_args(name);
  if (!ecs.empty()) args.insert(args.end(), {"--pipeline.ecs_compatibility", ecs});
  if (with_mock) {
    args.push_back("--plugin-mock");
    args.push_back(kUpstream + "mocks/" + name + ".yml");
  }
  args.push_back(kUpstream + "testcases/" + name);
  return run_binary(args);
}

}  // namespace

class LfvUpstream : public ::testing::TestWithParam<const char*> {};

// Inputs replaced (their options and unknown plugins such as `pipeline`
// never matter), outputs set aside, type/add_field/tags of the input kept,
// testcase fields under @metadata, plain codec when none is written.
TEST_P(LfvUpstream, CasePasses) {
  BinaryRun r = run_upstream(GetParam());
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(" 0 failed"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(LfvIntegrationData, LfvUpstream,
                         ::testing::Values("basic_logstash_config_dir", "basic_pipeline", "conditional_output",
                                           "issue_155", "issue_166", "issue_175", "pipeline_to_pipeline",
                                           "testcases_event", "codec_version_7_test", "issue_150", "issue_150a"));

// LFV's case for Logstash 8, whose plugins default to ECS v8.
TEST(LfvUpstream, Logstash8CaseUnderPipelineEcsV8) {
  BinaryRun v8 = run_upstream("codec_version_8_test", false, "v8");
  EXPECT_EQ(v8.code, 0) << v8.out << v8.err;
  EXPECT_EQ(run_upstream("codec_version_8_test").code, 1);
}

TEST(LfvUpstreamMocks, FilterAndInputOutputMocksApply) {
  BinaryRun filter = run_upstream("filtermock", true);
  EXPECT_EQ(filter.code, 0) << filter.out << filter.err;
  // Without the mocks the same cases fail: the mocked filter's value shows.
  BinaryRun unmocked = run_upstream("filtermock");
  EXPECT_EQ(unmocked.code, 1) << unmocked.out;
  EXPECT_NE(unmocked.out.find("\"not mocket\""), std::string::npos) << unmocked.out;
  BinaryRun io = run_upstream("inputoutputmock", true);
  EXPECT_EQ(io.code, 0) << io.out << io.err;
}

TEST(LfvUpstreamMocks, MockErrorsPointIntoTheMockFile) {
  const std::string mocks = ::testing::TempDir() + "/lfv_bad_mocks.yml";
  std::ofstream(mocks) << "- id: mockme\n  mock: |\n    mutate { frobnicate => 1 }\n";
  std::vector<std::string> args = upstream_config_args("filtermock");
  args.insert(args.end(), {"--plugin-mock", mocks, kUpstream + "testcases/filtermock"});
  BinaryRun r = run_binary(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(mocks + ": mock mockme:2:"), std::string::npos) << r.err;
  std::ofstream(mocks, std::ios::trunc) << "- mock: x\n";
  args[args.size() - 2] = mocks;
  BinaryRun no_id = run_binary(args);
  EXPECT_EQ(no_id.code, 2);
  EXPECT_NE(no_id.err.find("an entry needs an id"), std::string::npos) << no_id.err;
}

// What logpipe deliberately does not reproduce (README of the data): the
// quoting of Logstash's generated config, pipelines fed by pipeline outputs,
// and Logstash's reordering at a conditional.
TEST(LfvUpstreamKnownDifferences, QuotingPipelinesAndOrderAtConditionals) {
  BinaryRun quotes = run_upstream("special_chars");
  EXPECT_EQ(quotes.code, 1);
  EXPECT_EQ(quotes.out.find("expected 7 events"), std::string::npos) << quotes.out;
  EXPECT_NE(quotes.out.find("event 4 differs"), std::string::npos) << quotes.out;
  EXPECT_EQ(quotes.out.find("event 1 differs"), std::string::npos) << quotes.out;
  BinaryRun outputs = run_upstream("multiple_parallel_outputs");
  EXPECT_EQ(outputs.code, 1);
  EXPECT_NE(outputs.out.find("expected 8 events, got 10"), std::string::npos) << outputs.out;
  BinaryRun order = run_upstream("issue_153");
  EXPECT_EQ(order.code, 1);
  EXPECT_NE(order.out.find("expected: \"nope\"\n      + actual:   \"yep\""), std::string::npos) << order.out;
}

// Daemon mode returns an event once per output it reaches, ordered by
// output id, and export_outputs names the output.
TEST(LfvRunner, DaemonEventsPerOutputReached) {
  std::vector<config::SourceFile> sources{config::SourceFile{"f.conf", R"(
    input { stdin { id => "in" } }
    filter { clone { clones => ["copy"] } }
    output {
      if [type] == "copy" { tcp { id => "b_copies" host => "x" port => 1 } }
      stdout { id => "a_all" }
      if [nope] { stdout { id => "c_none" } }
    })"}};
  LfvRunner runner(load_lfv_test_pipeline(sources, ""));
  auto r = runner.run(parse_lfv_case_set("d.json", R"({"input_plugin": "in", "export_outputs": true,
      "ignore": ["@timestamp", "message"], "testcases": [{"input": ["m"], "expected": [
        {"__lfv_out_passed": "a_all"}, {"__lfv_out_passed": "a_all", "type": "copy"},
        {"__lfv_out_passed": "b_copies", "type": "copy"}]}]})"));
  EXPECT_TRUE(r.passed()) << r.set_failure << (r.cases[0].failures.empty() ? "" : r.cases[0].failures[0]);
}

// LFV's standalone format as its README shows it, JSON and YAML.
TEST(LfvUpstream, ReadmeStandaloneSamplesPass) {
  const std::string dir = kData + "readme/";
  BinaryRun r = run_binary({"-f", dir + "json_messages.conf", dir + "json_messages.json", dir + "json_messages.yaml"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 passed, 0 failed, 2 files"), std::string::npos) << r.out;
}
