#include "engine/codecs/charset.h"

#include <cstdint>
#include <initializer_list>

#include "engine/config/options.h"
#include "engine/text/utf8.h"

namespace logpipe {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = char(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = char(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (same_name(name, n)) return true;
  return false;
}

constexpr uint32_t kReplacement = 0xFFFD;

// Windows-1252 at 0x80-0x9F; the five unassigned bytes are undefined.
constexpr uint16_t kWindows1252High[32] = {
    0x20AC, kReplacement, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030,       0x0160, 0x2039, 0x0152, kReplacement, 0x017D, kReplacement,
    kReplacement, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122,       0x0161, 0x203A, 0x0153, kReplacement, 0x017E, 0x0178,
};

}  // namespace

CharsetDecoder::CharsetDecoder(std::string_view name) {
  if (one_of(name, {"UTF-8", "CP65001", "UTF8-MAC", "UTF-8-MAC", "UTF-8-HFS"})) {
    kind_ = Kind::Utf8;
  } else if (one_of(name, {"ISO-8859-1", "ISO8859-1"})) {
    kind_ = Kind::Latin1;
  } else if (one_of(name, {"Windows-1252", "CP1252"})) {
    kind_ = Kind::Windows1252;
  } else if (one_of(name, {"US-ASCII", "ASCII", "ANSI_X3.4-1968", "646", "ASCII-8BIT", "BINARY"})) {
    kind_ = Kind::Ascii;
  } else {
    throw OptionError("charset", "charset \"" + std::string(name) +
                                     "\" is not supported (supported: UTF-8, ISO-8859-1, "
                                     "Windows-1252, US-ASCII, ASCII-8BIT)");
  }
}

void CharsetDecoder::append_utf8(std::string_view data, std::string& out) const {
  if (kind_ == Kind::Utf8) {
    out.append(data);
    return;
  }
  out.reserve(out.size() + data.size());
  size_t run = 0;  // start of the pending run of ASCII bytes
  for (size_t i = 0; i < data.size(); ++i) {
    auto b = static_cast<unsigned char>(data[i]);
    if (b < 0x80) continue;
    out.append(data.data() + run, i - run);
    run = i + 1;
    switch (kind_) {
      case Kind::Latin1: logpipe::append_utf8(out, b); break;
      case Kind::Windows1252: logpipe::append_utf8(out, b < 0xA0 ? kWindows1252High[b - 0x80] : b); break;
      default: logpipe::append_utf8(out, kReplacement); break;
    }
  }
  out.append(data.data() + run, data.size() - run);
}

std::string CharsetDecoder::to_utf8(std::string_view data) const {
  std::string out;
  append_utf8(data, out);
  return out;
}

}  // namespace logpipe
