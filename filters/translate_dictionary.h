// The dictionary of the translate filter: what it holds, how a dictionary
// file is read and refreshed, and how a value is looked up in it.
//
// TranslateDictionary is an immutable snapshot (keys in dictionary order, an
// index for exact lookups). It is shared: by the workers' copies of one
// filter, and between a DictionaryFile and its readers.
//
// DictionaryFile reads `dictionary_path` (YAML, JSON or CSV, by extension)
// and refreshes it. One DictionaryFile serves every worker copy of a filter:
// a thread of its own wakes every `refresh_interval`, reloads the file (for
// intervals up to 300 s only when it changed, as Logstash does) and publishes
// the new snapshot atomically under a new version number; the workers pick it
// up at their next batch and never wait for a load. A file that cannot be
// read or does not check at refresh leaves the old snapshot in place and is
// logged; at start it is an error for the caller to report. `merge` keeps the
// entries the file no longer has, `replace` drops them.
//
// DictionaryMatcher looks a text up in a snapshot: exactly, with the keys as
// regular expressions (first match in dictionary order wins), or replacing
// every key found inside the text (exact => false). It compiles its regexes
// itself, so each worker holds its own (RE2 shares a lazily built DFA under a
// lock otherwise). Not thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <re2/set.h>

#include "engine/event/value.h"


namespace logpipe {

struct TranslateDictionary {
  using Entry = std::pair<std::string, Value>;
  std::vector<Entry> entries;                            // dictionary order
  std::unordered_map<std::string_view, size_t> index;    // key -> entries[i]

  // A later duplicate key replaces the value and keeps the first position,
  // as a Ruby hash does.
  static std::shared_ptr<const TranslateDictionary> build(std::vector<Entry> entries);
  const Value* find(std::string_view key) const {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &entries[it->second].second;
  }
};

enum class MatchMode { Exact, Regex, Substring };

class DictionaryMatcher {
 public:
  DictionaryMatcher();
  ~DictionaryMatcher();
  DictionaryMatcher(DictionaryMatcher&&) noexcept;
  DictionaryMatcher& operator=(DictionaryMatcher&&) noexcept;

  // Compiles what the mode needs. Throws std::runtime_error naming the key
  // for a regex that cannot be used.
  DictionaryMatcher(MatchMode mode, std::shared_ptr<const TranslateDictionary> dictionary);

  // The translation of text into *out; false when nothing matched (for
  // Substring: when the replaced text equals the original).
  bool lookup(std::string_view text, Value* out);
  const TranslateDictionary& dictionary() const { return *dictionary_; }

 private:
  MatchMode mode_ = MatchMode::Exact;
  std::shared_ptr<const TranslateDictionary> dictionary_;
  std::vector<std::unique_ptr<re2::RE2>> regexes_;  // Regex: one per key, in order
  // Regex: every key in one pass; the lowest index that matched wins. Unset
  // (or out of memory on a text) falls back to trying regexes_ in order.
  std::unique_ptr<re2::RE2::Set> any_regex_;
  std::unique_ptr<re2::RE2> any_key_;                // Substring: every key, escaped, in order
};

enum class DictionaryFormat { Yaml, Json, Csv };

struct DictionaryFileOptions {
  std::string path;
  DictionaryFormat format = DictionaryFormat::Yaml;
  double refresh_interval = 300;  // seconds; <= 0: never
  bool replace = false;           // refresh_behaviour => replace
  int64_t yaml_code_point_limit = 134217728;
  bool yaml_streaming = false;    // yaml_load_strategy => streaming
};

// The format named by the file's extension; false for any other.
bool dictionary_format_of(std::string_view path, DictionaryFormat* out);

// The entries of a dictionary file, in file order. Throws std::runtime_error
// with the reason (and the line, where the parser knows it).
std::vector<TranslateDictionary::Entry> read_dictionary_file(const DictionaryFileOptions& options);

class DictionaryFile {
 public:
  // Throws (std::runtime_error) on a new snapshot that cannot be used.
  using Check = std::function<void(const std::shared_ptr<const TranslateDictionary>&)>;

  // The one DictionaryFile of `owner` (the filter's id) for these options,
  // loaded now if no copy of the filter has it yet. Throws
  // std::runtime_error when that first load fails.
  static std::shared_ptr<DictionaryFile> open(const std::string& owner,
                                              const DictionaryFileOptions& options,
                                              const std::string& check_kind, Check check);

  DictionaryFile(DictionaryFileOptions options, Check check);
  ~DictionaryFile();  // stops the refresh thread
  DictionaryFile(const DictionaryFile&) = delete;
  DictionaryFile& operator=(const DictionaryFile&) = delete;

  // Bumped each time a new snapshot is published.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const TranslateDictionary> current() const;
  // What the refresh thread does each interval: reloads the file if due
  // (changed, for intervals up to 300 s); a failure is logged and keeps the
  // old snapshot.
  void refresh();

 private:
  struct Stamp {
    // A file replaced by rename has a new inode even within one mtime tick.
    int64_t mtime_ns = -1;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const Stamp& o) const {
      return mtime_ns == o.mtime_ns && size == o.size && inode == o.inode;
    }
  };
  static bool stamp_of(const std::string& path, Stamp* out);
  void load();  // throws
  void refresh_loop();

  DictionaryFileOptions options_;
  Check check_;
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const TranslateDictionary> snapshot_;
  std::atomic<uint64_t> version_{0};
  Stamp stamp_;  // of the file last loaded; the refresh thread's once started
  std::mutex thread_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace logpipe
