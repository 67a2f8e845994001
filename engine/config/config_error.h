// Config errors: where in which file, and what is wrong.
//
// Every stage that reads a pipeline configuration (parser, compiler, plugin
// option checks) reports problems as ConfigError values pointing at a
// SourceLoc, and throws them together in one ConfigException. format_error
// renders one error the way compilers do, so the user sees the line and a
// caret under the offending character:
//
//   pipeline.conf:3:12: expected '=>' after attribute name "match"
//     grok { match { "message" => "%{WORD}" } }
//              ^
//
// Lines and columns are 1-based; a column counts bytes, not characters.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace logpipe::config {

struct SourceLoc {
  std::string file;  // SourceFile::name of the file the position is in
  int line = 0;      // 1-based; 0 means "no position known"
  int column = 0;    // 1-based byte offset within the line
};

// One configuration text. `name` is what errors show: a path such as
// "pipeline.conf", or "config string" for -e.
struct SourceFile {
  std::string name;
  std::string text;
};

struct ConfigError {
  SourceLoc loc;
  std::string message;
};

// "file:line:column: message", then the source line and a caret under the
// column. Tabs before the column are repeated as tabs and a multi-byte UTF-8
// character as one space, so the caret lines up in a terminal. When the file
// is not among `sources` (or the line does not exist) only the first line is
// produced. No trailing newline.
std::string format_error(const ConfigError& e, const std::vector<SourceFile>& sources);
// The error as one JSON object for machines (`--log.format json`):
// {"level":"ERROR","file":...,"line":...,"column":...,"message":...}.
std::string format_error_json(const ConfigError& e);

// Thrown with at least one error. what() holds every error, one per line,
// formatted with format_error when the sources were given.
struct ConfigException : std::runtime_error {
  std::vector<ConfigError> errors;

  explicit ConfigException(std::vector<ConfigError> errs);
  ConfigException(std::vector<ConfigError> errs, const std::vector<SourceFile>& sources);
};

}  // namespace logpipe::config
