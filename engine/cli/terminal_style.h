// TerminalStyle: colour for the debugging commands (`logpipe grok`,
// `logpipe sandbox`) on a terminal, plain text when piped, as --color says.
#pragma once

#include <string>
#include <string_view>

namespace logpipe {

class TerminalStyle {
 public:
  // choice: "auto" (colour when fd is a terminal), "always" or "never".
  // Returns false for anything else.
  static bool from_choice(std::string_view choice, int fd, TerminalStyle* out);
  explicit TerminalStyle(bool colour = false) : colour_(colour) {}

  std::string good(std::string_view s) const { return wrap("32", s); }   // green
  std::string bad(std::string_view s) const { return wrap("31;1", s); }  // bold red
  std::string name(std::string_view s) const { return wrap("36", s); }   // cyan
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string bold(std::string_view s) const { return wrap("1", s); }

 private:
  std::string wrap(const char* code, std::string_view s) const {
    if (!colour_) return std::string(s);
    return std::string("\033[") + code + "m" + std::string(s) + "\033[0m";
  }
  bool colour_;
};

}  // namespace logpipe
