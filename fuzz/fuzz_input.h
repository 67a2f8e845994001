// FuzzInput: reads a fuzzer's bytes as a few choices (flags, small numbers,
// lines) followed by the text under test, so one input drives both a
// plugin's options and what it parses. Running out of bytes yields zeros and
// empty strings, never an error: every input is a valid test case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace logpipe::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t byte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  bool flag() { return byte() & 1; }
  // Up to the next '\n' (dropped), or everything left.
  std::string_view line() {
    size_t nl = rest_.find('\n');
    std::string_view out = rest_.substr(0, nl);
    rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
    return out;
  }
  std::string_view rest() {
    std::string_view out = rest_;
    rest_ = {};
    return out;
  }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace logpipe::fuzz
