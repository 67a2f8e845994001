#include "filters/grok/pattern_library.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace logpipe {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
}  // namespace

// Same reading as Logstash: strip the line, skip blanks and comments, split at
// the first run of whitespace; the rest of the line is the definition.
void PatternLibrary::add_file_text(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
    while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    size_t name_end = 0;
    while (name_end < line.size() && !is_space(line[name_end])) ++name_end;
    std::string_view name = line.substr(0, name_end);
    std::string_view rest = line.substr(name_end);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    add(std::string(name), std::string(rest));
  }
}

void PatternLibrary::add(std::string name, std::string definition) {
  patterns_[std::move(name)] = std::move(definition);
}

void PatternLibrary::add_builtin(const std::vector<std::pair<std::string, std::string>>& files,
                                 std::string_view folder) {
  std::vector<const std::pair<std::string, std::string>*> chosen;
  for (auto& file : files) {
    std::string_view path = file.first;
    if (path.size() > folder.size() && path.substr(0, folder.size()) == folder &&
        path[folder.size()] == '/')
      chosen.push_back(&file);
  }
  std::sort(chosen.begin(), chosen.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (auto* file : chosen) add_file_text(file->second);
}

bool PatternLibrary::add_path(const std::string& path, const std::string& glob,
                              std::string* error, size_t* files_read) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  if (fs::is_directory(path, ec)) {
    for (auto& entry : fs::directory_iterator(path, ec)) {
      if (!entry.is_regular_file(ec)) continue;
      std::string name = entry.path().filename().string();
      if (fnmatch(glob.c_str(), name.c_str(), FNM_PERIOD) == 0) files.push_back(entry.path().string());
    }
    if (ec) {
      if (error) *error = "cannot list patterns_dir " + path + ": " + ec.message();
      return false;
    }
    std::sort(files.begin(), files.end());
  } else if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
  } else {
    // Logstash globs a missing directory to no files at all.
    if (files_read) *files_read = 0;
    return true;
  }
  for (auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      if (error) *error = "cannot read pattern file " + file;
      return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    add_file_text(text.str());
  }
  if (files_read) *files_read = files.size();
  return true;
}

const std::string* PatternLibrary::find(std::string_view name) const {
  auto it = patterns_.find(std::string(name));
  return it == patterns_.end() ? nullptr : &it->second;
}

}  // namespace logpipe
