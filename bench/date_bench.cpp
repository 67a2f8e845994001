// date filter benchmarks: the per-worker cache hit (a repeated second), cache
// misses over distinct seconds for the Apache pattern (also with 1% of the
// timestamps cut short), syslog's year-less
// pattern in a DST zone, and ISO8601. items_per_second = events/s on one core.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "filters/date_filter.h"

using namespace logpipe;

namespace {

struct NullContext : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

struct BenchFilter {
  PluginEnv env;
  Settings settings;
  std::unique_ptr<Filter> filter;

  BenchFilter(std::initializer_list<const char*> match, const char* timezone = nullptr) {
    for (auto& spec : date_filter_info().all_options())
      if (spec.default_value) settings.set(spec.name, *spec.default_value);
    Array m;
    for (const char* s : match) m.emplace_back(s);
    settings.set("match", Value(std::move(m)));
    if (timezone) settings.set("timezone", Value(timezone));
    filter = date_filter_info().make_filter(PluginArgs{"date", "date_1", settings, env, nullptr});
  }
};

// Events whose `when` holds a distinct second each (consecutive events differ).
std::vector<Event> distinct_seconds(const char* format, int count) {
  std::vector<Event> events;
  events.reserve(count);
  for (int i = 0; i < count; ++i) {
    char buf[96];
    const int h = (i / 3600) % 24, m = (i / 60) % 60, s = i % 60;
    std::snprintf(buf, sizeof buf, format, 1 + (i / 86400) % 28, h, m, s);
    Event e;
    e.set_top("when", Value(buf));
    events.push_back(std::move(e));
  }
  return events;
}

void run_events(benchmark::State& state, BenchFilter& f, std::vector<Event>& events) {
  NullContext ctx;
  size_t i = 0;
  for (auto _ : state) {
    Event& e = events[i];
    f.filter->filter(e, ctx);
    if (++i == events.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  if (events[0].has_tag("_dateparsefailure")) state.SkipWithError("parse failed");
}

}  // namespace

static void BM_DateCacheHit_Apache(benchmark::State& state) {
  BenchFilter f({"when", "dd/MMM/yyyy:HH:mm:ss Z"});
  std::vector<Event> events(1);
  events[0].set_top("when", Value("26/Nov/2026:04:55:19 +0000"));
  run_events(state, f, events);
}
BENCHMARK(BM_DateCacheHit_Apache);

static void BM_DateCacheMiss_Apache(benchmark::State& state) {
  BenchFilter f({"when", "dd/MMM/yyyy:HH:mm:ss Z"});
  auto events = distinct_seconds("%02d/Nov/2026:%02d:%02d:%02d +0100", 4096);
  run_events(state, f, events);
}
BENCHMARK(BM_DateCacheMiss_Apache);

// One event in 100 holds a timestamp cut short: a miss that fails and tags.
static void BM_DateCacheMiss_Apache1PctMalformed(benchmark::State& state) {
  BenchFilter f({"when", "dd/MMM/yyyy:HH:mm:ss Z"});
  auto events = distinct_seconds("%02d/Nov/2026:%02d:%02d:%02d +0100", 4096);
  for (size_t i = 99; i < events.size(); i += 100) events[i].set_top("when", Value("26/Nov/2026:04:5"));
  run_events(state, f, events);
}
BENCHMARK(BM_DateCacheMiss_Apache1PctMalformed);

static void BM_DateCacheMiss_SyslogBerlin(benchmark::State& state) {
  BenchFilter f({"when", "MMM dd HH:mm:ss", "MMM  d HH:mm:ss"}, "Europe/Berlin");
  auto events = distinct_seconds("Nov %02d %02d:%02d:%02d", 4096);
  run_events(state, f, events);
}
BENCHMARK(BM_DateCacheMiss_SyslogBerlin);

static void BM_DateCacheMiss_Iso8601(benchmark::State& state) {
  BenchFilter f({"when", "ISO8601"});
  auto events = distinct_seconds("2026-11-%02dT%02d:%02d:%02d.123Z", 4096);
  run_events(state, f, events);
}
BENCHMARK(BM_DateCacheMiss_Iso8601);

static void BM_DateCacheMiss_Iso8601Berlin(benchmark::State& state) {
  BenchFilter f({"when", "ISO8601"}, "Europe/Berlin");
  auto events = distinct_seconds("2026-11-%02d %02d:%02d:%02d,123", 4096);
  run_events(state, f, events);
}
BENCHMARK(BM_DateCacheMiss_Iso8601Berlin);

static void BM_DateCacheHit_Iso8601(benchmark::State& state) {
  BenchFilter f({"when", "ISO8601"});
  std::vector<Event> events(1);
  events[0].set_top("when", Value("2026-11-26T04:55:19.123Z"));
  run_events(state, f, events);
}
BENCHMARK(BM_DateCacheHit_Iso8601);
