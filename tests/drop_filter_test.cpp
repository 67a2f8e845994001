// drop filter: drops everything by default, a seeded random share with
// `percentage`, and applies the common options to the events it keeps.
#include "filters/drop_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace logpipe {
namespace {

class NoEmitContext : public FilterContext {
 public:
  void emit(std::unique_ptr<Event> e) override { emitted.push_back(std::move(e)); }
  std::vector<std::unique_ptr<Event>> emitted;
};

Settings drop_settings(const Object& overrides) {
  Settings settings;
  for (auto& spec : drop_filter_info().all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  for (auto& [name, value] : overrides) settings.set(name, value);
  return settings;
}

Object percentage(Value p) {
  Object o;
  o.set("percentage", std::move(p));
  return o;
}

// Runs n fresh events through the filter; returns how many were cancelled.
int dropped_of(Filter& filter, int n) {
  NoEmitContext ctx;
  int dropped = 0;
  for (int i = 0; i < n; ++i) {
    Event e("line " + std::to_string(i));
    filter.filter(e, ctx);
    dropped += e.cancelled() ? 1 : 0;
  }
  EXPECT_TRUE(ctx.emitted.empty());
  return dropped;
}

TEST(DropFilterTest, DefaultDropsEveryEvent) {
  PluginInfo info = drop_filter_info();
  Settings settings = drop_settings({});
  PluginEnv env;
  auto filter = info.make_filter(PluginArgs{"drop", "drop_1", settings, env, nullptr});
  EXPECT_EQ(dropped_of(*filter, 1000), 1000);
}

TEST(DropFilterTest, ExtremePercentages) {
  struct Case {
    Value percentage;
    int expected_dropped;  // of 1000
  };
  const Case cases[] = {
      {Value(100), 1000}, {Value(100.0), 1000}, {Value(150), 1000},
      {Value(0), 0},      {Value(-5), 0},       {Value(0.0), 0},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.percentage.to_string());
    Settings settings = drop_settings(percentage(c.percentage));
    PluginEnv env;
    DropFilter filter(PluginArgs{"drop", "drop_1", settings, env, nullptr}, 7);
    EXPECT_EQ(dropped_of(filter, 1000), c.expected_dropped);
  }
}

// With a fixed seed the outcome is deterministic; the bounds are still those
// a fair coin would meet (more than 5 standard deviations wide), so any seed
// passes and a broken threshold or generator does not.
TEST(DropFilterTest, PercentageDropsThatShare) {
  struct Case {
    Value percentage;
    int events, min_dropped, max_dropped;
  };
  const Case cases[] = {
      {Value(40), 10000, 3750, 4250},
      {Value(12.5), 10000, 1050, 1450},
      {Value(99), 10000, 9850, 9950},
      {Value(0.5), 100000, 390, 610},
  };
  for (uint64_t seed : {uint64_t{0}, uint64_t{42}, uint64_t{0xDEADBEEF}}) {
    for (auto& c : cases) {
      SCOPED_TRACE("seed " + std::to_string(seed) + ", percentage " + c.percentage.to_string());
      Settings settings = drop_settings(percentage(c.percentage));
      PluginEnv env;
      DropFilter filter(PluginArgs{"drop", "drop_1", settings, env, nullptr}, seed);
      int dropped = dropped_of(filter, c.events);
      EXPECT_GE(dropped, c.min_dropped);
      EXPECT_LE(dropped, c.max_dropped);
    }
  }
}

TEST(DropFilterTest, SameSeedSameChoices) {
  Settings settings = drop_settings(percentage(Value(50)));
  PluginEnv env;
  DropFilter a(PluginArgs{"drop", "a", settings, env, nullptr}, 1234);
  DropFilter b(PluginArgs{"drop", "b", settings, env, nullptr}, 1234);
  DropFilter other(PluginArgs{"drop", "c", settings, env, nullptr}, 4321);
  NoEmitContext ctx;
  int differences_to_other = 0;
  for (int i = 0; i < 200; ++i) {
    Event ea("x"), eb("x"), ec("x");
    a.filter(ea, ctx);
    b.filter(eb, ctx);
    other.filter(ec, ctx);
    EXPECT_EQ(ea.cancelled(), eb.cancelled()) << "event " << i;
    differences_to_other += ea.cancelled() != ec.cancelled();
  }
  EXPECT_GT(differences_to_other, 50);  // independent streams differ about half the time
}

TEST(DropFilterTest, KeptEventsGetTheCommonOptions) {
  Object overrides = percentage(Value(50));
  Array tags;
  tags.emplace_back("sampled");
  overrides.set("add_tag", Value(tags));
  Settings settings = drop_settings(overrides);
  PluginEnv env;
  DropFilter filter(PluginArgs{"drop", "drop_1", settings, env, nullptr}, 99);
  NoEmitContext ctx;
  int kept = 0;
  for (int i = 0; i < 100; ++i) {
    Event e("x");
    filter.filter(e, ctx);
    if (e.cancelled()) continue;
    ++kept;
    EXPECT_TRUE(e.has_tag("sampled"));
  }
  EXPECT_GT(kept, 0);
}

TEST(DropFilterTest, InfoDeclaresPercentage) {
  PluginInfo info = drop_filter_info();
  EXPECT_EQ(info.name, "drop");
  EXPECT_EQ(info.kind, PluginKind::Filter);
  ASSERT_EQ(info.options.size(), 1u);
  EXPECT_EQ(info.options[0].name, "percentage");
  EXPECT_EQ(info.options[0].type, OptionType::Number);
  ASSERT_TRUE(info.options[0].default_value);
  EXPECT_EQ(info.options[0].default_value->as_int(), 100);
  bool has_periodic_flush = false;
  for (auto& o : info.all_options()) has_periodic_flush |= o.name == "periodic_flush";
  EXPECT_TRUE(has_periodic_flush);
}

}  // namespace
}  // namespace logpipe
