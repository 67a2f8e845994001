// Micro benchmarks of the per-event hot path of the plumbing: making an
// event, a field lookup, a condition, a mutate, sprintf, JSON output.
// Prints ns per event (Time column) and events/s (items_per_second).
#include <benchmark/benchmark.h>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"
#include "engine/json_writer.h"
#include "engine/sprintf.h"

using namespace logpipe;

namespace {

Event sample_event() {
  Event e("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
          Timestamp::now());
  e.set_top("host", Value("web-01"));
  e.set_top("sequence", Value(int64_t{42}));
  return e;
}

struct NullContext : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

std::shared_ptr<PipelineConfig> compile_text(const std::string& text) {
  return config::compile(config::parse_config(config::SourceFile{"bench", text}));
}

}  // namespace

static void BM_MakeEvent(benchmark::State& state) {
  std::string line = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326";
  for (auto _ : state) {
    Event e(line, Timestamp::now());
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MakeEvent);

static void BM_EventToJson(benchmark::State& state) {
  Event e = sample_event();
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_event_json(e, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_EventToJson);

static void BM_NestedFieldGet(benchmark::State& state) {
  Event e = sample_event();
  e.set(FieldRef::must("[http][response][status]"), Value(int64_t{200}));
  FieldRef ref = FieldRef::must("[http][response][status]");
  for (auto _ : state) benchmark::DoNotOptimize(e.get(ref));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NestedFieldGet);

static void BM_Sprintf(benchmark::State& state) {
  Event e = sample_event();
  SprintfTemplate t("logs-%{host}-%{+YYYY.MM.dd}");
  std::string out;
  for (auto _ : state) {
    out.clear();
    t.append(e, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sprintf);

static void BM_Condition(benchmark::State& state) {
  auto cfg = compile_text(
      "filter { if [host] == \"web-01\" and [sequence] > 10 and \"GET\" in [message] { } }");
  const Condition& c = *cfg->filter_graph[0].branches[0].condition;
  Event e = sample_event();
  for (auto _ : state) benchmark::DoNotOptimize(c.eval(e));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Condition);

static void BM_MutateAddFieldAndTag(benchmark::State& state) {
  auto cfg = compile_text(
      "filter { mutate { add_field => { \"env\" => \"prod\" } add_tag => [\"seen\"] "
      "rename => { \"host\" => \"hostname\" } } }");
  const PluginDecl& decl = cfg->filters[0];
  PluginEnv env;
  PluginArgs args{decl.info->name, decl.id, *decl.settings, env, nullptr};
  auto filter = decl.info->make_filter(args);
  NullContext ctx;
  Event base = sample_event();
  std::vector<Event> events(125, base);
  std::vector<Event*> ptrs;
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& e : events) e = base;
    ptrs.clear();
    for (auto& e : events) ptrs.push_back(&e);
    state.ResumeTiming();
    filter->process(ptrs, ctx);
  }
  state.SetItemsProcessed(state.iterations() * 125);
}
BENCHMARK(BM_MutateAddFieldAndTag);
