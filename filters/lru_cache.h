// LruCache: a bounded map that forgets the least recently used entry, for the
// per-worker lookup caches of filters (geoip, useragent).
//
// Keys are strings, looked up by string_view without a copy. find() moves a
// hit to the front; put() inserts at the front and evicts from the back once
// `capacity` entries are held. A capacity of 0 caches nothing. Not
// thread-safe: each filter worker owns its cache.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace logpipe {

template <class V>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  // The cached value, or nullptr. Valid until the next put().
  const V* find(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  const V& put(std::string_view key, V value) {
    if (capacity_ == 0) {
      uncached_ = std::move(value);
      return uncached_;
    }
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(value);
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    if (index_.size() >= capacity_) {
      index_.erase(std::string_view(order_.back().first));
      order_.pop_back();
    }
    order_.emplace_front(std::string(key), std::move(value));
    index_.emplace(std::string_view(order_.front().first), order_.begin());
    return order_.front().second;
  }

  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<std::string, V>;
  size_t capacity_;
  std::list<Entry> order_;  // most recent first; owns the key text
  std::unordered_map<std::string_view, typename std::list<Entry>::iterator> index_;
  V uncached_;
};

}  // namespace logpipe
