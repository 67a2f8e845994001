// Per-event cost of csv, cidr, fingerprint, syslog_pri, prune and age.
// Each iteration builds one fresh event from a generated line (as an input
// would: BM_MakeEventOnly in parse_filters_bench measures that part alone)
// and runs the filter over it. Prints items_per_second (events/s); ns per
// event is the Time column.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "filters/age_filter.h"
#include "filters/cidr_filter.h"
#include "filters/csv_filter.h"
#include "filters/fingerprint_filter.h"
#include "filters/prune_filter.h"
#include "filters/syslog_pri_filter.h"
#include "tests/plugin_test_support.h"

using namespace logpipe;

namespace {

using testing::NullFilterContext;
using testing::opts;
constexpr auto list = testing::string_array;

std::unique_ptr<Filter> filter_for(const PluginInfo& info, const Object& overrides) {
  return testing::make_test_filter(info, overrides);
}

// 64 lines made by `make(i)`, cycled through.
template <class Make>
std::vector<std::string> lines(Make make) {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i) out.push_back(make(i));
  return out;
}

void run(benchmark::State& state, Filter& filter, const std::vector<std::string>& input,
         const char* field = "message") {
  NullFilterContext ctx;
  size_t i = 0, bytes = 0;
  const Timestamp ts = Timestamp::from_seconds(1764130519);
  for (auto _ : state) {
    const std::string& line = input[i];
    if (++i == input.size()) i = 0;
    Event e(std::string(), ts);
    e.set_top(field, Value(line));
    filter.filter(e, ctx);
    benchmark::DoNotOptimize(e);
    bytes += line.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

std::string ip(int i) { return "10." + std::to_string(i % 7) + "." + std::to_string(i * 37 % 256) + "." + std::to_string(i % 250 + 1); }

}  // namespace

static void BM_CsvTenColumnsTyped(benchmark::State& state) {
  auto f = filter_for(csv_filter_info(),
                      opts({{"columns", list({"time", "client", "method", "path", "status", "bytes", "ms", "agent",
                                                  "referrer", "ok"})},
                                {"convert", Value(opts({{"status", Value("integer")},
                                                            {"bytes", Value("integer")},
                                                            {"ms", Value("float")},
                                                            {"ok", Value("boolean")}}))}}));
  auto input = lines([](int i) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                   "2026-12-02 10:00:%02d,%s,GET,/api/v1/orders/%d,%d,%d,%d.5,\"Mozilla/5.0 (X11, Linux)\",-,%s",
                   i % 60, ip(i).c_str(), i * 31, i % 9 ? 200 : 404, i * 977, i % 40, i % 3 ? "true" : "false");
    return std::string(buf);
  });
  run(state, *f, input);
}
BENCHMARK(BM_CsvTenColumnsTyped);

static void BM_CidrFourNetworks(benchmark::State& state) {
  auto f = filter_for(cidr_filter_info(),
                      opts({{"address", list({"%{message}"})},
                                {"network", list({"192.168.0.0/16", "172.16.0.0/12", "10.3.0.0/16", "fd00::/8"})},
                                {"add_tag", list({"internal"})}}));
  run(state, *f, lines(ip));
}
BENCHMARK(BM_CidrFourNetworks);

static void fingerprint_bench(benchmark::State& state, Object s) {
  auto f = filter_for(fingerprint_filter_info(), s);
  auto input = lines([](int i) {
    return "2026-12-02T10:00:00Z " + ip(i) + " GET /api/v1/orders/" + std::to_string(i * 31) +
           " HTTP/1.1 200 5120 \"Mozilla/5.0 (X11; Linux x86_64)\"";
  });
  run(state, *f, input);
}
static void BM_FingerprintSha1(benchmark::State& state) { fingerprint_bench(state, {}); }
BENCHMARK(BM_FingerprintSha1);
static void BM_FingerprintSha256Hmac(benchmark::State& state) {
  fingerprint_bench(state, opts({{"method", Value("SHA256")}, {"key", Value("longencryptionkey")}}));
}
BENCHMARK(BM_FingerprintSha256Hmac);
static void BM_FingerprintMurmur3(benchmark::State& state) {
  fingerprint_bench(state, opts({{"method", Value("MURMUR3")}}));
}
BENCHMARK(BM_FingerprintMurmur3);
static void BM_FingerprintMurmur3_128(benchmark::State& state) {
  fingerprint_bench(state, opts({{"method", Value("MURMUR3_128")}}));
}
BENCHMARK(BM_FingerprintMurmur3_128);
static void BM_FingerprintConcatenateAllFields(benchmark::State& state) {
  fingerprint_bench(state, opts({{"concatenate_all_fields", Value(true)}}));
}
BENCHMARK(BM_FingerprintConcatenateAllFields);

static void BM_SyslogPri(benchmark::State& state) {
  auto f = filter_for(syslog_pri_filter_info(), {});
  run(state, *f, lines([](int i) { return std::to_string(i * 3 % 192); }), "syslog_pri");
}
BENCHMARK(BM_SyslogPri);

static void BM_PruneWhitelistNames(benchmark::State& state) {
  auto f = filter_for(prune_filter_info(),
                      opts({{"whitelist_names", list({"^message$", "^@timestamp$", "^client", "^status$"})}}));
  NullFilterContext ctx;
  const Timestamp ts = Timestamp::from_seconds(1764130519);
  for (auto _ : state) {
    Event e("GET /index.html", ts);
    for (const char* name : {"client_ip", "client_port", "status", "bytes", "agent", "referrer", "%{unset}"})
      e.set_top(name, Value("x"));
    f->filter(e, ctx);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PruneWhitelistNames);

static void BM_Age(benchmark::State& state) {
  auto f = filter_for(age_filter_info(), {});
  run(state, *f, lines([](int i) { return "event " + std::to_string(i); }));
}
BENCHMARK(BM_Age);
