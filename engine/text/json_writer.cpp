#include "engine/text/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cmath>
#include <vector>

#include "engine/text/utf8.h"

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

// Writes JSON through a raw pointer into this thread's scratch buffer, then
// hands the whole to the caller's string in one copy: a JSON event is dozens
// of small pieces, and std::string's append per piece (a call, a capacity
// check, a memcpy call) cost more than the pieces themselves. Each writer
// method reserves its worst case first and then writes unchecked.
class Writer {
 public:
  Writer() : buf_(scratch()) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void finish(std::string& out) const { out.append(buf_.data(), len_); }

  void put(char c) { *room(1) = c, ++len_; }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    len_ += s.size();
  }

  void string(std::string_view s);
  void number(const Value& v);
  void value(const Value& v);
  void fields(const Object& o);

 private:
  static std::vector<char>& scratch() {
    thread_local std::vector<char> buf(4096);
    return buf;
  }
  // At least n writable bytes at the returned pointer.
  char* room(size_t n) {
    if (buf_.size() - len_ < n) buf_.resize(std::max(buf_.size() * 2, len_ + n));
    return buf_.data() + len_;
  }

  std::vector<char>& buf_;
  size_t len_ = 0;
};

void Writer::string(std::string_view s) {
  // Every input byte becomes at most 6 output bytes (\u00XX; U+FFFD is 3).
  char* const first = room(6 * s.size() + 2);
  char* d = first;
  *d++ = '"';
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  auto* end = p + s.size();
  auto* run = p;  // start of the bytes not yet copied
  auto copy_run = [&] {
    std::memcpy(d, run, static_cast<size_t>(p - run));
    d += p - run;
  };
  for (;;) {
    p = skip_plain(p, end);
    if (p == end) break;
    if (kClass[*p] == 2) {
      if (size_t n = utf8_sequence_length(p, end)) {
        p += n;
        continue;
      }
      copy_run();
      std::memcpy(d, kReplacement, 3);
      d += 3;
      run = ++p;
      continue;
    }
    copy_run();
    char escape = 0;
    switch (*p) {
      case '"': escape = '"'; break;
      case '\\': escape = '\\'; break;
      case '\n': escape = 'n'; break;
      case '\r': escape = 'r'; break;
      case '\t': escape = 't'; break;
      case '\b': escape = 'b'; break;
      case '\f': escape = 'f'; break;
      default: break;
    }
    if (escape) {
      d[0] = '\\', d[1] = escape;
      d += 2;
    } else {
      static const char hex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
      std::memcpy(d, u, 6);
      d += 6;
    }
    run = ++p;
  }
  copy_run();
  *d++ = '"';
  len_ += static_cast<size_t>(d - first);
}

void Writer::number(const Value& v) {
  char* const first = room(40);
  if (v.is_int()) {
    len_ += static_cast<size_t>(std::to_chars(first, first + 40, v.as_int()).ptr - first);
    return;
  }
  double d = v.as_float();
  if (!std::isfinite(d)) {
    put("null");
    return;
  }
  char* last = std::to_chars(first, first + 38, d).ptr;
  // Keep a float a float for readers that type by form (1.0, not 1).
  if (std::string_view(first, last - first).find_first_of(".e") == std::string_view::npos) {
    last[0] = '.', last[1] = '0';
    last += 2;
  }
  len_ += static_cast<size_t>(last - first);
}

void Writer::value(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null:
      put("null");
      break;
    case Value::Kind::Bool:
      put(v.as_bool() ? std::string_view("true") : std::string_view("false"));
      break;
    case Value::Kind::Int:
    case Value::Kind::Float:
      number(v);
      break;
    case Value::Kind::String:
      string(v.as_string());
      break;
    case Value::Kind::Timestamp: {
      thread_local std::string iso;
      iso.clear();
      v.as_timestamp().append_iso8601(iso);
      put('"');
      put(iso);
      put('"');
      break;
    }
    case Value::Kind::Array: {
      put('[');
      bool first = true;
      for (auto& e : v.as_array()) {
        if (!first) put(',');
        first = false;
        value(e);
      }
      put(']');
      break;
    }
    case Value::Kind::Object:
      fields(v.as_object());
      break;
  }
}

void Writer::fields(const Object& o) {
  put('{');
  bool first = true;
  for (auto& [k, e] : o) {
    if (!first) put(',');
    first = false;
    string(k);
    put(':');
    value(e);
  }
  put('}');
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  Writer w;
  w.string(s);
  w.finish(out);
}

void append_json(const Value& v, std::string& out) {
  Writer w;
  w.value(v);
  w.finish(out);
}

void append_event_json(const Event& e, std::string& out) {
  Writer w;
  w.fields(e.fields());
  w.finish(out);
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
