// split and translate through the real binary: a file input whose lines are
// split into several events each, translated and routed by a conditional
// after the split, with the file position committed only once the copies are
// written; the generator through split; and a dictionary file refreshed (and
// broken) while logpipe runs.
#include <httplib.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/event/value.h"
#include "engine/text/json_reader.h"
#include "tests/logpipe_process.h"

namespace logpipe {
namespace {

using std::chrono::milliseconds;
using testing::Logpipe;
using testing::read_text_file;
using testing::wait_until;

class SplitTranslateBinary : public testing::TempDirTest {
 protected:
  SplitTranslateBinary() : TempDirTest("split-translate") {}

  // The complete JSON lines of the output file (a line being written is left out).
  std::vector<Value> output(const std::string& name = "out.json") const {
    std::vector<Value> events;
    std::istringstream in(read_text_file(path(name)));
    for (std::string line; std::getline(in, line);) {
      Value v;
      std::string error;
      if (!parse_json(line, &v, &error)) break;
      events.push_back(std::move(v));
    }
    return events;
  }
  // Position of the one file in the sincedb ("inode major minor pos ...").
  int64_t sincedb_position() const {
    std::istringstream in(read_text_file(path("sincedb")));
    uint64_t inode = 0, major = 0, minor = 0;
    int64_t pos = -1;
    in >> inode >> major >> minor >> pos;
    return in ? pos : -1;
  }
  static std::string field(const Value& event, const char* name) {
    const Value* v = event.as_object().find(name);
    return v ? v->to_string() : "<missing>";
  }
  // A filter's entry in /_node/stats/pipelines.
  static const Object* filter_stats(const Value& stats, const std::string& id) {
    const Value* filters = stats.as_object().find("pipelines");
    if (!filters || filters->as_object().empty()) return nullptr;
    filters = filters->as_object().begin()->second.as_object().find("plugins");
    if (filters) filters = filters->as_object().find("filters");
    if (!filters) return nullptr;
    for (const Value& f : filters->as_array())
      if (f.as_object().find("id")->as_string() == id) return &f.as_object();
    return nullptr;
  }
  static double figure(const Object& plugin, const char* group, const char* name) {
    if (std::string(group) == "metrics") {
      for (const Value& m : plugin.find("metrics")->as_array())
        if (m.as_object().find("name")->as_string() == name) return m.as_object().find("value")->as_number();
      return -1;
    }
    return plugin.find(group)->as_object().find(name)->as_number();
  }
  void append(const std::string& name, const std::string& text) {
    std::ofstream(path(name), std::ios::app) << text;
  }
  void replace(const std::string& name, const std::string& text) {
    std::string tmp = path(name + ".tmp");
    std::ofstream(tmp) << text;
    std::rename(tmp.c_str(), path(name).c_str());
  }
};

TEST_F(SplitTranslateBinary, SplitCopiesAreDeliveredAndAcknowledgedWithTheirLine) {
  constexpr int kLines = 400, kPieces = 5;
  std::string input;
  for (int i = 0; i < kLines; ++i) input += "line" + std::to_string(i) + " a b c d\n";
  std::ofstream(path("in.log")) << input;
  Logpipe lp(dir_, "lp",
             "input { file { path => \"" + path("in.log") + "\" start_position => \"beginning\"\n"
             "  sincedb_path => \"" + path("sincedb") + "\" sincedb_write_interval => 0 stat_interval => \"0.01\" } }\n"
             "filter {\n"
             "  split { id => \"splitter\" terminator => \" \" add_tag => [\"piece\"] }\n"
             "  translate { id => \"codes\" source => \"message\" dictionary => { \"a\" => \"alpha\" \"b\" => \"beta\" }\n"
             "              fallback => \"other\" }\n"
             "  if [translation] == \"beta\" { mutate { add_tag => [\"is_beta\"] } }\n"
             "}\n"
             "output { file { path => \"" + path("out.json") + "\" codec => json_lines } }\n",
             {"-b", "50", "--summary", "--api.http.port", "0"});
  // Whenever the sincedb says a line was done, all of that line's copies are
  // already in the output: the position waits for the whole batch.
  int checks = 0;
  bool complete = wait_until([&] {
    int64_t pos = sincedb_position();
    size_t out = output().size();
    if (pos > 0) {
      int64_t lines_done = std::count(input.begin(), input.begin() + std::min<int64_t>(pos, input.size()), '\n');
      EXPECT_GE(out, size_t(lines_done * kPieces)) << "sincedb at " << pos << " before its events were written";
      ++checks;
    }
    return out == size_t(kLines * kPieces) && pos == int64_t(input.size());
  }, std::chrono::seconds(20), milliseconds(5));
  ASSERT_TRUE(complete) << "out " << output().size() << ", sincedb " << sincedb_position() << "\n" << lp.log();
  EXPECT_GT(checks, 0);

  // The monitoring figures: split took 400 and gave 2000, translate saw them all.
  int port = lp.api_port();
  ASSERT_GT(port, 0) << lp.log();
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get("/_node/stats/pipelines");
  ASSERT_TRUE(r);
  Value stats;
  std::string error;
  ASSERT_TRUE(parse_json(r->body, &stats, &error)) << error;
  const Object* splitter = filter_stats(stats, "splitter");
  const Object* codes = filter_stats(stats, "codes");
  ASSERT_TRUE(splitter && codes) << r->body;
  EXPECT_EQ(figure(*splitter, "events", "in"), kLines);
  EXPECT_EQ(figure(*splitter, "events", "out"), kLines * kPieces);
  EXPECT_EQ(figure(*splitter, "metrics", "failures_total"), 0);
  EXPECT_EQ(figure(*codes, "events", "in"), kLines * kPieces);
  EXPECT_EQ(figure(*codes, "events", "out"), kLines * kPieces);
  EXPECT_EQ(figure(*codes, "metrics", "matches_total"), 2 * kLines);
  EXPECT_EQ(figure(*codes, "metrics", "misses_total"), 3 * kLines);
  EXPECT_EQ(figure(*codes, "metrics", "fallbacks_total"), 3 * kLines);
  ASSERT_EQ(lp.stop(), 0) << lp.log();

  std::vector<Value> events = output();
  ASSERT_EQ(events.size(), size_t(kLines * kPieces));
  std::map<std::string, int> translations, messages;
  int beta_tagged = 0;
  for (const Value& e : events) {
    ++translations[field(e, "translation")];
    ++messages[field(e, "message")];
    std::string tags = field(e, "tags");
    EXPECT_EQ(tags.rfind("piece", 0), 0u) << tags;
    beta_tagged += tags == "piece,is_beta";
    EXPECT_EQ(tags == "piece,is_beta", field(e, "translation") == "beta");
  }
  EXPECT_EQ(translations["alpha"], kLines);
  EXPECT_EQ(translations["beta"], kLines);
  EXPECT_EQ(translations["other"], 3 * kLines);
  EXPECT_EQ(beta_tagged, kLines);
  EXPECT_EQ(messages["c"], kLines);
  EXPECT_EQ(messages["line7"], 1);
  // The split lines themselves are gone: in 400, out 2000, nothing missing.
  std::string log = lp.log();
  EXPECT_NE(log.find("summary: events in 400, filtered 2000, out 2000"), std::string::npos) << log;
  EXPECT_NE(log.find("not delivered 0"), std::string::npos) << log;
}

TEST_F(SplitTranslateBinary, GeneratorArraysSplitIntoEventsAndTheRunEnds) {
  Logpipe lp(dir_, "lp",
             "input { generator { message => \"x\" count => 150 add_field => { \"codes\" => [\"200\", \"404\", \"500\"] } } }\n"
             "filter {\n"
             "  split { field => \"codes\" target => \"code\" }\n"
             "  translate { source => \"code\" target => \"status\" ecs_compatibility => \"v8\"\n"
             "              dictionary => [\"200\", \"OK\", \"404\", \"Not Found\"] }\n"
             "}\n"
             "output { file { path => \"" + path("out.json") + "\" codec => json_lines } }\n",
             {"--summary"});
  ASSERT_EQ(lp.wait(30), 0) << lp.log();
  std::vector<Value> events = output();
  ASSERT_EQ(events.size(), 450u);
  std::map<std::string, int> status;
  for (const Value& e : events) {
    EXPECT_EQ(field(e, "codes"), "200,404,500");  // kept: the pieces went to target
    ++status[field(e, "code") + "=" + field(e, "status")];
  }
  EXPECT_EQ(status["200=OK"], 150);
  EXPECT_EQ(status["404=Not Found"], 150);
  EXPECT_EQ(status["500=<missing>"], 150);
  EXPECT_NE(lp.log().find("summary: events in 150, filtered 450, out 450"), std::string::npos) << lp.log();
}

TEST_F(SplitTranslateBinary, DictionaryFileIsRefreshedWhileRunningAndABrokenOneIsIgnored) {
  replace("dict.yml", "k: first\n");
  std::ofstream(path("in.log")) << "";
  Logpipe lp(dir_, "lp",
             "input { file { path => \"" + path("in.log") + "\" start_position => \"beginning\"\n"
             "  sincedb_path => \"" + path("sincedb") + "\" stat_interval => \"0.01\" } }\n"
             "filter { translate { source => \"message\" dictionary_path => \"" + path("dict.yml") + "\"\n"
             "  refresh_interval => 0.05 refresh_behaviour => \"replace\" fallback => \"none\" } }\n"
             "output { file { path => \"" + path("out.json") + "\" codec => json_lines } }\n");
  // Appends "k" until its translation is `want` (the refresh is asynchronous
  // to the lines).
  auto translates_to = [&](const std::string& want) {
    return wait_until([&] {
      append("in.log", "k\n");
      std::vector<Value> events = output();
      return !events.empty() && field(events.back(), "translation") == want;
    }, std::chrono::seconds(15), milliseconds(100));
  };
  ASSERT_TRUE(translates_to("first")) << lp.log();
  replace("dict.yml", "k: second\n");
  ASSERT_TRUE(translates_to("second")) << lp.log();
  replace("dict.yml", "k: [unclosed\n");
  ASSERT_TRUE(wait_until([&] { return lp.log().find("continuing with the old dictionary") != std::string::npos; },
                         std::chrono::seconds(15), milliseconds(50)) || (append("in.log", "k\n"), false))
      << lp.log();
  size_t before = output().size();
  append("in.log", "k\n");
  ASSERT_TRUE(wait_until([&] { return output().size() > before; }, std::chrono::seconds(10), milliseconds(20)));
  EXPECT_EQ(field(output().back(), "translation"), "second");
  replace("dict.yml", "k: third\n");
  ASSERT_TRUE(translates_to("third")) << lp.log();
  EXPECT_EQ(lp.stop(), 0) << lp.log();
}

}  // namespace
}  // namespace logpipe
