// The body of a JSON string: escapes and UTF-8 repair in one pass that copies
// and scans together, 32 bytes a step with AVX2 where the CPU has it (chosen
// once at run time, so the binary stays portable), 16 with SSE2 otherwise.
//
// Contract: d must have room for 6 * (end - p) + kJsonEscapeSlack bytes. The
// blocks are stored before they are scanned, so up to kJsonEscapeSlack bytes
// past the returned end may be written (and are garbage). Output: quotes,
// backslashes and the short control escapes as \" \\ \n \r \t \b \f, other
// control characters and DEL as \u00XX, valid UTF-8 copied, every invalid
// sequence as U+FFFD. Thread-safe; reads nothing past end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace logpipe {

inline constexpr size_t kJsonEscapeSlack = 64;

// Writes the escaped bytes of [p, end) at d; returns the end of what it wrote.
char* escape_json_body(const unsigned char* p, const unsigned char* end, char* d);

namespace json_escape_impl {
// Nonzero when any of the bytes of w (a uint64_t or a uint32_t) needs a look
// (a control character, '"', '\\', DEL, 0x80 and above); the lowest set flag
// is exact (borrows only run upwards). SWAR: the "has a zero byte" trick.
template <class Word>
inline Word look_flags(Word w) {
  constexpr Word ones = static_cast<Word>(~Word{0}) / 0xFF, high = ones * 0x80;
  auto has_zero = [](Word x) { return static_cast<Word>((x - ones) & ~x & high); };
  const Word below_space = (w - ones * 0x20) & ~w & high;
  return below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\')) | has_zero(w ^ (ones * 0x7F)) |
         (w & high);
}
}  // namespace json_escape_impl

// The common case of a field name or a short value, inline and without a
// call: when [p, p + n) has at most 16 bytes and none needs escaping, copies
// them to d (with two overlapping loads, reading nothing outside the string)
// and returns d + n; otherwise returns nullptr and writes nothing that
// matters (escape_json_body then does the whole string).
inline char* copy_json_clean_short(const unsigned char* p, size_t n, char* d) {
  // n in [sizeof(Word), 2 * sizeof(Word)]: two loads that overlap, or meet.
  auto two_words = [p, n, d](auto word) -> char* {
    using Word = decltype(word);
    Word a, b;
    std::memcpy(&a, p, sizeof a);
    std::memcpy(&b, p + n - sizeof b, sizeof b);
    if (json_escape_impl::look_flags(a) | json_escape_impl::look_flags(b)) return nullptr;
    std::memcpy(d, &a, sizeof a);
    std::memcpy(d + n - sizeof b, &b, sizeof b);
    return d + n;
  };
  if (n >= 8) return n <= 16 ? two_words(uint64_t{}) : nullptr;
  if (n >= 4) return two_words(uint32_t{});
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7F) return nullptr;
    d[i] = static_cast<char>(c);
  }
  return d + n;
}

// The implementations behind escape_json_body, for tests and benchmarks:
// each one is the same function at another width. avx2 is null when the CPU
// (or the build's target) has no AVX2.
namespace json_escape_impl {
using Fn = char* (*)(const unsigned char*, const unsigned char*, char*);
extern const Fn scalar, sse2, avx2;
// The widest this CPU runs, the one escape_json_body calls: a writer that
// escapes many strings keeps it instead of dispatching per string.
Fn best();
}  // namespace json_escape_impl

}  // namespace logpipe
