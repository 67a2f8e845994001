// GrokDiagnoser: where a line stops matching, and which part failed there.
#include "filters/grok/grok_diagnosis.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace logpipe {
namespace {

std::shared_ptr<const PatternLibrary> library(const char* set) {
  auto lib = std::make_shared<PatternLibrary>();
  lib->add_builtin(builtin_pattern_files(), set);
  lib->add("MYKEY", "[a-z]+=%{INT}");
  return lib;
}

struct StopCase {
  const char* set;  // legacy or ecs-v1
  const char* expression;
  const char* line;
  const char* stops_before;  // the text of the line from the stop on
  const char* failed_part;   // the part that could not match there
};

const StopCase kStops[] = {
    {"legacy", "%{COMBINEDAPACHELOG}",
     R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" abc 2326 "-" "curl")",
     R"(abc 2326 "-" "curl")", "(?:-|%{NUMBER:response})"},
    {"ecs-v1", "%{COMBINEDAPACHELOG}",
     R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" abc 2326 "-" "curl")",
     R"(abc 2326 "-" "curl")", "(?:-|%{INT:[http][response][status_code]:int})"},
    {"legacy", "%{SYSLOGLINE}", "Foo 32 25:61:00 myhost sshd[12]: accepted",
     "Foo 32 25:61:00 myhost sshd[12]: accepted",
     "(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp8601})"},
    // A literal mismatch: " - " expected, " + " found.
    {"legacy", "%{IP:client} - %{WORD:user}", "10.0.0.1 + bob", " + bob", " - "},
    // Unanchored: the furthest-reaching start need not be the line's start.
    {"legacy", "user=%{WORD:user} id=%{INT:id}", "junk user=bob id=x", "x", "%{INT:id}"},
    // A quantified group is one part with its quantifier.
    {"legacy", "%{WORD:a}(?: %{INT:n})+ end", "go 1 2 3 stop", " stop", " end"},
    // Descends through a pattern of the library into its own parts.
    {"legacy", "%{MYKEY:kv}!", "abc=12x!", "x!", "!"},
    {"legacy", "%{MYKEY:kv}", "abc=x", "x", "%{INT}"},
};

TEST(GrokDiagnosis, ReportsWhereMatchingStoppedAndThePartThatFailed) {
  for (const StopCase& c : kStops) {
    SCOPED_TRACE(std::string(c.set) + " " + c.expression + " on " + c.line);
    GrokDiagnoser diagnoser(library(c.set), true, c.expression);
    GrokDiagnosis d = diagnoser.diagnose(c.line);
    ASSERT_FALSE(d.matched);
    std::string line = c.line;
    EXPECT_EQ(line.substr(d.stop), c.stops_before);
    ASSERT_NE(d.failed_part(), nullptr);
    EXPECT_EQ(d.failed_part()->text, c.failed_part);
  }
}

TEST(GrokDiagnosis, NamesTheReferencesItDescendedInto) {
  GrokDiagnoser diagnoser(library("legacy"), true, "%{COMBINEDAPACHELOG}");
  GrokDiagnosis d = diagnoser.diagnose(
      R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" abc 1 "-" "c")");
  EXPECT_EQ(d.within, (std::vector<std::string>{"COMBINEDAPACHELOG", "HTTPD_COMBINEDLOG",
                                                "HTTPD_COMMONLOG"}));
  EXPECT_EQ(d.match_begin, 0u);
  // Every part before the failed one is a part of HTTPD_COMMONLOG.
  ASSERT_GE(d.parts_matched, 2u);
  EXPECT_EQ(d.parts[0].text, "%{IPORHOST:clientip}");
  EXPECT_EQ(d.parts[d.parts_matched - 1].text, "\" ");
}

TEST(GrokDiagnosis, StartOfTheFurthestPrefixIsReported) {
  GrokDiagnoser diagnoser(library("legacy"), true, "user=%{WORD:user} id=%{INT:id}");
  GrokDiagnosis d = diagnoser.diagnose("junk user=bob id=x");
  EXPECT_EQ(d.match_begin, 5u);
  EXPECT_EQ(d.stop, 17u);
  EXPECT_EQ(d.parts_matched, 3u);
}

TEST(GrokDiagnosis, AMatchGivesTheCapturesWithTheirSpans) {
  GrokDiagnoser diagnoser(library("legacy"), true, "%{IP:client} %{WORD:verb} (?<rest>.*)");
  std::string line = "x 10.0.0.1 GET /index";
  GrokDiagnosis d = diagnoser.diagnose(line);
  ASSERT_TRUE(d.matched);
  ASSERT_EQ(d.captures.size(), 3u);
  EXPECT_EQ(d.captures[0].field, "client");
  EXPECT_EQ(line.substr(d.captures[0].begin, d.captures[0].end - d.captures[0].begin), "10.0.0.1");
  EXPECT_EQ(d.captures[1].field, "verb");
  EXPECT_EQ(d.captures[1].begin, 11u);
  EXPECT_EQ(d.captures[2].field, "rest");
  EXPECT_EQ(line.substr(d.captures[2].begin), "/index");
}

TEST(GrokDiagnosis, FullyMatchingSyslogLine) {
  GrokDiagnoser diagnoser(library("legacy"), true, "%{SYSLOGLINE}");
  GrokDiagnosis d = diagnoser.diagnose("Mar  1 10:00:00 myhost sshd[12]: accepted");
  ASSERT_TRUE(d.matched);
  bool saw_program = false;
  for (auto& c : d.captures) saw_program |= c.field == "program" && c.participated;
  EXPECT_TRUE(saw_program);
}

TEST(GrokDiagnosis, SplitsAtTopLevelOnly) {
  auto parts = split_grok_parts(R"(%{IP:ip} \[(?<t>[^\]]+)\]+ (?:a|b){2,3}? [(]x%{WORD})");
  std::vector<std::string> texts;
  for (auto& p : parts) texts.push_back(p.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"%{IP:ip}", " \\[", "(?<t>[^\\]]+)", "\\]+ ",
                                             "(?:a|b){2,3}?", " [(]x", "%{WORD}"}));
  EXPECT_EQ(parts[0].kind, GrokPart::Kind::Reference);
  EXPECT_EQ(parts[1].kind, GrokPart::Kind::Literal);
  EXPECT_EQ(parts[2].kind, GrokPart::Kind::Group);
  // A top-level alternation cannot be cut into prefixes.
  EXPECT_EQ(split_grok_parts("%{INT}|%{WORD} x").size(), 1u);
}

TEST(GrokDiagnosis, ExplainsTheEngine) {
  GrokDiagnoser plain(library("legacy"), true, "%{WORD:w}");
  EXPECT_NE(plain.engine_explanation().find("RE2 decides"), std::string::npos);
  GrokDiagnoser atomic(library("legacy"), true, "(?>a+)b");
  EXPECT_NE(atomic.engine_explanation().find("PCRE2 judges"), std::string::npos);
}

TEST(GrokDiagnosis, UndefinedPatternThrows) {
  EXPECT_THROW(GrokDiagnoser(library("legacy"), true, "%{NOPE:x}"), GrokUndefinedPattern);
}

}  // namespace
}  // namespace logpipe

// `logpipe grok` through the real binary.
#include "engine/text/json_reader.h"
#include "tests/subprocess.h"

namespace logpipe {
namespace {

struct GrokRun {
  int code;
  std::string out, err;
};

GrokRun run_grok(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), {LOGPIPE_BINARY, "grok"});
  testing::Subprocess p(args);
  p.write_stdin(input);
  p.close_stdin();
  int code = p.finish();
  return {code, p.out(), p.err()};
}

std::vector<Value> json_lines(const std::string& out) {
  std::vector<Value> values;
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    std::string line = out.substr(start, nl - start);
    start = nl == std::string::npos ? out.size() : nl + 1;
    Value v;
    std::string error;
    EXPECT_TRUE(parse_json(line, &v, &error)) << line << ": " << error;
    values.push_back(std::move(v));
  }
  return values;
}

TEST(GrokCommand, PrintsCapturesOrACaretUnderWhereMatchingStopped) {
  GrokRun r = run_grok({"--color=never", "%{IP:client} - %{WORD:user} %{INT:code}"},
                       "10.0.0.1 - bob 200\n10.0.0.1 - bob abc\n");
  EXPECT_EQ(r.code, 1);  // one line did not match
  EXPECT_NE(r.out.find("  matched pattern 1 %{IP:client} - %{WORD:user} %{INT:code}\n"
                       "    client = 10.0.0.1\n    user = bob\n    code = 200\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    matched  %{IP:client} - %{WORD:user} \n"
                       "    failed   %{INT:code} at offset 15\n"
                       "    10.0.0.1 - bob abc\n"
                       "                   ^\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos);  // plain when piped
}

TEST(GrokCommand, ColourWhenAsked) {
  GrokRun r = run_grok({"--color=always", "%{INT:n}", "x"});
  EXPECT_NE(r.out.find("\033[31;1mno match\033[0m"), std::string::npos) << r.out;
}

TEST(GrokCommand, JsonAndExplain) {
  GrokRun r =
      run_grok({"--json", "--explain", "-m", "%{INT:n}!", "-m", "(?>a+)(?<w>b)", "12?", "aab"});
  EXPECT_EQ(r.code, 1);
  std::vector<Value> lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  const Object& first = lines[0].as_object().find("explain")->as_object();
  EXPECT_EQ(first.find("engine")->as_string(), "RE2");
  EXPECT_NE(first.find("re2")->as_string().find("(?P<g1>"), std::string::npos);
  const Object& second = lines[1].as_object().find("explain")->as_object();
  EXPECT_EQ(second.find("engine")->as_string(), "PCRE2");
  EXPECT_NE(second.find("pcre")->as_string().find("(?>"), std::string::npos);

  const Object& miss = lines[2].as_object();
  EXPECT_FALSE(miss.find("matched")->as_bool());
  EXPECT_EQ(miss.find("line")->as_string(), "12?");
  const Array& failures = miss.find("failures")->as_array();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].as_object().find("stop")->as_int(), 2);
  EXPECT_EQ(failures[0].as_object().find("failed_part")->as_string(), "!");
  EXPECT_EQ(miss.find("furthest")->as_int(), 0);

  // aab: the atomic group takes every a, then (?<w>b) the b.
  const Object& hit = lines[3].as_object();
  EXPECT_TRUE(hit.find("matched")->as_bool());
  EXPECT_EQ(hit.find("pattern_index")->as_int(), 1);
  const Object& capture = hit.find("captures")->as_array()[0].as_object();
  EXPECT_EQ(capture.find("field")->as_string(), "w");
  EXPECT_EQ(capture.find("value")->as_string(), "b");
  EXPECT_EQ(capture.find("begin")->as_int(), 2);
}

TEST(GrokCommand, PatternsDirEcsAndErrors) {
  std::string dir = "/tmp/grok_command_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/mine") << "ORDERID ORD-%{INT}\n";
  GrokRun r = run_grok({"--json", "--patterns-dir", dir, "--ecs", "v1", "%{ORDERID:order} %{IP:ip}",
                        "ORD-12 1.2.3.4"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("value":"ORD-12")"), std::string::npos) << r.out;
  GrokRun undefined = run_grok({"%{NOPE:x}", "a"});
  EXPECT_EQ(undefined.code, 2);
  EXPECT_NE(undefined.err.find("%{NOPE} not defined"), std::string::npos) << undefined.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace logpipe

// The grok filter's sandbox hook: with PluginEnv::trace set, each event's
// outcome is reported; the event itself is what it would be without it.
#include "filters/grok/grok_filter.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

struct RecordingTrace : FilterTrace {
  std::vector<std::pair<std::string, Value>> records;
  void record(const Event&, const std::string& filter_id, Value detail) override {
    records.emplace_back(filter_id, std::move(detail));
  }
};

std::unique_ptr<GrokFilter> traced_grok(const PluginEnv& env, Settings& settings) {
  PluginInfo info = grok_filter_info();
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  Value match;
  std::string error;
  EXPECT_TRUE(
      parse_json(R"({"message": ["%{INT:n} apples", "%{WORD:w} %{INT:n}"]})", &match, &error));
  settings.set("match", match);
  return std::make_unique<GrokFilter>(PluginArgs{info.name, "g1", settings, env, nullptr},
                                      builtin_pattern_files());
}

TEST(GrokFilterTrace, ReportsTheMatchedPatternOrEveryDiagnosis) {
  RecordingTrace trace;
  PluginEnv env;
  env.trace = &trace;
  Settings settings;
  auto filter = traced_grok(env, settings);
  testing::NullFilterContext ctx;
  Event hit("pears 3");
  filter->filter(hit, ctx);
  Event miss("pears x");
  filter->filter(miss, ctx);
  EXPECT_TRUE(miss.has_tag("_grokparsefailure"));
  ASSERT_EQ(trace.records.size(), 2u);
  EXPECT_EQ(trace.records[0].first, "g1");
  const Object& matched = trace.records[0].second.as_object();
  EXPECT_TRUE(matched.find("matched")->as_bool());
  EXPECT_EQ(matched.find("pattern_index")->as_int(), 1);
  EXPECT_EQ(matched.find("field")->as_string(), "message");
  const Object& failed = trace.records[1].second.as_object();
  EXPECT_FALSE(failed.find("matched")->as_bool());
  EXPECT_EQ(failed.find("text")->as_string(), "pears x");
  const Array& failures = failed.find("failures")->as_array();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failed.find("furthest")->as_int(), 1);
  EXPECT_EQ(failures[1].as_object().find("stop")->as_int(), 6);

  // Without a trace the same events come out the same.
  PluginEnv plain_env;
  Settings plain_settings;
  auto plain = traced_grok(plain_env, plain_settings);
  Event plain_hit("pears 3");
  plain->filter(plain_hit, ctx);
  // (Each event got its own @timestamp when made.)
  plain_hit.fields().erase("@timestamp");
  hit.fields().erase("@timestamp");
  EXPECT_EQ(plain_hit.fields(), hit.fields());
  EXPECT_EQ(hit.fields().find("w")->as_string(), "pears");
}

}  // namespace
}  // namespace logpipe
