#include "engine/text/utf8.h"

#include <simdjson.h>

namespace logpipe {

int32_t decode_utf8(std::string_view s, size_t i, size_t* len) {
  auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  size_t n = utf8_sequence_length(p, reinterpret_cast<const unsigned char*>(s.data()) + s.size());
  if (n == 0) {
    *len = 1;
    return -1;
  }
  *len = n;
  static constexpr unsigned char kLeadBits[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  int32_t cp = p[0] & kLeadBits[n];
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (p[k] & 0x3F);
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool valid_utf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

void append_repaired_utf8(std::string_view text, std::string& out) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = p + text.size();
  auto* run = p;
  while (p < end) {
    if (size_t n = utf8_sequence_length(p, end)) {
      p += n;
      continue;
    }
    out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    out += kReplacement;
    run = ++p;
  }
  out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
}

}  // namespace logpipe
