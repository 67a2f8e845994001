#include "engine/json_writer.h"

#include <charconv>
#include <cstring>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logpipe {

namespace {

// 0: copy as is; 1: needs a short escape or \u00XX; 2: start of a multi-byte sequence.
constexpr unsigned char kClass[256] = {
    // 0x00-0x1F control characters
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // '"' at 0x22
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  // '\\' at 0x5C
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,  // DEL 0x7F escaped for safety
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence starting at p, or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  size_t n = end - p;
  if (c >= 0xC2 && c <= 0xDF) return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Nonzero when any of the 8 bytes in w needs a look: a control character,
// '"', '\\', DEL or a non-ASCII byte. Lets plain ASCII text through 8 bytes
// at a time (SWAR: the classic "has a zero byte" trick).
inline uint64_t needs_attention(uint64_t w) {
  constexpr uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t x) { return (x - ones) & ~x & high; };
  uint64_t below_space = (w - ones * 0x20) & ~w & high;
  uint64_t quote = has_zero(w ^ (ones * '"'));
  uint64_t backslash = has_zero(w ^ (ones * '\\'));
  uint64_t del = has_zero(w ^ (ones * 0x7F));
  return below_space | quote | backslash | del | (w & high);
}

// The first byte at or after p that needs a look (see needs_attention), or end.
inline const unsigned char* skip_plain(const unsigned char* p, const unsigned char* end) {
#if defined(__SSE2__)
  // 16 bytes a step. The signed compare with 0x20 also catches every byte
  // of 0x80 and above (negative as int8): non-ASCII gets its UTF-8 check.
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
                backslash = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7F);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quote)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, del)));
    if (unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit)))
      return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    // The lowest flag is exact (borrows only run upwards).
    if (uint64_t flags = needs_attention(w)) return p + (__builtin_ctzll(flags) >> 3);
    p += 8;
  }
  while (p < end && kClass[*p] == 0) ++p;
  return p;
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  out += '"';
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  auto* end = p + s.size();
  auto* run = p;  // start of the bytes not yet copied to out
  for (;;) {
    p = skip_plain(p, end);
    if (p == end) break;
    if (kClass[*p] == 2) {
      if (size_t n = utf8_sequence(p, end)) {
        p += n;
        continue;
      }
      out.append(reinterpret_cast<const char*>(run), p - run);
      out.append(kReplacement, sizeof kReplacement - 1);
      run = ++p;
      continue;
    }
    out.append(reinterpret_cast<const char*>(run), p - run);
    switch (*p) {
      case '"': out.append("\\\"", 2); break;
      case '\\': out.append("\\\\", 2); break;
      case '\n': out.append("\\n", 2); break;
      case '\r': out.append("\\r", 2); break;
      case '\t': out.append("\\t", 2); break;
      case '\b': out.append("\\b", 2); break;
      case '\f': out.append("\\f", 2); break;
      default: {
        static const char hex[] = "0123456789abcdef";
        char buf[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
        out.append(buf, 6);
      }
    }
    run = ++p;
  }
  out.append(reinterpret_cast<const char*>(run), p - run);
  out += '"';
}

static void append_number(const Value& v, std::string& out) {
  char buf[32];
  if (v.is_int()) {
    auto r = std::to_chars(buf, buf + sizeof buf, v.as_int());
    out.append(buf, r.ptr - buf);
    return;
  }
  double d = v.as_float();
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, r.ptr - buf);
  out += s;
  // Keep a float a float for readers that type by form (1.0, not 1).
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_json(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::Null:
      out += "null";
      break;
    case Value::Kind::Bool:
      out += v.as_bool() ? "true" : "false";
      break;
    case Value::Kind::Int:
    case Value::Kind::Float:
      append_number(v, out);
      break;
    case Value::Kind::String:
      append_json_string(v.as_string(), out);
      break;
    case Value::Kind::Timestamp:
      out += '"';
      v.as_timestamp().append_iso8601(out);
      out += '"';
      break;
    case Value::Kind::Array: {
      out += '[';
      bool first = true;
      for (auto& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        append_json(e, out);
      }
      out += ']';
      break;
    }
    case Value::Kind::Object: {
      out += '{';
      bool first = true;
      for (auto& [k, e] : v.as_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(k, out);
        out += ':';
        append_json(e, out);
      }
      out += '}';
      break;
    }
  }
}

void append_event_json(const Event& e, std::string& out) {
  out += '{';
  bool first = true;
  for (auto& [k, v] : e.fields()) {
    if (!first) out += ',';
    first = false;
    append_json_string(k, out);
    out += ':';
    append_json(v, out);
  }
  out += '}';
}

std::string to_json(const Value& v) {
  std::string s;
  append_json(v, s);
  return s;
}

void append_json_pretty(const Value& v, std::string& out, int indent) {
  auto pad = [&](int n) { out.append(size_t(n) * 2, ' '); };
  if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (auto& e : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      append_json_pretty(e, out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += ']';
    return;
  }
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (auto& [k, e] : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      append_json_string(k, out);
      out += " => ";
      append_json_pretty(e, out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += '}';
    return;
  }
  append_json(v, out);
}

}  // namespace logpipe
