// useragent filter: parses a User-Agent string into browser, OS and device
// fields, as Logstash's useragent filter (uap-core regexes, see ua_parser.h).
//
// Fields, for ecs_compatibility => disabled (at the root, or under target;
// each name after `prefix`): name, device, major, minor, patch, version,
// os_major, os_minor, os_patch, os_version, os_name, os (same as os_name),
// os_full. With v1/v8 (target defaults to [user_agent]; prefix is ignored):
// [name], [version], [device][name], [os][name], [os][version], [os][full],
// and the version parts under [@metadata][filter][user_agent]. The version
// strings are built as Logstash builds them (a fourth browser version part
// is taken from the text after major.minor.patch when it is a number; an OS
// version whose major is not a number joins minor with a space: "Vista SP2").
//
// A missing, empty or non-string source does nothing (Logstash has no
// failure tag here); an array source uses its first element. With target
// equal to source the source field is removed first, as in Logstash.
//
// The parser is built once per regexes file and shared by every worker; each
// worker keeps an LRU cache of lru_cache_size results keyed by the
// User-Agent text. One filter instance per worker: not thread-safe.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"
#include "filters/lru_cache.h"

namespace logpipe {

PluginInfo useragent_filter_info();

class UaParser;

class UseragentFilter : public Filter {
 public:
  explicit UseragentFilter(const PluginArgs& args);
  ~UseragentFilter() override;
  void filter(Event& e, FilterContext& ctx) override;

  enum Slot {
    kName, kDevice, kMajor, kMinor, kPatch, kVersion, kOsMajor, kOsMinor, kOsPatch,
    kOsVersion, kOsName, kLegacyOs, kOsFull, kSlotCount
  };
  // The values written for one User-Agent, in Logstash's order.
  using Fields = std::vector<std::pair<Slot, std::string>>;
  // The parse the filter does, through the cache; exposed for benchmarks.
  const Fields& lookup(std::string_view ua);
  size_t cache_entries() const { return cache_.size(); }

 private:
  Fields resolve(std::string_view ua) const;

  std::shared_ptr<const UaParser> parser_;
  FieldRef source_;
  bool remove_source_ = false;
  std::array<std::optional<FieldRef>, kSlotCount> refs_;
  LruCache<Fields> cache_;
};

}  // namespace logpipe
