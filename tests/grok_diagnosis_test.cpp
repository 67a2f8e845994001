// GrokDiagnoser: where a line stops matching, and which part failed there.
#include "filters/grok/grok_diagnosis.h"

#include <gtest/gtest.h>

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
  const char* set;         // legacy or ecs-v1
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
