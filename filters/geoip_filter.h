// geoip filter: looks an IP address up in a MaxMind database, as Logstash's
// geoip filter.
//
// `source` holds the address (a string, or an array whose first element is
// used). The database (`database`, or the first GeoLite2-<default_database_type>
// .mmdb found where geoipupdate writes) decides the kind of lookup from its
// metadata type: City, Country, ASN, ISP, Domain, Enterprise or Anonymous-IP. `fields` narrows what is
// written; the default set depends on the kind (and, for City, on the ECS
// mode: legacy writes region_code, ECS region_iso_code). Results go under
// `target`: legacy names (`[geoip][country_code2]`) with
// ecs_compatibility => disabled, ECS names (`[client][geo][country_iso_code]`)
// with v1/v8, where target defaults to the parent of a `[...][ip]` source.
//
// Bad input, as Logstash: a missing, empty or blank source tags the event
// (tag_on_failure) and writes nothing; text that is not an IP address, or an
// address the database has no record for (private, loopback, unknown), or a
// City record without a location, sets target to {} when it is not there yet
// and tags. A source that is not a string is tagged too. Host names are not
// resolved (Logstash would ask DNS).
//
// The database is memory-mapped once per path and shared by every worker
// (libmaxminddb lookups are read-only); each worker keeps an LRU cache of
// cache_size results keyed by the source text. One filter instance per
// worker: not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"
#include "filters/lru_cache.h"

namespace logpipe {

PluginInfo geoip_filter_info();

class GeoipDatabase;

class GeoipFilter : public Filter {
 public:
  explicit GeoipFilter(const PluginArgs& args);
  ~GeoipFilter() override;
  void filter(Event& e, FilterContext& ctx) override;

  // What one address resolves to: values for the chosen fields, in
  // Logstash's field order, with the path below target of each. `found` is
  // false when the address is not valid or has no record.
  struct Result {
    bool found = false;
    std::vector<std::pair<const FieldRef*, Value>> values;
  };
  // The lookup the filter does, through the cache; exposed for benchmarks.
  const Result& lookup(std::string_view ip);
  size_t cache_entries() const { return cache_.size(); }

 private:
  Result resolve(std::string_view ip) const;
  void fail(Event& e) const;

  std::shared_ptr<const GeoipDatabase> db_;
  FieldRef source_;
  FieldRef target_;
  std::vector<int> fields_;          // chosen fields, in Logstash's order
  std::vector<FieldRef> field_refs_;  // target + each field's name, by field
  std::vector<std::string> tag_on_failure_;
  LruCache<Result> cache_;
};

}  // namespace logpipe
