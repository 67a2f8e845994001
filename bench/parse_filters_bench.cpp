// Benchmarks of the parsing filters on generated data: dissect of Apache
// combined lines, json of a ~440-byte log event, kv of a ten-pair line, each
// clean and with 1% malformed lines (cut short or garbled). Each iteration handles one fresh event
// (made from the line, as an input would) unless the name says otherwise;
// BM_MakeEventOnly measures that part alone. Prints items_per_second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "filters/dissect_filter.h"
#include "filters/json_filter.h"
#include "filters/kv_filter.h"

using namespace logpipe;

namespace {

unsigned u(std::mt19937& g) { return static_cast<unsigned>(g()); }

struct NullContext : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

std::unique_ptr<Filter> build(const PluginInfo& info, const Object& overrides) {
  Settings settings;
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  for (auto& [name, value] : overrides) settings.set(name, value);
  PluginEnv env;
  return info.make_filter(PluginArgs{info.name, info.name + "_1", settings, env, nullptr});
}

// Damages malformed_per_100 of every 100 lines: cut short, or garbled whole.
void damage(std::vector<std::string>& lines, int malformed_per_100, std::mt19937& rng) {
  for (std::string& line : lines) {
    if (static_cast<int>(u(rng) % 100) >= malformed_per_100) continue;
    line = (u(rng) % 2) ? line.substr(0, line.size() / 3) : std::string(line.size(), 'x');
  }
}

// Deterministic Apache combined log lines (~230-250 bytes); with
// malformed_per_100 > 0 that share of lines is cut short or garbled.
std::vector<std::string> apache_lines(size_t count, int malformed_per_100) {
  std::mt19937 rng(42);
  const char* verbs[] = {"GET", "POST", "PUT", "DELETE"};
  const char* paths[] = {"/index.html", "/api/v1/orders/12345", "/static/app.min.js", "/images/logo.png",
                         "/search?q=logpipe&page=2"};
  const char* agents[] = {
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
      "curl/7.88.1"};
  std::vector<std::string> lines;
  char buf[512];
  for (size_t i = 0; i < count; ++i) {
    std::snprintf(buf, sizeof buf,
                  "10.%u.%u.%u - user%u [26/Nov/2026:04:%02u:%02u +0000] \"%s %s HTTP/1.1\" %u %u "
                  "\"https://example.com/ref/%u\" \"%s\"",
                  u(rng) % 256, u(rng) % 256, u(rng) % 256, u(rng) % 100, u(rng) % 60, u(rng) % 60, verbs[u(rng) % 4],
                  paths[u(rng) % 5], 200 + (u(rng) % 4) * 100, u(rng) % 50000, u(rng) % 1000, agents[u(rng) % 3]);
    lines.emplace_back(buf);
  }
  damage(lines, malformed_per_100, rng);
  return lines;
}

const char* kApachePattern =
    "%{clientip} %{ident} %{auth} [%{timestamp}] \"%{verb} %{request} HTTP/%{httpversion}\" "
    "%{response} %{bytes} \"%{referrer}\" \"%{agent}\"";

std::unique_ptr<Filter> apache_dissect() {
  Object mapping;
  mapping.set("message", Value(kApachePattern));
  Object o;
  o.set("mapping", Value(mapping));
  return build(dissect_filter_info(), o);
}

void run_lines(benchmark::State& state, Filter& filter, const std::vector<std::string>& lines) {
  NullContext ctx;
  size_t i = 0, bytes = 0;
  const Timestamp ts = Timestamp::from_seconds(1764130519);
  for (auto _ : state) {
    const std::string& line = lines[i];
    if (++i == lines.size()) i = 0;
    Event e(line, ts);
    filter.filter(e, ctx);
    benchmark::DoNotOptimize(e);
    bytes += line.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

}  // namespace

static void BM_MakeEventOnly(benchmark::State& state) {
  auto lines = apache_lines(4096, 0);
  NullContext ctx;
  size_t i = 0;
  const Timestamp ts = Timestamp::from_seconds(1764130519);
  for (auto _ : state) {
    Event e(lines[i], ts);
    if (++i == lines.size()) i = 0;
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MakeEventOnly);

// The floor set by the event model: a fresh event plus eleven owned string
// fields of the sizes dissect produces, with no parsing at all.
static void BM_MakeEventPlusElevenFieldsNoParse(benchmark::State& state) {
  auto lines = apache_lines(4096, 0);
  const char* names[] = {"clientip", "ident", "auth", "timestamp", "verb", "request",
                         "httpversion", "response", "bytes", "referrer", "agent"};
  const size_t sizes[] = {12, 1, 6, 26, 3, 20, 3, 3, 5, 28, 80};
  size_t i = 0;
  const Timestamp ts = Timestamp::from_seconds(1764130519);
  for (auto _ : state) {
    const std::string& line = lines[i];
    if (++i == lines.size()) i = 0;
    Event e(line, ts);
    auto& entries = e.fields().entries();
    entries.reserve(entries.size() + 11);
    for (int f = 0; f < 11; ++f)
      entries.emplace_back(std::piecewise_construct, std::forward_as_tuple(names[f]),
                           std::forward_as_tuple(std::string_view(line).substr(0, sizes[f])));
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MakeEventPlusElevenFieldsNoParse);

static void BM_DissectApacheCombined(benchmark::State& state) {
  auto filter = apache_dissect();
  run_lines(state, *filter, apache_lines(4096, 0));
}
BENCHMARK(BM_DissectApacheCombined);

static void BM_DissectApacheCombined1PctMalformed(benchmark::State& state) {
  auto filter = apache_dissect();
  run_lines(state, *filter, apache_lines(4096, 1));
}
BENCHMARK(BM_DissectApacheCombined1PctMalformed);

// The dissection alone, into one reused event (its fields already exist, so
// values are assigned in place): the cost of the matching and the stores.
static void BM_DissectApacheCombinedReusedEvent(benchmark::State& state) {
  auto lines = apache_lines(4096, 0);
  Dissection dissection(kApachePattern);
  Event e("", Timestamp::from_seconds(1764130519));
  size_t i = 0;
  for (auto _ : state) {
    bool ok = dissection.apply(lines[i], e);
    if (++i == lines.size()) i = 0;
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DissectApacheCombinedReusedEvent);

namespace {

// ~440-byte JSON log events (what the json filter's source holds).
std::vector<std::string> json_lines(int malformed_per_100) {
  std::mt19937 rng(7);
  std::vector<std::string> lines;
  char buf[1024];
  for (int i = 0; i < 1024; ++i) {
    std::snprintf(buf, sizeof buf,
                  "{\"@timestamp\":\"2026-11-26T04:%02u:%02u.%03uZ\",\"level\":\"INFO\",\"logger\":"
                  "\"com.example.orders.OrderService\",\"thread\":\"http-nio-8080-exec-%u\",\"message\":"
                  "\"Order %u accepted for customer %u with 3 items\",\"service\":{\"name\":\"orders\","
                  "\"version\":\"2.14.%u\",\"environment\":\"production\"},\"host\":{\"name\":\"web-%02u\","
                  "\"ip\":\"10.1.%u.%u\"},\"http\":{\"method\":\"POST\",\"status\":201,\"duration_ms\":%u.%u},"
                  "\"trace\":{\"id\":\"%08x%08x%08x\"},\"tags\":[\"orders\",\"api\"]}",
                  u(rng) % 60, u(rng) % 60, u(rng) % 1000, u(rng) % 200, u(rng), u(rng) % 100000, u(rng) % 10,
                  u(rng) % 40, u(rng) % 256, u(rng) % 256, u(rng) % 900, u(rng) % 10, u(rng), u(rng), u(rng));
    lines.emplace_back(buf);
  }
  damage(lines, malformed_per_100, rng);
  return lines;
}

// Firewall-style lines of ten key=value pairs.
std::vector<std::string> kv_lines(int malformed_per_100) {
  std::mt19937 rng(9);
  std::vector<std::string> lines;
  char buf[512];
  for (int i = 0; i < 1024; ++i) {
    std::snprintf(buf, sizeof buf,
                  "date=2026-11-26 time=04:%02u:%02u devname=fw-%02u action=%s srcip=10.0.%u.%u "
                  "dstip=192.168.%u.%u srcport=%u dstport=443 proto=6 msg=\"session %u closed\"",
                  u(rng) % 60, u(rng) % 60, u(rng) % 10, (u(rng) % 2) ? "accept" : "deny", u(rng) % 256, u(rng) % 256,
                  u(rng) % 256, u(rng) % 256, 1024 + u(rng) % 60000, u(rng));
    lines.emplace_back(buf);
  }
  damage(lines, malformed_per_100, rng);
  return lines;
}

void run_json(benchmark::State& state, int malformed_per_100) {
  auto lines = json_lines(malformed_per_100);
  Object o;
  o.set("source", Value("message"));
  auto filter = build(json_filter_info(), o);
  state.counters["bytes_per_line"] = static_cast<double>(lines[0].size());
  run_lines(state, *filter, lines);
}

}  // namespace

static void BM_JsonLogEvent(benchmark::State& state) { run_json(state, 0); }
BENCHMARK(BM_JsonLogEvent);
static void BM_JsonLogEvent1PctMalformed(benchmark::State& state) { run_json(state, 1); }
BENCHMARK(BM_JsonLogEvent1PctMalformed);

static void BM_KvTenPairs(benchmark::State& state) {
  auto filter = build(kv_filter_info(), Object());
  run_lines(state, *filter, kv_lines(0));
}
BENCHMARK(BM_KvTenPairs);
static void BM_KvTenPairs1PctMalformed(benchmark::State& state) {
  auto filter = build(kv_filter_info(), Object());
  run_lines(state, *filter, kv_lines(1));
}
BENCHMARK(BM_KvTenPairs1PctMalformed);
