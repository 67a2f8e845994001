// Utf8: one definition of valid UTF-8 for the JSON reader and writer, kafka
// headers, rubydebug, mutate and the regex translator.
#include "engine/text/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace logpipe {
namespace {

TEST(Utf8Test, ValidMeansRfc3629) {
  const std::pair<const char*, bool> cases[] = {
      {"plain", true}, {"caf\xC3\xA9", true}, {"\xE2\x82\xAC", true}, {"\xF0\x9F\x98\x80", true},
      {"\xC0\xAF", false},           // overlong 2-byte
      {"\xE0\x80\xAF", false},       // overlong 3-byte (kafka's validator took it)
      {"\xED\xA0\x80", false},       // surrogate (kafka's validator took it)
      {"\xF4\x90\x80\x80", false},   // above U+10FFFF (kafka's validator took it)
      {"\xF5\x80\x80\x80", false},   // no such lead byte (kafka's validator took it)
      {"\xE2\x82", false},           // truncated
      {"\x80", false},               // lone continuation
  };
  for (const auto& [text, valid] : cases) {
    SCOPED_TRACE(testing::PrintToString(std::string(text)));
    EXPECT_EQ(valid_utf8(text), valid);
    // The byte-at-a-time reading agrees with simdjson's validator.
    std::string s(text);
    bool all = true;
    for (size_t i = 0, len = 0; i < s.size(); i += len) all &= decode_utf8(s, i, &len) >= 0;
    EXPECT_EQ(all, valid);
  }
}

TEST(Utf8Test, DecodeEncodeAndRepair) {
  size_t len = 0;
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98\x80", 0, &len), 0x1F600);
  EXPECT_EQ(len, 4u);
  EXPECT_EQ(decode_utf8("\xE2\x82", 0, &len), -1);
  EXPECT_EQ(len, 1u);
  std::string out;
  for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u}) append_utf8(out, cp);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  std::string repaired;
  append_repaired_utf8("a\xED\xA0\x80z", repaired);
  EXPECT_EQ(repaired, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
}

}  // namespace
}  // namespace logpipe
