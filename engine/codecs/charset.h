// CharsetDecoder: the `charset` option of the codecs. Input bytes in the
// configured character set become UTF-8 before they reach an event.
//
// Supported (names case-insensitive, with Ruby's aliases):
//   UTF-8                       bytes kept as they are; invalid sequences are
//                               carried and repaired to U+FFFD only when the
//                               event is written as JSON (Logstash would
//                               instead put Ruby's escaped form in the event)
//   ISO-8859-1                  Latin-1, each byte is its code point
//   Windows-1252 (CP1252)       Latin-1 plus the Windows punctuation at 0x80-0x9F
//   US-ASCII, ASCII-8BIT, BINARY  bytes above 0x7F become U+FFFD, as Ruby's
//                               encode(..., undef: :replace) does
// Any other name is refused with OptionError("charset", ...) when the plugin
// is built, rather than decoding text wrongly. Thread-safe (immutable).
#pragma once

#include <string>
#include <string_view>

namespace logpipe {

class CharsetDecoder {
 public:
  CharsetDecoder() = default;  // UTF-8
  explicit CharsetDecoder(std::string_view name);

  // True for UTF-8: the data can be used as it is, no conversion needed.
  bool passthrough() const { return kind_ == Kind::Utf8; }
  // Appends data converted to UTF-8.
  void append_utf8(std::string_view data, std::string& out) const;
  std::string to_utf8(std::string_view data) const;

 private:
  enum class Kind { Utf8, Latin1, Windows1252, Ascii };
  Kind kind_ = Kind::Utf8;
};

}  // namespace logpipe
