// age filter: seconds from @timestamp to now, in the default and a custom
// target, and an event without @timestamp.
#include "filters/age_filter.h"

#include <gtest/gtest.h>

#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;

TEST(AgeFilterTest, SecondsFromTimestampToNow) {
  auto filter = testing::make_test_filter(age_filter_info(), {});
  auto* age = dynamic_cast<AgeFilter*>(filter.get());
  ASSERT_NE(age, nullptr);
  struct {
    int64_t event_ns, now_ns;
    double expected;
  } cases[] = {{0, 1500000000, 1.5}, {1000000000, 1000000000, 0.0}, {5000000000, 2000000000, -3.0},
               {1700000000123000000, 1700000090623000000, 90.5}};
  for (auto& c : cases) {
    Event e("x", Timestamp{c.event_ns});
    age->filter_at(e, Timestamp{c.now_ns});
    const Value* v = e.get(FieldRef::must("[@metadata][age]"));
    ASSERT_TRUE(v && v->is_float());
    EXPECT_DOUBLE_EQ(v->as_float(), c.expected);
    EXPECT_FALSE(e.get_top("age"));
  }
}

TEST(AgeFilterTest, RealClockCustomTargetAndNoTimestamp) {
  auto filter = testing::make_test_filter(age_filter_info(),
                                          opts({{"target", Value("age")}, {"add_tag", Value(Array{Value("aged")})}}));
  testing::NullFilterContext ctx;
  Event old("x", Timestamp{Timestamp::now().nanos - 10'000'000'000});
  filter->filter(old, ctx);
  ASSERT_TRUE(old.get_top("age") && old.get_top("age")->is_float());
  EXPECT_GE(old.get_top("age")->as_float(), 10.0);
  EXPECT_LT(old.get_top("age")->as_float(), 20.0);
  EXPECT_TRUE(old.has_tag("aged"));

  Event none("x");
  none.fields().erase("@timestamp");
  filter->filter(none, ctx);
  EXPECT_FALSE(none.get_top("age"));
  EXPECT_FALSE(none.has_tag("aged"));
  EXPECT_THROW(testing::make_test_filter(age_filter_info(), opts({{"target", Value("[a")}})), OptionError);
}

}  // namespace
}  // namespace logpipe
