// shared_by_path: one read-only instance per file, shared by every filter
// worker and every filter naming the same file. For what is costly to load
// and safe to share: a memory-mapped geoip database, a compiled set of
// user-agent regexes.
//
// Loaded instances are kept for the life of the process (the config is
// built once to check it and again for each worker; without keeping it the
// work would be done twice), and loaded again when the file's size or
// modification time changed since (a database updated by geoipupdate).
// `load` runs under a lock and may throw; nothing is kept then.
#pragma once

#include <sys/stat.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace logpipe {

template <class T, class Load>
std::shared_ptr<const T> shared_by_path(const std::string& path, Load load) {
  struct Loaded {
    std::shared_ptr<const T> value;
    long long size = -1, mtime_ns = -1;
  };
  static std::mutex mu;
  static std::map<std::string, Loaded> loaded;
  struct stat st {};
  long long size = -1, mtime_ns = -1;
  if (::stat(path.c_str(), &st) == 0) {
    size = static_cast<long long>(st.st_size);
    mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  }
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded.find(path);
  if (it != loaded.end() && it->second.size == size && it->second.mtime_ns == mtime_ns)
    return it->second.value;
  std::shared_ptr<const T> fresh = load(path);
  loaded[path] = Loaded{fresh, size, mtime_ns};
  return fresh;
}

}  // namespace logpipe
