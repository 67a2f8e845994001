#include "engine/text/json_escape.h"

#include <cstdint>
#include <cstring>

#include "engine/text/utf8.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LOGPIPE_JSON_ESCAPE_X86 1
#endif

namespace logpipe {

namespace {

using json_escape_impl::look_flags;

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// A byte the copy loops stop at: control characters, '"', '\\', DEL and
// every byte of 0x80 and above (so that UTF-8 gets checked).
inline bool needs_look(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x7F; }

// Writes the escape of the byte at p (one that needs_look), or the whole
// UTF-8 sequence starting there, and steps past it.
inline void escape_one(const unsigned char*& p, const unsigned char* end, char*& d) {
  const unsigned char c = *p;
  if (c >= 0x80) {
    // Non-ASCII text comes in runs (a word, a sentence in another script):
    // take the whole run here instead of one sequence per block.
    do {
      if (size_t n = utf8_sequence_length(p, end)) {
        for (size_t i = 0; i < n; ++i) d[i] = static_cast<char>(p[i]);
        d += n, p += n;
      } else {
        std::memcpy(d, kReplacement, 3);
        d += 3, ++p;
      }
    } while (p < end && *p >= 0x80);
    return;
  }
  char short_escape = 0;
  switch (c) {
    case '"': short_escape = '"'; break;
    case '\\': short_escape = '\\'; break;
    case '\n': short_escape = 'n'; break;
    case '\r': short_escape = 'r'; break;
    case '\t': short_escape = 't'; break;
    case '\b': short_escape = 'b'; break;
    case '\f': short_escape = 'f'; break;
    default: break;
  }
  if (short_escape) {
    d[0] = '\\', d[1] = short_escape;
    d += 2;
  } else {
    static const char hex[] = "0123456789abcdef";
    const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    std::memcpy(d, u, 6);
    d += 6;
  }
  ++p;
}

char* escape_scalar(const unsigned char* p, const unsigned char* end, char* d) {
  while (p < end) {
    if (needs_look(*p))
      escape_one(p, end, d);
    else
      *d++ = static_cast<char>(*p++);
  }
  return d;
}

#if LOGPIPE_JSON_ESCAPE_X86

// The bytes of v that need a look, one bit each. The signed compare with
// 0x20 also catches 0x80 and above (negative as int8).
inline unsigned look_mask_16(__m128i v) {
  const __m128i hit =
      _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))));
  return static_cast<unsigned>(_mm_movemask_epi8(hit));
}

// Fewer than 16 bytes left (a field name, a short value): 8 at a time, then
// the last few with one 8-byte load that overlaps bytes already done (when
// the string has 8 bytes before its end), or two overlapping 4-byte loads for
// a string that short. Only a byte that needs a look goes byte by byte. Not
// a padded 16-byte block: filling one with small stores and loading it back
// whole defeats store forwarding, a stall per string. Inlined into both
// widths so that the AVX2 one never runs legacy SSE code after 256-bit code
// (which stalls without a vzeroupper between them). start: the string's
// first byte, the lowest address that may be read.
__attribute__((always_inline)) inline char* escape_tail_16(const unsigned char* start, const unsigned char* p,
                                                            const unsigned char* end, char* d) {
  for (;;) {
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      std::memcpy(d, &w, 8);
      if (const uint64_t flags = look_flags(w)) {
        const auto k = static_cast<unsigned>(__builtin_ctzll(flags) >> 3);
        p += k, d += k;
        escape_one(p, end, d);
      } else {
        p += 8, d += 8;
      }
    }
    const auto k = static_cast<unsigned>(end - p);
    if (k == 0) return d;
    if (end - start < 8) break;
    // The last 8 bytes, shifted so that p's k bytes come first (little
    // endian); the flags of the bytes shifted in (zeros) are masked off, and
    // the lowest of p's is exact (a borrow only runs upwards, from a hit).
    uint64_t w;
    std::memcpy(&w, end - 8, 8);
    w >>= 8 * (8 - k);
    std::memcpy(d, &w, 8);
    const uint64_t flags = look_flags(w) & (~uint64_t{0} >> (8 * (8 - k)));
    if (flags == 0) return d + k;
    const auto at = static_cast<unsigned>(__builtin_ctzll(flags) >> 3);
    p += at, d += at;
    escape_one(p, end, d);
  }
  // A string under 8 bytes.
  const auto k = static_cast<unsigned>(end - p);
  if (k >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, end - 4, 4);
    if ((look_flags(a) | look_flags(b)) == 0) {
      std::memcpy(d + k - 4, &b, 4);
      std::memcpy(d, &a, 4);
      return d + k;
    }
  }
  return escape_scalar(p, end, d);
}

__attribute__((always_inline)) inline char* escape_16(const unsigned char* start, const unsigned char* p,
                                                       const unsigned char* end, char* d) {
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d), v);
    if (const unsigned mask = look_mask_16(v)) {
      const unsigned k = static_cast<unsigned>(__builtin_ctz(mask));
      p += k, d += k;
      escape_one(p, end, d);
    } else {
      p += 16, d += 16;
    }
  }
  return p == end ? d : escape_tail_16(start, p, end, d);
}

char* escape_sse2(const unsigned char* p, const unsigned char* end, char* d) { return escape_16(p, p, end, d); }

__attribute__((target("avx2"))) char* escape_avx2(const unsigned char* p, const unsigned char* end, char* d) {
  const unsigned char* const start = p;
  const __m256i space = _mm256_set1_epi8(0x20), quote = _mm256_set1_epi8('"'),
                backslash = _mm256_set1_epi8('\\'), del = _mm256_set1_epi8(0x7F);
  while (end - p >= 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d), v);
    const __m256i hit = _mm256_or_si256(_mm256_or_si256(_mm256_cmpgt_epi8(space, v), _mm256_cmpeq_epi8(v, quote)),
                                        _mm256_or_si256(_mm256_cmpeq_epi8(v, backslash), _mm256_cmpeq_epi8(v, del)));
    if (const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(hit))) {
      const unsigned k = static_cast<unsigned>(__builtin_ctz(mask));
      p += k, d += k;
      escape_one(p, end, d);
    } else {
      p += 32, d += 32;
    }
  }
  return escape_16(start, p, end, d);
}

json_escape_impl::Fn pick_escaper() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? escape_avx2 : escape_sse2;
}

#endif

}  // namespace

namespace json_escape_impl {
const Fn scalar = escape_scalar;
#if LOGPIPE_JSON_ESCAPE_X86
const Fn sse2 = escape_sse2;
const Fn avx2 = __builtin_cpu_supports("avx2") ? escape_avx2 : nullptr;
#else
const Fn sse2 = nullptr;
const Fn avx2 = nullptr;
#endif
}  // namespace json_escape_impl

json_escape_impl::Fn json_escape_impl::best() {
#if LOGPIPE_JSON_ESCAPE_X86
  // A function-local static: writers may run during other files' static
  // initialisation, before a namespace-scope pointer would be set.
  static const Fn escaper = pick_escaper();
  return escaper;
#else
  return escape_scalar;
#endif
}

char* escape_json_body(const unsigned char* p, const unsigned char* end, char* d) {
  return json_escape_impl::best()(p, end, d);
}

}  // namespace logpipe
