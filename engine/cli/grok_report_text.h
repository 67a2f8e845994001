// The readable form of a grok report (filters/grok/grok_diagnosis.h's
// grok_report): the captures of a match, or for a line no pattern matched,
// each pattern's matched parts, the part that failed, and the line with a
// caret under where matching stopped. Shared by `logpipe grok` and
// `logpipe sandbox`.
#pragma once

#include <string>
#include <string_view>

#include "engine/cli/terminal_style.h"
#include "engine/event/value.h"

namespace logpipe {

// Each output line starts with `indent`.
std::string render_grok_report(const Value& report, std::string_view line,
                               const TerminalStyle& style, std::string_view indent = "  ");

// The caret line for a byte offset of `line`: one column per UTF-8 character,
// tabs kept so the caret stays under the character on a terminal.
std::string caret_under(std::string_view line, size_t offset);

}  // namespace logpipe
