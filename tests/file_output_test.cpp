// Tests of the file output, and of the stdout output (same shape: a codec
// and write(2) of each batch).
#include "outputs/file_output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/codecs/codecs.h"
#include "outputs/stdout_output.h"
#include "tests/output_work.h"

namespace logpipe {
namespace {

namespace fs = std::filesystem;
using Given = std::vector<std::pair<std::string, Value>>;

// 2026-11-26T04:55:19.123Z
const Timestamp kTs{1795668919123000000LL};

// Settings as the engine hands them over: defaults, then the options given.
Settings settings_for(const PluginInfo& info, const Given& given) {
  Settings s;
  for (auto& o : info.all_options())
    if (o.default_value) s.set(o.name, *o.default_value);
  for (auto& [k, v] : given) s.set(k, v);
  return s;
}

std::function<std::unique_ptr<Codec>()> codec_factory(PluginInfo info, Given given = {}) {
  return [info = std::move(info), given = std::move(given)] {
    Settings s = settings_for(info, given);
    PluginEnv env;
    PluginArgs args{info.name, info.name + "_1", s, env, nullptr};
    return info.make_codec(args);
  };
}

std::unique_ptr<Output> make_output(const PluginInfo& info, const Given& given,
                                    std::function<std::unique_ptr<Codec>()> codec) {
  Settings s = settings_for(info, given);
  PluginEnv env;
  PluginArgs args{info.name, info.name + "_1", s, env, std::move(codec)};
  return info.make_output(args);
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Event event(std::string message, std::string type = "") {
  Event e(std::move(message), kTs);
  if (!type.empty()) e.set_top("type", Value(std::move(type)));
  return e;
}

// One line per event: "<message>\n".
std::function<std::unique_ptr<Codec>()> message_lines() {
  return codec_factory(line_codec_info(), {{"format", Value("%{message}")}});
}

class FileOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/logpipe_file_output_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Output> make(Given given,
                               std::function<std::unique_ptr<Codec>()> codec = message_lines()) {
    return make_output(file_output_info(), given, std::move(codec));
  }

  static void send(Output& out, const std::vector<Event>& events) {
    std::vector<const Event*> batch;
    for (auto& e : events) batch.push_back(&e);
    for (Delivery d : testing::submit_to(out, batch))
      EXPECT_EQ(d, Delivery::Delivered);
  }

  fs::path dir_;
};

TEST_F(FileOutputTest, AppendsEachBatchAndHandsBytesToTheOsBeforeReturning) {
  fs::path file = dir_ / "out.log";
  auto out = make({{"path", Value(file.string())}});
  send(*out, {event("one"), event("two")});
  // No flush, output still alive: the bytes must already be in the file.
  EXPECT_EQ(read_all(file), "one\ntwo\n");
  send(*out, {event("three")});
  EXPECT_EQ(read_all(file), "one\ntwo\nthree\n");
}

TEST_F(FileOutputTest, WritesJsonLinesWithTheDefaultCodec) {
  fs::path file = dir_ / "out.json";
  auto out = make({{"path", Value(file.string())}}, codec_factory(json_lines_codec_info()));
  send(*out, {event("m")});
  EXPECT_EQ(read_all(file),
            "{\"@timestamp\":\"2026-11-26T04:55:19.123Z\",\"@version\":\"1\",\"message\":\"m\"}\n");
  EXPECT_EQ(file_output_info().default_codec, "json_lines");
}

TEST_F(FileOutputTest, FormatsThePathPerEventAndCreatesDirectories) {
  auto out = make({{"path", Value((dir_ / "%{type}/app-%{+yyyy.MM.dd}.log").string())}});
  send(*out, {event("w1", "web"), event("d1", "db"), event("w2", "web")});
  EXPECT_EQ(read_all(dir_ / "web/app-2026.11.26.log"), "w1\nw2\n");
  EXPECT_EQ(read_all(dir_ / "db/app-2026.11.26.log"), "d1\n");
}

TEST_F(FileOutputTest, SendsEventsWhosePathLeavesTheRootToTheFailureFile) {
  fs::path root = dir_ / "logs";
  auto out = make({{"path", Value((root / "%{type}/x.log").string())}});
  send(*out, {event("escape", "../../outside"), event("fine", "a/../b"), event("dot", ".."),
              event("abs", "/etc")});
  EXPECT_EQ(read_all(root / "_filepath_failures"), "escape\ndot\n");
  EXPECT_EQ(read_all(root / "b/x.log"), "fine\n");   // ".." that stays inside is resolved
  EXPECT_EQ(read_all(root / "etc/x.log"), "abs\n");  // "/etc" is a subdirectory here
  EXPECT_FALSE(fs::exists(dir_ / "outside"));
  EXPECT_FALSE(fs::exists(dir_ / "x.log"));
}

TEST_F(FileOutputTest, UsesTheConfiguredFailureFileName) {
  auto out = make({{"path", Value((dir_ / "%{type}.log").string())},
                   {"filename_failure", Value("rejected.log")}});
  send(*out, {event("escape", "../nope")});
  EXPECT_EQ(read_all(dir_ / "rejected.log"), "escape\n");
}

TEST_F(FileOutputTest, SendsEventsWhoseFileCannotBeOpenedToTheFailureFile) {
  fs::create_directories(dir_ / "web/x.log");  // a directory where the file should be
  auto out = make({{"path", Value((dir_ / "%{type}/x.log").string())}});
  send(*out, {event("lost?", "web"), event("ok", "db")});
  EXPECT_EQ(read_all(dir_ / "_filepath_failures"), "lost?\n");
  EXPECT_EQ(read_all(dir_ / "db/x.log"), "ok\n");
}

TEST_F(FileOutputTest, OverwriteKeepsOnlyTheLastEvent) {
  fs::path file = dir_ / "state.txt";
  auto out = make({{"path", Value(file.string())}, {"write_behavior", Value("overwrite")}});
  send(*out, {event("a"), event("b")});
  EXPECT_EQ(read_all(file), "b\n");
  send(*out, {event("c")});
  EXPECT_EQ(read_all(file), "c\n");
}

TEST_F(FileOutputTest, RecreatesADeletedFile) {
  fs::path file = dir_ / "out.log";
  auto out = make({{"path", Value(file.string())}});
  send(*out, {event("first")});
  fs::remove(file);
  send(*out, {event("second")});
  EXPECT_EQ(read_all(file), "second\n");
}

TEST_F(FileOutputTest, ReopensARotatedFile) {
  fs::path file = dir_ / "out.log";
  auto out = make({{"path", Value(file.string())}});
  send(*out, {event("first")});
  fs::rename(file, dir_ / "out.log.1");
  send(*out, {event("second")});
  EXPECT_EQ(read_all(dir_ / "out.log.1"), "first\n");
  EXPECT_EQ(read_all(file), "second\n");
}

TEST_F(FileOutputTest, WithoutCreateIfDeletedMissingFilesGoToTheFailureFile) {
  fs::path file = dir_ / "out.log";
  auto out = make({{"path", Value(file.string())}, {"create_if_deleted", Value(false)}});
  send(*out, {event("nowhere")});
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(read_all(dir_ / "_filepath_failures"), "nowhere\n");

  std::ofstream(file).close();  // once it exists, it is written
  send(*out, {event("here")});
  EXPECT_EQ(read_all(file), "here\n");
  fs::remove(file);
  send(*out, {event("gone again")});
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(read_all(dir_ / "_filepath_failures"), "nowhere\ngone again\n");
}

TEST_F(FileOutputTest, AppliesModesWrittenAsOctalDigits) {
  auto out = make({{"path", Value((dir_ / "%{type}/sub/f.log").string())},
                   {"dir_mode", Value(750)},
                   {"file_mode", Value(640)}});
  send(*out, {event("m", "t")});
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "t/sub/f.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(::stat((dir_ / "t/sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  ASSERT_EQ(::stat((dir_ / "t").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
}

TEST_F(FileOutputTest, RefusesSettingsItCannotHonour) {
  struct Case {
    Given given;
    std::string option;
  } cases[] = {
      {{{"path", Value("/%{type}/x.log")}}, "path"},
      {{{"path", Value((dir_ / "x.log").string())}, {"gzip", Value(true)}}, "gzip"},
      {{{"path", Value((dir_ / "x.log").string())}, {"file_mode", Value(800)}}, "file_mode"},
      {{{"path", Value((dir_ / "x.log").string())}, {"dir_mode", Value(-5)}}, "dir_mode"},
      {{{"path", Value((dir_ / "x.log").string())}, {"filename_failure", Value("../f")}},
       "filename_failure"},
  };
  for (auto& c : cases) {
    try {
      make(c.given);
      ADD_FAILURE() << "accepted, expected a refusal of " << c.option;
    } catch (const OptionError& e) {
      EXPECT_EQ(e.option, c.option) << e.what();
    }
  }
}

TEST_F(FileOutputTest, DeclaresLogstashOptionsAndDefaults) {
  PluginInfo info = file_output_info();
  auto find = [&](const std::string& name) -> const OptionSpec* {
    for (auto& o : info.options)
      if (o.name == name) return &o;
    return nullptr;
  };
  ASSERT_NE(find("path"), nullptr);
  EXPECT_TRUE(find("path")->required);
  EXPECT_EQ(*find("flush_interval")->default_value, Value(2));
  EXPECT_EQ(*find("gzip")->default_value, Value(false));
  EXPECT_EQ(*find("create_if_deleted")->default_value, Value(true));
  EXPECT_EQ(*find("dir_mode")->default_value, Value(-1));
  EXPECT_EQ(*find("file_mode")->default_value, Value(-1));
  EXPECT_EQ(*find("filename_failure")->default_value, Value("_filepath_failures"));
  EXPECT_EQ(*find("write_behavior")->default_value, Value("append"));
}

// ---------------------------------------------------------------- stdout

TEST(StdoutOutput, WritesEachBatchEncodedByItsCodec) {
  char tmpl[] = "/tmp/logpipe_stdout_XXXXXX";
  int capture = ::mkstemp(tmpl);
  ASSERT_GE(capture, 0);
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  ::dup2(capture, STDOUT_FILENO);

  auto out = make_output(stdout_output_info(), {}, message_lines());
  Event a("first", kTs), b("second", kTs);
  testing::submit_to(*out, {&a, &b});
  testing::submit_to(*out, {});
  testing::submit_to(*out, {&a});

  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(capture);
  EXPECT_EQ(read_all(tmpl), "first\nsecond\nfirst\n");
  ::unlink(tmpl);
  EXPECT_EQ(stdout_output_info().default_codec, "rubydebug");
}

}  // namespace
}  // namespace logpipe
