// shared_by_path: one read-only instance per file path, shared by every
// filter worker (and every filter naming the same file) while any holds it.
// Used for what is costly to load and safe to share: a memory-mapped geoip
// database, a compiled set of user-agent regexes. `load` runs under a lock
// and may throw; nothing is cached then.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace logpipe {

template <class T, class Load>
std::shared_ptr<const T> shared_by_path(const std::string& path, Load load) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<const T>> loaded;
  std::lock_guard<std::mutex> lock(mu);
  if (auto held = loaded[path].lock()) return held;
  std::shared_ptr<const T> fresh = load(path);
  loaded[path] = fresh;
  return fresh;
}

}  // namespace logpipe
