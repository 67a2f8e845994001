// Per-event cost of translate (exact hit and miss in a 10,000-entry
// dictionary, the first of 20 Ruby regex keys found, substring replacement
// with 100 keys) and of split (a 10-line message into 10 events, the copies
// made and handed on; an array of 10 elements). Translate reuses one event
// (override => true), split makes the event it splits in each iteration.
// Prints items_per_second (events in) and bytes_per_second where it applies.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "filters/split_filter.h"
#include "filters/translate_filter.h"
#include "tests/plugin_test_support.h"

using namespace logpipe;

namespace {

struct DiscardContext : FilterContext {
  size_t made = 0;
  void emit(std::unique_ptr<Event> e) override {
    ++made;
    e.reset();
  }
};

// Built as the config compiler would: declared defaults, then the overrides.
std::unique_ptr<Filter> build(const PluginInfo& info, const Object& overrides) {
  return testing::make_test_filter(info, overrides);
}

std::unique_ptr<Filter> translate(Object dictionary, bool exact, bool regex) {
  Object o;
  o.set("source", Value("message"));
  o.set("target", Value("translation"));
  o.set("override", Value(true));
  o.set("exact", Value(exact));
  o.set("regex", Value(regex));
  o.set("dictionary", Value(std::move(dictionary)));
  return build(translate_filter_info(), o);
}

Object numbered(int n) {
  Object d;
  for (int i = 0; i < n; ++i) d.set("key-" + std::to_string(i), Value("value number " + std::to_string(i)));
  return d;
}

void run_translate(benchmark::State& state, Filter& f, std::vector<std::string> messages) {
  std::vector<Event> events;
  for (auto& m : messages) events.emplace_back(m);
  DiscardContext ctx;
  size_t i = 0;
  for (auto _ : state) {
    f.filter(events[i], ctx);
    benchmark::DoNotOptimize(events[i].fields().size());
    i = (i + 1) % events.size();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_TranslateExactHit(benchmark::State& state) {
  auto f = translate(numbered(10000), true, false);
  std::vector<std::string> m;
  for (int i = 0; i < 64; ++i) m.push_back("key-" + std::to_string(i * 151 % 10000));
  run_translate(state, *f, m);
}
BENCHMARK(BM_TranslateExactHit);

void BM_TranslateExactMiss(benchmark::State& state) {
  auto f = translate(numbered(10000), true, false);
  std::vector<std::string> m;
  for (int i = 0; i < 64; ++i) m.push_back("absent-" + std::to_string(i));
  run_translate(state, *f, m);
}
BENCHMARK(BM_TranslateExactMiss);

void BM_TranslateRegexTenthOfTwentyKeys(benchmark::State& state) {
  Object d;
  for (int i = 0; i < 20; ++i)
    d.set("^GET /api/v" + std::to_string(i) + "/\\w+", Value("api v" + std::to_string(i)));
  auto f = translate(std::move(d), true, true);
  run_translate(state, *f, {"GET /api/v9/orders?id=12345 HTTP/1.1"});
}
BENCHMARK(BM_TranslateRegexTenthOfTwentyKeys);

void BM_TranslateSubstringHundredKeys(benchmark::State& state) {
  auto f = translate(numbered(100), false, false);
  run_translate(state, *f, {"user key-17 logged in from key-93 after 3 attempts at the front door"});
}
BENCHMARK(BM_TranslateSubstringHundredKeys);

void BM_SplitTenLinesIntoTenEvents(benchmark::State& state) {
  auto f = build(split_filter_info(), {});
  std::string message;
  for (int i = 0; i < 10; ++i)
    message += "2026-12-02T10:00:0" + std::to_string(i) + " INFO worker-3 request served in 12 ms\n";
  DiscardContext ctx;
  for (auto _ : state) {
    Event e(message);
    f->filter(e, ctx);
    benchmark::DoNotOptimize(e.cancelled());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * message.size()));
  state.counters["events_out_per_in"] = double(ctx.made) / double(state.iterations());
}
BENCHMARK(BM_SplitTenLinesIntoTenEvents);

void BM_SplitArrayOfTen(benchmark::State& state) {
  Object o;
  o.set("field", Value("items"));
  auto f = build(split_filter_info(), o);
  Array items;
  for (int i = 0; i < 10; ++i) items.push_back(Value("item " + std::to_string(i)));
  DiscardContext ctx;
  for (auto _ : state) {
    Event e("an event with an array");
    e.set_top("items", Value(items));
    f->filter(e, ctx);
    benchmark::DoNotOptimize(e.cancelled());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SplitArrayOfTen);

}  // namespace
