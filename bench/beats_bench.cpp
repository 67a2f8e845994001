// beats input benchmarks: Lumberjack frames decoded per second from one
// window of 125 Filebeat-sized JSON frames, plain and zlib-compressed (as
// Filebeat sends by default), then the same with each document turned into
// an event (what the input does per frame, sockets aside); and the heartbeat
// input's event. items_per_second = frames (or events) per second on one core.
#include <benchmark/benchmark.h>

#include <string>

#include "engine/codecs/json_event_decoder.h"
#include "inputs/beats/lumberjack_decoder.h"
#include "inputs/heartbeat_input.h"

using namespace logpipe;

namespace {

constexpr uint32_t kWindow = 125;

std::string filebeat_doc(uint32_t i) {
  return R"({"@timestamp":"2024-05-06T07:08:09.123Z","@metadata":{"beat":"filebeat","type":"_doc","version":"8.13.0"},)"
         R"("message":"10.0.0.)" +
         std::to_string(i % 250) +
         R"( - - [06/May/2024:07:08:09 +0000] \"GET /index.html HTTP/1.1\" 200 5120 \"-\" \"curl/8.0\"",)"
         R"("log":{"offset":)" +
         std::to_string(i * 180) +
         R"(,"file":{"path":"/var/log/nginx/access.log"}},)"
         R"("input":{"type":"filestream"},"host":{"name":"web-1"},"agent":{"type":"filebeat","version":"8.13.0"},)"
         R"("ecs":{"version":"8.0.0"}})";
}

std::string window_bytes(bool compressed) {
  std::string frames;
  for (uint32_t seq = 1; seq <= kWindow; ++seq) frames += lumberjack_json(seq, filebeat_doc(seq));
  return lumberjack_window(kWindow) + (compressed ? lumberjack_compressed(frames, 3) : frames);
}

struct CountFrames : LumberjackHandler {
  uint64_t frames = 0, bytes = 0;
  void on_window(char, uint32_t) override {}
  void on_json(char, uint32_t, std::string_view json) override {
    ++frames;
    bytes += json.size();
  }
  void on_pairs(char, uint32_t,
                const std::vector<std::pair<std::string_view, std::string_view>>&) override {}
};

void BM_LumberjackFrames(benchmark::State& state) {
  const std::string bytes = window_bytes(state.range(0) != 0);
  CountFrames count;
  LumberjackDecoder decoder;
  for (auto _ : state) {
    // In 64 KiB reads, as a socket hands them over.
    for (size_t off = 0; off < bytes.size(); off += 65536)
      if (!decoder.feed(std::string_view(bytes).substr(off, 65536), count))
        state.SkipWithError("decode failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(count.frames));
  state.SetBytesProcessed(static_cast<int64_t>(bytes.size()) * state.iterations());
  state.SetLabel(state.range(0) ? "compressed" : "json");
}
BENCHMARK(BM_LumberjackFrames)->Arg(0)->Arg(1)->MinTime(0.2);

struct ToEvents : LumberjackHandler {
  JsonEventDecoder json{JsonDecoderOptions{"UTF-8", "disabled", std::nullopt}, false};
  uint64_t events = 0;
  void on_window(char, uint32_t) override {}
  void on_json(char, uint32_t, std::string_view text) override {
    json.decode(text, [&](Event&& e) {
      benchmark::DoNotOptimize(e);
      ++events;
    });
  }
  void on_pairs(char, uint32_t,
                const std::vector<std::pair<std::string_view, std::string_view>>&) override {}
};

void BM_LumberjackEvents(benchmark::State& state) {
  const std::string bytes = window_bytes(state.range(0) != 0);
  ToEvents sink;
  LumberjackDecoder decoder;
  for (auto _ : state) decoder.feed(bytes, sink);
  state.SetItemsProcessed(static_cast<int64_t>(sink.events));
  state.SetLabel(state.range(0) ? "compressed" : "json");
}
BENCHMARK(BM_LumberjackEvents)->Arg(0)->Arg(1)->MinTime(0.2);

void BM_HeartbeatEvent(benchmark::State& state) {
  PluginEnv env;
  Settings settings;
  for (auto& spec : heartbeat_input_info().all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  settings.set("sequence", Value("sequence"));
  HeartbeatInput hb(PluginArgs{"heartbeat", "heartbeat_1", settings, env, nullptr});
  int64_t n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(hb.make_event(++n, 1700000000));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HeartbeatEvent)->MinTime(0.1);

}  // namespace
