// Syslog benchmarks: the parser alone (RFC 3164 and RFC 5424 lines of about
// 200 bytes), the TCP framer, and the syslog input end to end on one input
// thread: a client sends 200-byte messages over loopback TCP, the input
// frames, parses and pushes them into a context that only counts (-> null).
// Prints events/s (items_per_second) and bytes/s.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "inputs/syslog/syslog_framer.h"
#include "inputs/syslog/syslog_parser.h"
#include "inputs/syslog_input.h"

namespace logpipe {
namespace {

// 200 bytes each.
std::string pad_to(std::string s, size_t n) {
  s.append(n > s.size() ? n - s.size() : 0, 'x');
  return s;
}
const std::string kRfc3164 = pad_to(
    "<134>Nov 26 04:13:48 web-17 nginx[2231]: 10.0.0.7 - - \"GET /api/v1/items?id=42 "
    "HTTP/1.1\" 200 512 \"-\" \"curl/8.0\" ",
    200);
const std::string kRfc5424 = pad_to(
    "<165>1 2026-11-26T04:13:49.282022+00:00 web-17 billing 2231 ID47 "
    "[origin ip=\"10.0.0.7\"] invoice 42 paid by customer 17 ",
    200);

const Timestamp kNow = Timestamp::from_seconds(1795667629);  // 2026-11-26

void BM_ParseRfc3164(benchmark::State& state) {
  SyslogParser parser;
  for (auto _ : state) {
    Event e = parser.parse(kRfc3164, kNow);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kRfc3164.size());
}
BENCHMARK(BM_ParseRfc3164);

// The same with a DST zone: the year guess and the zone-less time go through
// TimeZoneRules (one offset lookup and one remembered-period hit per line).
void BM_ParseRfc3164InEuropeParis(benchmark::State& state) {
  SyslogParserSettings settings;
  settings.zone = *TimeZoneRules::lookup("Europe/Paris");
  SyslogParser parser(settings);
  for (auto _ : state) {
    Event e = parser.parse(kRfc3164, kNow);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kRfc3164.size());
}
BENCHMARK(BM_ParseRfc3164InEuropeParis);

void BM_ParseRfc5424(benchmark::State& state) {
  SyslogParser parser;
  for (auto _ : state) {
    Event e = parser.parse(kRfc5424, kNow);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kRfc5424.size());
}
BENCHMARK(BM_ParseRfc5424);

void BM_FrameOctetCounted(benchmark::State& state) {
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += std::to_string(kRfc5424.size()) + " " + kRfc5424;
  for (auto _ : state) {
    SyslogFramer framer(64 * 1024);
    size_t n = 0;
    for (size_t off = 0; off < stream.size(); off += 65536)
      framer.feed(std::string_view(stream).substr(off, 65536),
                  [&](std::string_view f, FrameFlags) { n += f.size(); });
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  state.SetBytesProcessed(state.iterations() * stream.size());
}
BENCHMARK(BM_FrameOctetCounted);

class CountingContext : public InputContext {
 public:
  void push(Event&& e) override {
    benchmark::DoNotOptimize(e);
    count.fetch_add(1, std::memory_order_relaxed);
  }
  void tick() override {}
  void flush() override {}
  bool stopping() const override { return false; }
  int poll_interval_ms() const override { return 50; }
  bool congested() const override { return false; }
  std::atomic<uint64_t> count{0};
};

// syslog TCP -> null on one input thread. Arg: 0 = LF framing, 1 = octet counting.
void BM_SyslogTcpInputToNull(benchmark::State& state) {
  const bool octet = state.range(0) == 1;
  Settings settings;
  settings.set("host", Value("127.0.0.1"));
  settings.set("port", Value(0));
  PluginEnv env;
  PluginArgs args{"syslog", "syslog_bench", settings, env, nullptr};
  SyslogInput input(args);
  CountingContext ctx;
  std::thread runner([&] { input.run(ctx); });
  while (input.bound_port() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  constexpr int kPerChunk = 2000;
  std::string chunk;
  for (int i = 0; i < kPerChunk; ++i) {
    const std::string& m = i % 2 ? kRfc5424 : kRfc3164;
    chunk += octet ? std::to_string(m.size()) + " " + m : m + "\n";
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(input.bound_port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    state.SkipWithError("connect failed");
  } else {
    const int chunks = 500;  // 1,000,000 events per iteration
    for (auto _ : state) {
      const uint64_t start = ctx.count.load();
      for (int c = 0; c < chunks; ++c) {
        size_t off = 0;
        while (off < chunk.size()) {
          ssize_t n = send(fd, chunk.data() + off, chunk.size() - off, MSG_NOSIGNAL);
          if (n <= 0) break;
          off += static_cast<size_t>(n);
        }
      }
      const uint64_t target = start + uint64_t(chunks) * kPerChunk;
      while (ctx.count.load() < target) std::this_thread::yield();
    }
    state.SetItemsProcessed(state.iterations() * 500 * kPerChunk);
    state.SetBytesProcessed(state.iterations() * 500 * chunk.size());
  }
  close(fd);
  input.stop();
  runner.join();
}
BENCHMARK(BM_SyslogTcpInputToNull)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace logpipe
