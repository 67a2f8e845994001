// heartbeat input: the event for each option and field-naming mode, as
// Logstash's heartbeat makes it; count; a prompt stop; and one run through
// the real binary.
#include "inputs/heartbeat_input.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/system/system_io.h"
#include "engine/text/json_reader.h"
#include "tests/logpipe_process.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<HeartbeatInput> make_heartbeat(const Object& given) {
  PluginEnv env;
  Settings settings =
      testing::settings_with_defaults(*find_plugin(PluginKind::Input, "heartbeat"), given);
  return std::make_unique<HeartbeatInput>(
      PluginArgs{"heartbeat", "heartbeat_1", settings, env, nullptr});
}

struct Case {
  const char* name;
  Object options;
  std::string expected_json;  // the fields but @timestamp, with HOST for the host name
};

TEST(HeartbeatInput, EventsForEachMessageAndMode) {
  const std::vector<Case> cases = {
      {"default", {}, R"({"host":"HOST","message":"ok"})"},
      {"own message", testing::opts({{"message", Value("alive")}}),
       R"({"host":"HOST","message":"alive"})"},
      {"legacy magic epoch", testing::opts({{"message", Value("epoch")}}),
       R"({"clock":1700000000,"host":"HOST"})"},
      {"legacy magic sequence", testing::opts({{"message", Value("sequence")}}),
       R"({"clock":7,"host":"HOST"})"},
      {"sequence option keeps the message", testing::opts({{"sequence", Value("sequence")}}),
       R"({"clock":7,"host":"HOST","message":"ok"})"},
      {"ecs default", testing::opts({{"ecs_compatibility", Value("v8")}}),
       R"({"host":{"name":"HOST"},"message":"ok"})"},
      {"ecs sequence",
       testing::opts({{"ecs_compatibility", Value("v1")}, {"sequence", Value("sequence")}}),
       R"({"event":{"sequence":7},"host":{"name":"HOST"},"message":"ok"})"},
      {"ecs epoch",
       testing::opts({{"ecs_compatibility", Value("v8")}, {"sequence", Value("epoch")}}),
       R"({"event":{"sequence":1700000000},"host":{"name":"HOST"},"message":"ok"})"},
      // ECS mode does not read magic messages: "epoch" is just the message.
      {"ecs magic message is text",
       testing::opts({{"ecs_compatibility", Value("v8")}, {"message", Value("epoch")}}),
       R"({"host":{"name":"HOST"},"message":"epoch"})"},
      {"sequence none",
       testing::opts({{"sequence", Value("none")}, {"message", Value("sequence")}}),
       R"({"host":"HOST","message":"sequence"})"},
  };
  for (const Case& c : cases) {
    Event e = make_heartbeat(c.options)->make_event(7, 1700000000);
    Timestamp ts;
    EXPECT_TRUE(e.timestamp(&ts)) << c.name;
    std::string expected = c.expected_json;
    expected.replace(expected.find("HOST"), 4, local_hostname());
    Value want;
    ASSERT_TRUE(parse_json(expected, &want, nullptr)) << c.name;
    Object got = e.fields();
    got.erase("@timestamp");
    EXPECT_EQ(Value(got), want) << c.name << ": "
                                << testing::fields_json_without(e, {"@timestamp"});
  }
}

class Collecting : public InputContext {
 public:
  void push(Event&& e) override { events.push_back(std::move(e)); }
  void tick() override {}
  void flush() override {}
  bool stopping() const override { return false; }
  int poll_interval_ms() const override { return 50; }
  bool congested() const override { return false; }
  std::vector<Event> events;
};

TEST(HeartbeatInput, CountEventsNumberedFromOne) {
  auto hb = make_heartbeat(
      testing::opts({{"count", Value(3)}, {"interval", Value(0)}, {"message", Value("sequence")}}));
  Collecting ctx;
  hb->run(ctx);
  ASSERT_EQ(ctx.events.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(*ctx.events[i].get_top("clock"), Value(int64_t{i + 1}));
}

TEST(HeartbeatInput, StopDoesNotWaitForTheInterval) {
  auto hb = make_heartbeat(testing::opts({{"interval", Value(3600)}}));
  Collecting ctx;
  auto start = std::chrono::steady_clock::now();
  std::thread t([&] { hb->run(ctx); });
  std::this_thread::sleep_for(100ms);
  hb->stop();
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(ctx.events.size(), 1u);  // the first one goes out at once
}

class HeartbeatE2E : public testing::TempDirTest {
 protected:
  HeartbeatE2E() : TempDirTest("heartbeat") {}
};

TEST_F(HeartbeatE2E, BeatsThroughTheBinaryIntoAFile) {
  std::string out = path("out.jsonl");
  testing::Logpipe lp(dir_, "hb",
                      "input { heartbeat { interval => 0.05 count => 5 sequence => \"sequence\" "
                      "ecs_compatibility => \"v8\" } }\n"
                      "output { file { path => \"" +
                          out + "\" codec => json_lines } }\n");
  ASSERT_EQ(lp.wait(30), 0) << lp.log();
  auto lines = testing::split_lines(testing::read_text_file(out));
  ASSERT_EQ(lines.size(), 5u) << lp.log();
  for (size_t i = 0; i < lines.size(); ++i) {
    Value v;
    ASSERT_TRUE(parse_json(lines[i], &v, nullptr)) << lines[i];
    Event e;
    e.fields() = v.as_object();
    EXPECT_EQ(*e.get(*FieldRef::parse("[event][sequence]")), Value(int64_t(i + 1))) << lines[i];
    EXPECT_EQ(*e.get(*FieldRef::parse("[host][name]")), Value(local_hostname())) << lines[i];
    EXPECT_EQ(*e.get_top("message"), Value("ok"));
  }
}

}  // namespace
}  // namespace logpipe
