#include "inputs/file/path_glob.h"

#include <dirent.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

namespace logpipe {

namespace {

void expand_braces(const std::string& pattern, std::vector<std::string>& out) {
  size_t open = pattern.find('{');
  if (open == std::string::npos) {
    out.push_back(pattern);
    return;
  }
  int depth = 0;
  std::vector<size_t> commas;
  size_t close = std::string::npos;
  for (size_t i = open; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      ++depth;
    } else if (pattern[i] == '}') {
      if (--depth == 0) {
        close = i;
        break;
      }
    } else if (pattern[i] == ',' && depth == 1) {
      commas.push_back(i);
    }
  }
  if (close == std::string::npos) {  // unbalanced: taken literally
    out.push_back(pattern);
    return;
  }
  std::string head = pattern.substr(0, open), tail = pattern.substr(close + 1);
  size_t start = open + 1;
  commas.push_back(close);
  for (size_t comma : commas) {
    expand_braces(head + pattern.substr(start, comma - start) + tail, out);
    start = comma + 1;
  }
}

bool has_glob_chars(std::string_view s) {
  return s.find_first_of("*?[\\") != std::string_view::npos;
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir == "/") return "/" + name;
  return dir + "/" + name;
}

bool is_directory(const std::string& path, unsigned char d_type) {
  if (d_type == DT_DIR) return true;
  if (d_type != DT_UNKNOWN) return false;
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void glob_walk(const std::string& dir, const std::vector<std::string>& parts, size_t i,
               std::vector<std::string>& out) {
  if (i == parts.size()) {
    out.push_back(dir);
    return;
  }
  const std::string& part = parts[i];
  if (part == "**") {
    glob_walk(dir, parts, i + 1, out);  // zero directories
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> subdirs;
    while (dirent* ent = readdir(d)) {
      if (ent->d_name[0] == '.') continue;
      std::string sub = join_path(dir, ent->d_name);
      if (is_directory(sub, ent->d_type)) subdirs.push_back(std::move(sub));
    }
    closedir(d);
    for (const auto& sub : subdirs) glob_walk(sub, parts, i, out);
    return;
  }
  if (!has_glob_chars(part)) {
    std::string next = join_path(dir, part);
    if (i + 1 == parts.size() || access(next.c_str(), F_OK) == 0)
      glob_walk(next, parts, i + 1, out);
    return;
  }
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> matches;
  while (dirent* ent = readdir(d)) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
    if (fnmatch(part.c_str(), ent->d_name, FNM_PERIOD) == 0) matches.push_back(ent->d_name);
  }
  closedir(d);
  for (const auto& m : matches) glob_walk(join_path(dir, m), parts, i + 1, out);
}

}  // namespace

void expand_glob(const std::string& pattern, std::vector<std::string>& out) {
  std::vector<std::string> patterns;
  expand_braces(pattern, patterns);
  for (const auto& p : patterns) {
    std::vector<std::string> parts;
    size_t start = 1;  // absolute: skip the leading '/'
    while (start <= p.size()) {
      size_t slash = p.find('/', start);
      if (slash == std::string::npos) slash = p.size();
      if (slash > start) parts.push_back(p.substr(start, slash - start));
      start = slash + 1;
    }
    glob_walk("/", parts, 0, out);
  }
}

}  // namespace logpipe
