#include "engine/cli/terminal_style.h"

#include <unistd.h>

namespace logpipe {

bool TerminalStyle::from_choice(std::string_view choice, int fd, TerminalStyle* out) {
  if (choice == "always")
    *out = TerminalStyle(true);
  else if (choice == "never")
    *out = TerminalStyle(false);
  else if (choice == "auto")
    *out = TerminalStyle(isatty(fd) == 1);
  else
    return false;
  return true;
}

}  // namespace logpipe
