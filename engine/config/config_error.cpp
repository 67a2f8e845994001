#include "engine/config/config_error.h"

#include <string_view>

#include "engine/text/json_writer.h"

namespace logpipe::config {

namespace {

std::string position_prefix(const SourceLoc& loc) {
  std::string out = loc.file;
  if (loc.line > 0) {
    out += ':' + std::to_string(loc.line);
    if (loc.column > 0) out += ':' + std::to_string(loc.column);
  }
  return out + ": ";
}

// The text of 1-based line `line`, without its line terminator; false when the
// text has fewer lines.
bool find_line(std::string_view text, int line, std::string_view& out) {
  size_t start = 0;
  for (int l = 1; l < line; ++l) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return false;
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  out = text.substr(start, end - start);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return true;
}

std::string join_errors(const std::vector<ConfigError>& errs,
                        const std::vector<SourceFile>* sources) {
  std::string out;
  for (const ConfigError& e : errs) {
    if (!out.empty()) out += '\n';
    out += sources ? format_error(e, *sources) : position_prefix(e.loc) + e.message;
  }
  return out;
}

}  // namespace

std::string format_error_json(const ConfigError& e) {
  std::string out = "{\"level\":\"ERROR\",\"file\":";
  append_json_string(e.loc.file, out);
  out += ",\"line\":" + std::to_string(e.loc.line) + ",\"column\":" + std::to_string(e.loc.column) +
         ",\"message\":";
  append_json_string(e.message, out);
  out += "}";
  return out;
}

std::string format_error(const ConfigError& e, const std::vector<SourceFile>& sources) {
  std::string out = position_prefix(e.loc) + e.message;
  if (e.loc.line <= 0 || e.loc.column <= 0) return out;
  const SourceFile* src = nullptr;
  for (const SourceFile& s : sources) {
    if (s.name == e.loc.file) {
      src = &s;
      break;
    }
  }
  std::string_view line;
  if (!src || !find_line(src->text, e.loc.line, line)) return out;

  out += '\n';
  out += line;
  out += '\n';
  size_t width = static_cast<size_t>(e.loc.column - 1);
  for (size_t i = 0; i < width; ++i) {
    if (i >= line.size()) {
      out += ' ';  // the error is past the end of the line (end of file)
      continue;
    }
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '\t') {
      out += '\t';
    } else if ((c & 0xC0) != 0x80) {  // UTF-8 continuation bytes take no column
      out += ' ';
    }
  }
  out += '^';
  return out;
}

ConfigException::ConfigException(std::vector<ConfigError> errs)
    : std::runtime_error(join_errors(errs, nullptr)), errors(std::move(errs)) {}

ConfigException::ConfigException(std::vector<ConfigError> errs,
                                 const std::vector<SourceFile>& sources)
    : std::runtime_error(join_errors(errs, &sources)), errors(std::move(errs)) {}

}  // namespace logpipe::config
