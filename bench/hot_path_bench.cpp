// Micro benchmarks of the per-event hot path of the plumbing: making an
// event, a field lookup, a condition, a mutate, sprintf, JSON output.
// Prints ns per event (Time column) and events/s (items_per_second).
#include <benchmark/benchmark.h>

#include "engine/config/compiler.h"
#include "engine/config/parser.h"
#include "engine/text/json_writer.h"
#include "engine/event/sprintf.h"

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

static void write_json_lines(benchmark::State& state, const Event& e) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_event_json(e, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}

static void BM_EventToJson(benchmark::State& state) { write_json_lines(state, sample_event()); }
BENCHMARK(BM_EventToJson);

// What json_lines writes after grok COMBINEDAPACHELOG + date: a 240-byte line
// with six quotes to escape, and its eleven captures.
static void BM_ApacheEventToJson(benchmark::State& state) {
  const char* line =
      "203.0.113.42 - frank [26/Nov/2026:04:13:16 +0000] \"GET /api/v1/orders/12345?page=2 "
      "HTTP/1.1\" 200 5123 \"https://shop.example.com/cart\" \"Mozilla/5.0 (X11; Linux x86_64) "
      "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36\"";
  Event e(line, Timestamp::from_seconds(1764130396));
  const char* fields[][2] = {
      {"clientip", "203.0.113.42"}, {"ident", "-"}, {"auth", "frank"},
      {"timestamp", "26/Nov/2026:04:13:16 +0000"}, {"verb", "GET"},
      {"request", "/api/v1/orders/12345?page=2"}, {"httpversion", "1.1"}, {"response", "200"},
      {"bytes", "5123"}, {"referrer", "\"https://shop.example.com/cart\""},
      {"agent", "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/119.0.0.0 Safari/537.36\""}};
  for (auto& f : fields) e.set_top(f[0], Value(f[1]));
  write_json_lines(state, e);
}
BENCHMARK(BM_ApacheEventToJson);

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
