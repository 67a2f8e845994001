// Benchmarks of the lookup filters, per event, with the cache hit (a few
// distinct values repeating, as real traffic mostly is) and missed (cache
// off, or every value new): geoip on City and ASN databases written by
// tests/tools/make_test_mmdb.pl, useragent on uap-core's regexes with the
// User-Agents of uap-core's test_ua.yaml. Each iteration filters one fresh
// event, so the Time/CPU columns are ns per event; items_per_second is
// events/s.
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "filters/geoip_filter.h"
#include "filters/useragent/useragent_filter.h"
#include "tests/plugin_test_support.h"

using namespace logpipe;

namespace {

using testing::NullFilterContext;

std::unique_ptr<Filter> build(const PluginInfo& info, const Object& overrides) {
  return testing::make_test_filter(info, overrides);
}

// The test databases, written once into a directory removed at exit.
const std::string& mmdb_dir() {
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / ("logpipe-geoip-bench-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(d);
    std::string cmd = std::string("perl ") + LOGPIPE_SOURCE_DIR + "/tests/tools/make_test_mmdb.pl " + d;
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "%s failed\n", cmd.c_str());
    std::atexit([] { std::filesystem::remove_all(mmdb_dir()); });
    return d;
  }();
  return dir;
}

void run(benchmark::State& state, Filter& f, const std::vector<std::string>& values) {
  NullFilterContext ctx;
  size_t i = 0;
  for (auto _ : state) {
    Event e(values[i++ % values.size()]);
    f.filter(e, ctx);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}

std::unique_ptr<Filter> geoip(const char* type, int64_t cache_size) {
  Object o;
  o.set("source", Value("message"));
  o.set("database", Value(mmdb_dir() + "/GeoLite2-" + type + ".mmdb"));
  o.set("cache_size", Value(cache_size));
  return build(geoip_filter_info(), o);
}

const std::vector<std::string> kCityIps = {"81.2.69.161", "216.160.83.60", "2a02:2770::21a", "2.125.160.217",
                                           "127.0.0.1"};
const std::vector<std::string> kAsnIps = {"1.128.0.1", "2600:6000::1", "12.81.92.7", "8.8.8.8"};

void BM_GeoipCityCacheHit(benchmark::State& state) {
  auto f = geoip("City", 1000);
  run(state, *f, kCityIps);
}
BENCHMARK(BM_GeoipCityCacheHit);

void BM_GeoipCityCacheMiss(benchmark::State& state) {
  auto f = geoip("City", 0);
  run(state, *f, kCityIps);
}
BENCHMARK(BM_GeoipCityCacheMiss);

void BM_GeoipAsnCacheMiss(benchmark::State& state) {
  auto f = geoip("ASN", 0);
  run(state, *f, kAsnIps);
}
BENCHMARK(BM_GeoipAsnCacheMiss);

const std::vector<std::string>& test_user_agents() {
  static const std::vector<std::string> uas = [] {
    std::vector<std::string> v;
    YAML::Node cases = YAML::LoadFile("/usr/share/uap-core/tests/test_ua.yaml")["test_cases"];
    for (const auto& c : cases) v.push_back(c["user_agent_string"].as<std::string>());
    return v;
  }();
  return uas;
}

std::unique_ptr<Filter> useragent(int64_t cache_size) {
  Object o;
  o.set("source", Value("message"));
  o.set("target", Value("ua"));
  o.set("lru_cache_size", Value(cache_size));
  return build(useragent_filter_info(), o);
}

void BM_UseragentCacheHit(benchmark::State& state) {
  auto f = useragent(100000);
  std::vector<std::string> few(test_user_agents().begin(), test_user_agents().begin() + 20);
  run(state, *f, few);
}
BENCHMARK(BM_UseragentCacheHit);

void BM_UseragentCacheMiss(benchmark::State& state) {
  auto f = useragent(0);
  run(state, *f, test_user_agents());
}
BENCHMARK(BM_UseragentCacheMiss);

}  // namespace
