// Utf8: the one definition of valid UTF-8 in logpipe, and the decoding and
// encoding built on it.
//
// Valid means RFC 3629, as simdjson and Elasticsearch read it: no overlong
// forms, no surrogates (U+D800-DFFF), nothing above U+10FFFF, no truncated
// sequence. Strings carry whatever bytes arrived (engine/event/value.h); each user
// of text decides what to do with an invalid byte (the JSON writer repairs
// it to U+FFFD, kafka drops a header, mutate copies it unchanged), but all
// of them agree on which bytes are invalid.
//
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace logpipe {

// Length (1-4) of the valid UTF-8 sequence starting at p, 0 when the bytes
// from p are not one. Requires p < end. Inline: the JSON writer calls it for
// every non-ASCII character it writes.
inline size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  size_t n = static_cast<size_t>(end - p);
  auto continuation = [&](size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return continuation(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// The character at s[i]: its code point, and its length in *len. An invalid
// byte is a character of length 1 with code point -1, so callers can copy it
// through and go on.
int32_t decode_utf8(std::string_view s, size_t i, size_t* len);

// Appends the UTF-8 encoding of a code point (at most U+10FFFF).
void append_utf8(std::string& out, uint32_t code_point);

// True when all of text is valid UTF-8 (simdjson's SIMD validator).
bool valid_utf8(std::string_view text);

// Appends text with each byte that starts no valid sequence replaced by
// U+FFFD, as the JSON writer does.
void append_repaired_utf8(std::string_view text, std::string& out);

}  // namespace logpipe
