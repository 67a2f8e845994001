// Every width of the JSON string escaper (scalar, SSE2, AVX2 where the CPU
// has it) gives the same bytes, whatever the input holds and wherever in a
// block the byte that needs escaping falls.
#include "engine/text/json_escape.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace logpipe {
namespace {

std::string run(json_escape_impl::Fn fn, const std::string& s) {
  // Exactly the room the contract asks for, on the heap so that the
  // sanitizer build sees a write past it.
  const size_t room = 6 * s.size() + kJsonEscapeSlack;
  auto buf = std::make_unique<char[]>(room);
  // The input in an allocation of its own size: a read past it is caught too.
  auto in = std::make_unique<unsigned char[]>(s.size() + 1);
  std::copy(s.begin(), s.end(), in.get());
  char* end = fn(in.get(), in.get() + s.size(), buf.get());
  EXPECT_LE(static_cast<size_t>(end - buf.get()), 6 * s.size());
  return std::string(buf.get(), end);
}

std::vector<std::pair<const char*, json_escape_impl::Fn>> widths() {
  std::vector<std::pair<const char*, json_escape_impl::Fn>> w;
  if (json_escape_impl::sse2) w.emplace_back("sse2", json_escape_impl::sse2);
  if (json_escape_impl::avx2) w.emplace_back("avx2", json_escape_impl::avx2);
  return w;
}

TEST(JsonEscapeWidths, KnownEscapes) {
  const std::string in = "a\"b\\c\nd\re\tf\bg\fh\x01i\x7fj\xc3\xa9k\xffl";
  const std::string want = "a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u007fj\xc3\xa9k\xEF\xBF\xBDl";
  EXPECT_EQ(run(json_escape_impl::scalar, in), want);
  for (auto [name, fn] : widths()) EXPECT_EQ(run(fn, in), want) << name;
}

TEST(JsonEscapeWidths, OddByteAtEveryOffsetAndLength) {
  const std::vector<std::string> odd = {"\"", "\\", "\n", "\x1f", "\x7f", "\xc3\xa9", "\xe6\x97\xa5",
                                        "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80"};
  for (size_t len = 0; len <= 70; ++len)
    for (size_t at = 0; at <= len; ++at)
      for (const std::string& o : odd) {
        std::string s(len, 'x');
        s.insert(at, o);
        const std::string want = run(json_escape_impl::scalar, s);
        for (auto [name, fn] : widths()) ASSERT_EQ(run(fn, s), want) << name << " len " << len << " at " << at;
      }
}

// The inline short-string copy either declines or writes what the escaper
// would (which, for a string it takes, is the string itself); it takes every
// clean string of up to 16 bytes and reads nothing outside the string.
TEST(JsonEscapeShort, CopiesCleanStringsUpTo16BytesAndDeclinesTheRest) {
  const std::vector<std::string> odd = {"\"", "\\", "\n", "\x1f", "\x7f", "\xc3\xa9", "\xff"};
  for (size_t len = 0; len <= 20; ++len) {
    std::vector<std::string> cases = {std::string(len, 'x')};
    for (size_t at = 0; at < len; ++at)
      for (const std::string& o : odd) {
        std::string s(len, 'x');
        s.replace(at, 1, o);
        cases.push_back(s.substr(0, len));
      }
    for (const std::string& s : cases) {
      auto in = std::make_unique<unsigned char[]>(s.size() + 1);
      std::copy(s.begin(), s.end(), in.get());
      auto out = std::make_unique<char[]>(6 * s.size() + kJsonEscapeSlack);
      char* end = copy_json_clean_short(in.get(), s.size(), out.get());
      const bool clean = s.size() <= 16 && s.find_first_not_of('x') == std::string::npos;
      ASSERT_EQ(end != nullptr, clean) << "len " << len << " '" << s << "'";
      if (end) EXPECT_EQ(std::string(out.get(), end), run(json_escape_impl::scalar, s));
    }
  }
}

TEST(JsonEscapeWidths, RandomBytes) {
  std::mt19937 rng(13);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 150, '\0');
    // Mostly ASCII letters, some of every other byte value.
    for (char& c : s) c = static_cast<char>(rng() % 4 ? 'a' + rng() % 26 : rng() % 256);
    const std::string want = run(json_escape_impl::scalar, s);
    for (auto [name, fn] : widths()) ASSERT_EQ(run(fn, s), want) << name;
  }
}

}  // namespace
}  // namespace logpipe
