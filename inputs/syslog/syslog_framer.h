// SyslogFramer: cuts one TCP byte stream into syslog frames (RFC 6587).
//
// Decided frame by frame: a frame that starts with 1-10 digits and a space is
// octet-counted ("LEN SP MSG": exactly LEN bytes, no delimiter); anything
// else ends at LF (a CR before it is the parser's business). Empty frames are
// skipped. So a connection may switch between the two, and a stray LF after
// an octet-counted frame is harmless.
//
// Bounded memory: a frame longer than max_frame is cut to max_frame and
// flagged `truncated`, the rest of it is read and dropped (the stream stays in
// step); at most max_frame plus one chunk is buffered. finish() at end of
// stream: an octet-counted frame cut short is handed on with what arrived,
// flagged `incomplete`; an LF frame without LF is a normal last frame.
//
// Not thread-safe: one framer per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace logpipe {

struct FrameFlags {
  bool truncated = false;   // longer than the maximum: cut
  bool incomplete = false;  // the stream ended before the frame's end
};

class SyslogFramer {
 public:
  explicit SyslogFramer(size_t max_frame) : max_(max_frame < 1 ? 1 : max_frame) {}

  // Calls on_frame(std::string_view frame, FrameFlags) for each frame that
  // data completes; the view lives only during the call.
  template <class OnFrame>
  void feed(std::string_view data, OnFrame&& on_frame) {
    if (pending_.empty()) {
      size_t used = cut(data, on_frame);
      pending_.assign(data.substr(used));
    } else {
      pending_.append(data);
      size_t used = cut(std::string_view(pending_), on_frame);
      pending_.erase(0, used);
    }
  }

  template <class OnFrame>
  void finish(OnFrame&& on_frame) {
    std::string rest;
    rest.swap(pending_);
    if (rest.empty() || skip_ > 0 || discard_line_) return;
    std::string_view d = rest;
    size_t k = count_digits(d);
    if (k > 0 && k < d.size() && d[k] == ' ') {
      if (d.size() > k + 1) on_frame(d.substr(k + 1), FrameFlags{false, true});
      return;
    }
    if (d.back() == '\r') d.remove_suffix(1);
    if (!d.empty()) on_frame(d, FrameFlags{});
  }

  size_t buffered() const { return pending_.size(); }

 private:
  static constexpr size_t kMaxCountDigits = 10;
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static size_t count_digits(std::string_view d) {
    size_t k = 0;
    while (k < d.size() && k < kMaxCountDigits && is_digit(d[k])) ++k;
    return k;
  }

  // Returns how many bytes were used; the rest starts a frame needing more.
  template <class OnFrame>
  size_t cut(std::string_view data, OnFrame& on_frame) {
    size_t pos = 0;
    while (pos < data.size()) {
      std::string_view d = data.substr(pos);
      if (skip_ > 0) {
        size_t n = skip_ < d.size() ? skip_ : d.size();
        skip_ -= n;
        pos += n;
        continue;
      }
      if (discard_line_) {
        size_t nl = d.find('\n');
        if (nl == std::string_view::npos) return data.size();
        discard_line_ = false;
        pos += nl + 1;
        continue;
      }
      if (is_digit(d[0])) {
        size_t k = 0;
        uint64_t len = 0;
        while (k < d.size() && k < kMaxCountDigits && is_digit(d[k]))
          len = len * 10 + (d[k++] - '0');
        if (k == d.size()) return pos;  // the count is not complete yet
        if (d[k] == ' ') {
          std::string_view body = d.substr(k + 1);
          if (len <= max_) {
            if (body.size() < len) return pos;
            if (len > 0) on_frame(body.substr(0, len), FrameFlags{});
            pos += k + 1 + len;
          } else {
            if (body.size() < max_) return pos;
            on_frame(body.substr(0, max_), FrameFlags{true, false});
            skip_ = len - max_;
            pos += k + 1 + max_;
          }
          continue;
        }
        // Digits without a space after them: not a count but an LF frame.
      }
      size_t nl = d.find('\n');
      if (nl == std::string_view::npos) {
        // A line of exactly max_ bytes may still end in CRLF: its CR is not
        // the frame's, so wait for the LF rather than call the line cut.
        bool cr_of_full_line = d.size() == max_ + 1 && d.back() == '\r';
        if (d.size() <= max_ || cr_of_full_line) return pos;
        on_frame(d.substr(0, max_), FrameFlags{true, false});
        discard_line_ = true;
        pos += max_;
        continue;
      }
      std::string_view line = d.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > max_)
        on_frame(line.substr(0, max_), FrameFlags{true, false});
      else if (!line.empty())
        on_frame(line, FrameFlags{});
      pos += nl + 1;
    }
    return pos;
  }

  size_t max_;
  std::string pending_;
  uint64_t skip_ = 0;          // rest of an oversized octet-counted frame to drop
  bool discard_line_ = false;  // rest of an oversized LF frame to drop
};

}  // namespace logpipe
