// RubyCase: String#upcase, #downcase and #capitalize as mutate's uppercase,
// lowercase and capitalize options run them: ASCII in place, and for other
// text the simple Unicode case mappings of the alphabets logs mostly use
// (Latin, Greek, Cyrillic, Armenian, fullwidth), with Ruby's full mappings
// where one character becomes two (ß -> SS, İ -> i + combining dot).
// Invalid UTF-8 bytes are copied unchanged. Pure; thread-safe.
#pragma once

#include <string>

namespace logpipe {

enum class CaseOp { Upper, Lower, Capitalize };

// Recases s; `scratch` is reused for non-ASCII text so the work allocates
// only when a string grows.
void recase_string(std::string& s, CaseOp op, std::string& scratch);

}  // namespace logpipe
