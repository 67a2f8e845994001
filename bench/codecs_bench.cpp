// Codec benchmarks: dots encode, multiline decode (a 5-line Java stack trace
// per event through a grok pattern), cef decode (legacy and ECS names) and
// cef encode. Prints events/s (items_per_second) and bytes/s; ns per event is
// the time column.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "engine/codecs/codecs.h"
#include "engine/config/options.h"

namespace logpipe {
namespace {

std::unique_ptr<Codec> make(const PluginInfo& info, std::initializer_list<std::pair<const char*, Value>> given) {
  static std::vector<std::unique_ptr<Settings>> keep;  // PluginArgs holds a reference
  auto s = std::make_unique<Settings>();
  for (auto& o : info.all_options())
    if (o.default_value) s->set(o.name, *o.default_value);
  for (auto& [k, v] : given) s->set(k, v);
  PluginEnv env;
  auto codec = info.make_codec(PluginArgs{info.name, info.name + "_bench", *s, env, nullptr});
  keep.push_back(std::move(s));
  return codec;
}

void BM_DotsEncode(benchmark::State& state) {
  auto codec = make(dots_codec_info(), {});
  Event e("hello");
  std::string out;
  for (auto _ : state) {
    out.clear();
    codec->encode(e, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DotsEncode);

const char* const kTrace[] = {
    "2026-12-02 10:00:01,002 ERROR [http-nio-8080-exec-3] c.e.Handler - request failed",
    "java.lang.NullPointerException: name must not be null",
    "\tat com.example.Handler.handle(Handler.java:42)",
    "\tat com.example.Server.run(Server.java:7)",
    "\tat java.base/java.lang.Thread.run(Thread.java:833)"};

void BM_MultilineDecodeStackTrace(benchmark::State& state) {
  auto codec = make(multiline_codec_info(), {{"pattern", Value("^%{TIMESTAMP_ISO8601} ")},
                                             {"negate", Value(true)},
                                             {"what", Value("previous")}});
  size_t events = 0, bytes = 0;
  for (const char* l : kTrace) bytes += std::strlen(l) + 1;
  EventSink sink = [&](Event&& e) {
    ++events;
    benchmark::DoNotOptimize(e);
  };
  for (auto _ : state)
    for (const char* l : kTrace) codec->decode_line(l, sink);
  state.SetItemsProcessed(state.iterations());  // one event per 5 lines
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_MultilineDecodeStackTrace);

const std::string kCef =
    "Dec 02 10:00:00 fw1 CEF:0|Acme|Firewall|2.1|4000|Blocked connection|7|src=10.1.2.3 "
    "spt=53211 dst=192.168.7.9 dpt=443 proto=TCP act=blocked suser=alice "
    "msg=policy \\= deny-all cs1=rule-17 cs1Label=Rule rt=1764669600000";

void cef_decode(benchmark::State& state, const char* ecs) {
  auto codec = make(cef_codec_info(), {{"ecs_compatibility", Value(ecs)}});
  EventSink sink = [](Event&& e) { benchmark::DoNotOptimize(e); };
  for (auto _ : state) codec->decode(kCef, sink);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kCef.size());
}
void BM_CefDecodeLegacy(benchmark::State& state) { cef_decode(state, "disabled"); }
void BM_CefDecodeEcs(benchmark::State& state) { cef_decode(state, "v8"); }
BENCHMARK(BM_CefDecodeLegacy);
BENCHMARK(BM_CefDecodeEcs);

void BM_CefEncode(benchmark::State& state) {
  Array fields{Value("sourceAddress"), Value("sourcePort"), Value("destinationAddress"),
               Value("destinationPort"), Value("message"), Value("deviceCustomString1")};
  auto codec = make(cef_codec_info(), {{"fields", Value(fields)},
                                       {"vendor", Value("%{deviceVendor}")},
                                       {"delimiter", Value("\\n")}});
  Event e("policy = deny-all\nsecond line");
  e.set_top("deviceVendor", Value("Acme"));
  e.set_top("sourceAddress", Value("10.1.2.3"));
  e.set_top("sourcePort", Value(int64_t{53211}));
  e.set_top("destinationAddress", Value("192.168.7.9"));
  e.set_top("destinationPort", Value(int64_t{443}));
  e.set_top("deviceCustomString1", Value("rule-17"));
  std::string out;
  for (auto _ : state) {
    out.clear();
    codec->encode(e, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * out.size());
}
BENCHMARK(BM_CefEncode);

}  // namespace
}  // namespace logpipe
