// RubyNumber: String#to_i/#to_f and Kernel#Float/Integer as grok and mutate
// share them, including where logpipe's int64 and double end.
#include "engine/text/ruby_number.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace logpipe {
namespace {

TEST(RubyNumberTest, ToIReadsTheLeadingNumber) {
  const std::pair<const char*, std::optional<int64_t>> cases[] = {
      {"12abc", 12}, {"  -7", -7}, {"+5", 5}, {"1_000", 1000}, {"1__0", 1}, {"_1", 0},
      {"", 0}, {"abc", 0}, {"\v\f3", 3}, {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"9223372036854775808", std::nullopt},  // a Bignum in Ruby: not clamped
      {"-99999999999999999999", std::nullopt},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(ruby_to_i(text), expected) << text;
}

TEST(RubyNumberTest, ToFReadsTheLeadingNumber) {
  const std::pair<const char*, std::optional<double>> cases[] = {
      {"1.5e3x", 1500.0}, {".5", 0.5}, {"1.", 1.0}, {"1e", 1.0}, {"1e+", 1.0}, {"-2_5.5", -25.5},
      {"abc", 0.0}, {"", 0.0}, {"0x1A", 0.0}, {"1e-999", 0.0},
      {"1e999", std::nullopt},  // Infinity in Ruby: not a finite double
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(ruby_to_f(text), expected) << text;
}

TEST(RubyNumberTest, KernelConversionsTakeTheWholeString) {
  EXPECT_EQ(ruby_float(" 1.5 "), 1.5);
  EXPECT_EQ(ruby_float("0x1p4"), 16.0);
  EXPECT_EQ(ruby_float("1."), std::nullopt);
  EXPECT_EQ(ruby_float("12abc"), std::nullopt);
  EXPECT_EQ(ruby_float("1e999"), std::nullopt);
  EXPECT_EQ(ruby_hex_integer("-0x1a"), -26);
  EXPECT_EQ(ruby_hex_integer("0x1g"), std::nullopt);
  EXPECT_EQ(big_decimal_to_i("1.5e3"), 1500);
  EXPECT_EQ(big_decimal_to_i("-2.5e0"), -2);
  EXPECT_EQ(big_decimal_to_i("1e30"), std::nullopt);
}

}  // namespace
}  // namespace logpipe
