// generator input: what it emits (message, lines, count, sequence, host),
// through a codec or not, and that it stops when asked.
#include "inputs/generator_input.h"
#include "engine/system/system_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::fields_json_without;

using namespace std::chrono_literals;

// Collects every pushed event; the test decides when shutdown begins.
class CollectingContext : public InputContext {
 public:
  void push(Event&& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
    if (stop_after_ && events_.size() >= stop_after_) stopping_ = true;
  }
  void tick() override {}
  void flush() override { ++flushes_; }
  bool stopping() const override { return stopping_; }
  int poll_interval_ms() const override { return 5; }
  bool congested() const override { return false; }

  void stop_after(size_t n) { stop_after_ = n; }
  void request_stop() { stopping_ = true; }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_.size();
  }
  std::vector<Event> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  int flushes() const { return flushes_; }

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
  size_t stop_after_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> flushes_{0};
};

// A codec like "plain" that marks what it decoded, and emits one more event
// at flush, to show that the generator goes through its codec.
class MarkingCodec : public Codec {
 public:
  void decode(std::string_view data, const EventSink& sink) override {
    Event e{std::string(data)};
    e.set_top("decoded", Value(true));
    sink(std::move(e));
  }
  void flush(const EventSink& sink) override { sink(Event(std::string("flushed"))); }
  void encode(const Event&, std::string&) override {}
};

std::string hostname() {
  char buf[256];
  gethostname(buf, sizeof buf);
  buf[255] = '\0';
  return buf;
}

using Overrides = std::vector<std::pair<std::string, Value>>;

std::unique_ptr<Input> make_generator(const Overrides& overrides, bool with_codec = false) {
  static PluginEnv env;
  Settings settings;
  for (const OptionSpec& o : generator_input_info().options)
    if (o.default_value) settings.set(o.name, *o.default_value);
  for (const auto& [name, value] : overrides) settings.set(name, value);
  std::function<std::unique_ptr<Codec>()> make_codec;
  if (with_codec) make_codec = [] { return std::make_unique<MarkingCodec>(); };
  PluginArgs args{"generator", "generator_test", settings, env, make_codec};
  return generator_input_info().make_input(args);
}

struct Emitted {
  std::string message;
  int64_t sequence;
  bool operator==(const Emitted& o) const { return message == o.message && sequence == o.sequence; }
};
std::ostream& operator<<(std::ostream& os, const Emitted& e) {
  return os << "{" << e.message << ", " << e.sequence << "}";
}

std::vector<Emitted> emitted(const std::vector<Event>& events) {
  std::vector<Emitted> out;
  for (const Event& e : events) {
    const Value* seq = e.get_top("sequence");
    out.push_back({e.message() ? *e.message() : "<none>", seq ? seq->as_int() : -1});
  }
  return out;
}

struct RoundsCase {
  const char* name;
  Overrides options;
  std::vector<Emitted> expected;
};
inline void PrintTo(const RoundsCase& c, std::ostream* os) { *os << c.name; }

class GeneratorRoundsTest : public ::testing::TestWithParam<RoundsCase> {};

TEST_P(GeneratorRoundsTest, EmitsCountRoundsWithTheirSequence) {
  const RoundsCase& c = GetParam();
  auto input = make_generator(c.options);
  CollectingContext ctx;
  input->run(ctx);
  EXPECT_EQ(emitted(ctx.events()), c.expected);
  for (const Event& e : ctx.events()) {
    ASSERT_NE(e.get_top("host"), nullptr);
    EXPECT_EQ(e.get_top("host")->as_string(), hostname());
    EXPECT_TRUE(e.get_top("@timestamp")->is_timestamp());
  }
  EXPECT_GE(ctx.flushes(), 1);  // the last partial batch is sealed
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GeneratorRoundsTest,
    ::testing::Values(
        RoundsCase{
            "default_message", {{"count", Value(2)}}, {{"Hello world!", 0}, {"Hello world!", 1}}},
        RoundsCase{"message", {{"message", Value("hi")}, {"count", Value(1)}}, {{"hi", 0}}},
        RoundsCase{"lines_in_order_each_round",
                   {{"lines", Value(Array{Value("a"), Value("b")})}, {"count", Value(3)}},
                   {{"a", 0}, {"b", 0}, {"a", 1}, {"b", 1}, {"a", 2}, {"b", 2}}},
        RoundsCase{"lines_replace_message",
                   {{"message", Value("unused")},
                    {"lines", Value(Array{Value("x")})},
                    {"count", Value(2)}},
                   {{"x", 0}, {"x", 1}}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(GeneratorInputTest, CountZeroRunsUntilShutdown) {
  auto input = make_generator({{"count", Value(0)}});
  CollectingContext ctx;
  ctx.stop_after(10000);
  input->run(ctx);  // returns only because stopping() turned true
  EXPECT_GE(ctx.count(), 10000u);
  auto events = ctx.events();
  EXPECT_EQ(events.back().get_top("sequence")->as_int(), int64_t(events.size()) - 1);
}

TEST(GeneratorInputTest, StopEndsARunFromAnotherThread) {
  auto input = make_generator({{"count", Value(0)}});
  CollectingContext ctx;
  auto done = std::async(std::launch::async, [&] { input->run(ctx); });
  while (ctx.count() < 100) std::this_thread::sleep_for(1ms);
  input->stop();
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
}

TEST(GeneratorInputTest, GoesThroughItsCodec) {
  auto input =
      make_generator({{"lines", Value(Array{Value("a"), Value("b")})}, {"count", Value(1)}},
                     /*with_codec=*/true);
  CollectingContext ctx;
  input->run(ctx);
  auto events = ctx.events();
  ASSERT_EQ(emitted(events), (std::vector<Emitted>{{"a", 0}, {"b", 0}, {"flushed", -1}}));
  EXPECT_TRUE(events[0].get_top("decoded")->as_bool());
  // What the codec flushes at the end belongs to no round, but has a host.
  EXPECT_EQ(events[2].get_top("host")->as_string(), hostname());
}

TEST(GeneratorInputTest, KeepsAHostTheCodecSet) {
  class HostCodec : public Codec {
   public:
    void decode(std::string_view data, const EventSink& sink) override {
      Event e{std::string(data)};
      e.set_top("host", Value("from-codec"));
      sink(std::move(e));
    }
    void encode(const Event&, std::string&) override {}
  };
  static PluginEnv env;
  Settings settings = testing::settings_with_defaults(generator_input_info(), {});
  settings.set("count", Value(1));
  PluginArgs args{"generator", "generator_test", settings, env,
                  [] { return std::make_unique<HostCodec>(); }};
  auto input = generator_input_info().make_input(args);
  CollectingContext ctx;
  input->run(ctx);
  ASSERT_EQ(ctx.count(), 1u);
  EXPECT_EQ(ctx.events()[0].get_top("host")->as_string(), "from-codec");
}

TEST(GeneratorInputTest, EcsFieldNames) {
  auto input = make_generator({{"ecs_compatibility", Value("v8")}, {"count", Value(2)}});
  CollectingContext ctx;
  input->run(ctx);
  ASSERT_EQ(ctx.count(), 2u);
  const auto events = ctx.events();
  const Event& e = events[1];
  const Value* name = e.get(FieldRef::must("[host][name]"));
  ASSERT_NE(name, nullptr) << fields_json_without(e, {});
  EXPECT_EQ(name->as_string(), local_hostname());
  const Value* sequence = e.get(FieldRef::must("[event][sequence]"));
  ASSERT_NE(sequence, nullptr) << fields_json_without(e, {});
  EXPECT_EQ(sequence->as_int(), 1);
  EXPECT_EQ(e.get_top("sequence"), nullptr);
}

}  // namespace
}  // namespace logpipe
