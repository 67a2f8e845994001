#include "filters/mutate/ruby_case.h"

#include <cstdint>

#include "engine/text/utf8.h"

namespace logpipe {

namespace {

bool in(uint32_t c, uint32_t lo, uint32_t hi) { return c >= lo && c <= hi; }

// Simple (one to one) Unicode case mappings of the alphabets logs mostly use.
// In blocks where upper and lower case alternate, `upper_even` says which
// parity is the capital.
uint32_t alternating_upper(uint32_t c, bool upper_even) {
  return ((c & 1) == 0) == upper_even ? c : c - 1;
}
uint32_t alternating_lower(uint32_t c, bool upper_even) {
  return ((c & 1) == 0) == upper_even ? c + 1 : c;
}

uint32_t upper_of(uint32_t c) {
  if (in(c, 'a', 'z')) return c - 32;
  if (c < 0xB5) return c;
  if (c == 0xB5) return 0x39C;  // micro sign -> Greek capital mu
  if (in(c, 0xE0, 0xFE) && c != 0xF7) return c - 0x20;
  if (c == 0xFF) return 0x178;
  if (in(c, 0x100, 0x12F) || in(c, 0x132, 0x137) || in(c, 0x14A, 0x177)) return alternating_upper(c, true);
  if (c == 0x131) return 'I';
  if (in(c, 0x139, 0x148) || in(c, 0x179, 0x17E)) return alternating_upper(c, false);
  if (c == 0x17F) return 'S';
  if (in(c, 0x3B1, 0x3CB) && c != 0x3C2) return c - 0x20;
  if (c == 0x3C2) return 0x3A3;  // final sigma
  if (c == 0x3AC) return 0x386;
  if (in(c, 0x3AD, 0x3AF)) return c - 0x25;
  if (c == 0x3CC) return 0x38C;
  if (in(c, 0x3CD, 0x3CE)) return c - 0x3F;
  if (in(c, 0x430, 0x44F)) return c - 0x20;
  if (in(c, 0x450, 0x45F)) return c - 0x50;
  if (in(c, 0x460, 0x481) || in(c, 0x48A, 0x4BF) || in(c, 0x4D0, 0x52F)) return alternating_upper(c, true);
  if (in(c, 0x4C1, 0x4CE)) return alternating_upper(c, false);
  if (c == 0x4CF) return 0x4C0;
  if (in(c, 0x561, 0x586)) return c - 0x30;
  if (in(c, 0x1E00, 0x1E95) || in(c, 0x1EA0, 0x1EFF)) return alternating_upper(c, true);
  if (in(c, 0xFF41, 0xFF5A)) return c - 0x20;
  return c;
}

uint32_t lower_of(uint32_t c) {
  if (in(c, 'A', 'Z')) return c + 32;
  if (c < 0xC0) return c;
  if (in(c, 0xC0, 0xDE) && c != 0xD7) return c + 0x20;
  if (c == 0x178) return 0xFF;
  if (in(c, 0x100, 0x12F) || in(c, 0x132, 0x137) || in(c, 0x14A, 0x177)) return alternating_lower(c, true);
  if (in(c, 0x139, 0x148) || in(c, 0x179, 0x17E)) return alternating_lower(c, false);
  if (in(c, 0x391, 0x3AB) && c != 0x3A2) return c + 0x20;
  if (c == 0x386) return 0x3AC;
  if (in(c, 0x388, 0x38A)) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (in(c, 0x38E, 0x38F)) return c + 0x3F;
  if (in(c, 0x410, 0x42F)) return c + 0x20;
  if (in(c, 0x400, 0x40F)) return c + 0x50;
  if (in(c, 0x460, 0x481) || in(c, 0x48A, 0x4BF) || in(c, 0x4D0, 0x52F)) return alternating_lower(c, true);
  if (in(c, 0x4C1, 0x4CE)) return alternating_lower(c, false);
  if (c == 0x4C0) return 0x4CF;
  if (in(c, 0x531, 0x556)) return c + 0x30;
  if (c == 0x1E9E) return 0xDF;  // capital sharp s
  if (in(c, 0x1E00, 0x1E95) || in(c, 0x1EA0, 0x1EFF)) return alternating_lower(c, true);
  if (in(c, 0xFF21, 0xFF3A)) return c + 0x20;
  return c;
}


// Appends c in the requested case; the few mappings to two characters are
// Ruby's (full Unicode case mapping): ß -> SS / Ss, İ -> i + combining dot.
void append_cased(std::string& out, uint32_t c, bool upper, bool title) {
  if (upper && c == 0xDF) {
    out += title ? "Ss" : "SS";
    return;
  }
  if (!upper && c == 0x130) {
    out += "i\xCC\x87";
    return;
  }
  append_utf8(out, upper ? upper_of(c) : lower_of(c));
}

}  // namespace

void recase_string(std::string& s, CaseOp op, std::string& scratch) {
  bool ascii = true;
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (size_t i = 0; i < s.size(); ++i) {
      char& ch = s[i];
      bool upper = op == CaseOp::Upper || (op == CaseOp::Capitalize && i == 0);
      if (upper && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
      if (!upper && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    }
    return;
  }
  scratch.clear();
  scratch.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t len;
    int32_t cp = decode_utf8(s, i, &len);
    if (cp < 0) {
      scratch += s[i];
    } else {
      bool first = i == 0;
      bool upper = op == CaseOp::Upper || (op == CaseOp::Capitalize && first);
      append_cased(scratch, static_cast<uint32_t>(cp), upper, op == CaseOp::Capitalize && first);
    }
    i += len;
  }
  s.swap(scratch);
}

}  // namespace logpipe
