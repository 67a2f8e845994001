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

namespace logpipe {

inline constexpr size_t kJsonEscapeSlack = 64;

// Writes the escaped bytes of [p, end) at d; returns the end of what it wrote.
char* escape_json_body(const unsigned char* p, const unsigned char* end, char* d);

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
