// grok benchmarks: COMBINEDAPACHELOG (every field) and SYSLOGLINE over
// generated lines, clean and with 1% malformed lines, through the whole filter
// (match, extract, store into the event) and through the matcher alone.
// Lines are generated here, deterministically (fixed seed), ~240 bytes for
// Apache (the shape of bench/gen_apache.py's lines, which e2e_grok.sh uses).
// Prints items_per_second = lines/s. The *UpstreamPatterns benchmarks load
// Logstash's pattern files, which are upstream code and not shipped with
// logpipe: from $LOGPIPE_SHARED_DIR/conformance/grok/patterns/legacy (default:
// ../shared beside the checkout); without them they skip with an error.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "filters/grok/grok_filter.h"

using namespace logpipe;

namespace {

class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  uint32_t next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state_ >> 33);
  }
  uint32_t below(uint32_t n) { return next() % n; }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) { return items[below(N)]; }

 private:
  uint64_t state_;
};

const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* kMethods[] = {"GET", "GET", "GET", "POST", "HEAD", "PUT"};
const char* kPaths[] = {"/index.html", "/api/v2/orders", "/static/css/site.min.css",
                        "/images/products/12345/large.jpg", "/search", "/account/login"};
const char* kQueries[] = {"", "", "?q=red+shoes&page=2", "?id=981273&ref=mail", "?session=abcdef0123456789"};
const char* kAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "curl/7.88.1"};
const char* kReferrers[] = {"-", "https://www.example.com/", "https://www.google.com/search?q=shop",
                            "https://shop.example.org/cart?step=3"};
const int kStatus[] = {200, 200, 200, 200, 304, 404, 500, 301};

std::string apache_line(Lcg& r) {
  char buf[1024];
  std::string ip = std::to_string(r.below(223) + 1) + "." + std::to_string(r.below(256)) + "." +
                   std::to_string(r.below(256)) + "." + std::to_string(r.below(256));
  const char* user = r.below(10) == 0 ? "frank" : "-";
  int n = snprintf(buf, sizeof buf,
                   "%s - %s [%02u/%s/2026:%02u:%02u:%02u +0000] \"%s %s%s HTTP/1.1\" %d %u \"%s\" \"%s\"",
                   ip.c_str(), user, r.below(28) + 1, r.pick(kMonths), r.below(24), r.below(60),
                   r.below(60), r.pick(kMethods), r.pick(kPaths), r.pick(kQueries), r.pick(kStatus),
                   r.below(50000) + 100, r.pick(kReferrers), r.pick(kAgents));
  return std::string(buf, n);
}

// Damage that keeps a line close to matching: the cases that make
// backtracking engines explode.
std::string malformed(std::string line, Lcg& r) {
  switch (r.below(4)) {
    case 0: return line.substr(0, line.size() - 1);             // agent quote not closed
    case 1: line[line.find("] \"") + 1] = '|'; return line;      // no space after the date
    case 2: return line.substr(0, line.size() / 2);             // truncated
    default: line.replace(line.find("HTTP/1.1\" ") + 10, 3, "2x0"); return line;  // bad status
  }
}

std::vector<std::string> apache_lines(double malformed_share) {
  Lcg r(20261126);
  std::vector<std::string> lines;
  for (int i = 0; i < 4096; ++i) {
    std::string line = apache_line(r);
    if (r.below(10000) < malformed_share * 10000) line = malformed(std::move(line), r);
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> syslog_lines() {
  Lcg r(42);
  const char* hosts[] = {"evita", "web-01", "db-master", "mailserver14"};
  const char* programs[] = {"postfix/smtpd", "sshd", "CRON", "kernel", "systemd"};
  const char* texts[] = {"connect from camomile.cloud9.net[168.100.1.3]",
                         "Accepted publickey for deploy from 10.0.4.17 port 50122 ssh2",
                         "(root) CMD (run-parts /etc/cron.hourly)",
                         "Started Session 4721 of user alice."};
  std::vector<std::string> lines;
  char buf[512];
  for (int i = 0; i < 4096; ++i) {
    bool pid = r.below(4) != 0;
    std::string p = pid ? "[" + std::to_string(r.below(30000) + 1) + "]" : "";
    int n = snprintf(buf, sizeof buf, "%s %2u %02u:%02u:%02u %s %s%s: %s", r.pick(kMonths),
                     r.below(28) + 1, r.below(24), r.below(60), r.below(60), r.pick(hosts),
                     r.pick(programs), p.c_str(), r.pick(texts));
    lines.emplace_back(buf, n);
  }
  return lines;
}

std::unique_ptr<GrokFilter> make_grok(const Value& pattern, bool upstream, bool ecs) {
  PluginInfo info = grok_filter_info();
  Settings settings;
  for (auto& spec : info.all_options())
    if (spec.default_value) settings.set(spec.name, *spec.default_value);
  Object match;
  match.set("message", pattern);
  settings.set("match", Value(std::move(match)));
  if (ecs) settings.set("ecs_compatibility", Value("v1"));
  static const GrokFilter::PatternFiles kNone;
  if (upstream) {
    const char* env = std::getenv("LOGPIPE_SHARED_DIR");
#ifdef LOGPIPE_SOURCE_DIR
    std::string shared = env && *env ? env : LOGPIPE_SOURCE_DIR "/../shared";
#else
    std::string shared = env && *env ? env : "";
#endif
    if (shared.empty())
      throw std::runtime_error("needs Logstash's pattern files: set LOGPIPE_SHARED_DIR");
    std::string dir = shared + "/conformance/grok/patterns/legacy";
    if (!std::filesystem::is_directory(dir))
      throw std::runtime_error("needs Logstash's pattern files at " + dir +
                               " (not shipped with logpipe: upstream code)");
    settings.set("patterns_dir", Value(Array{Value(dir)}));
  }
  PluginEnv env;
  return std::make_unique<GrokFilter>(PluginArgs{info.name, "grok_bench", settings, env, nullptr},
                                      upstream ? kNone : builtin_pattern_files());
}

struct NullContext : FilterContext {
  void emit(std::unique_ptr<Event>) override {}
};

void run_filter(benchmark::State& state, const Value& pattern,
                const std::vector<std::string>& lines, bool upstream = false, bool ecs = false) {
  std::unique_ptr<GrokFilter> grok;
  try {
    grok = make_grok(pattern, upstream, ecs);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  NullContext ctx;
  size_t i = 0;
  size_t failures = 0;
  const Timestamp ts = Timestamp::from_seconds(1764130519);
  for (auto _ : state) {
    Event e(lines[i], ts);  // as an input makes it: message, @timestamp, @version
    grok->filter(e, ctx);
    failures += e.get_top("tags") != nullptr;
    benchmark::DoNotOptimize(e);
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failed_share"] =
      benchmark::Counter(double(failures) / double(state.iterations() ? state.iterations() : 1));
}

// The cost the filter benchmarks include besides grok: making the event.
void BM_EventWithMessageOnly(benchmark::State& state) {
  auto lines = apache_lines(0);
  size_t i = 0;
  for (auto _ : state) {
    Event e(lines[i], Timestamp::from_seconds(1764130519));
    benchmark::DoNotOptimize(e);
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_GrokCombinedApache(benchmark::State& state) {
  run_filter(state, "%{COMBINEDAPACHELOG}", apache_lines(0));
}
void BM_GrokCombinedApache1PctMalformed(benchmark::State& state) {
  run_filter(state, "%{COMBINEDAPACHELOG}", apache_lines(0.01));
}
// ECS names and ECS patterns (exact RFC 5322 length limits in the user fields).
void BM_GrokCombinedApacheEcs(benchmark::State& state) {
  run_filter(state, "%{COMBINEDAPACHELOG}", apache_lines(0), false, true);
}
void BM_GrokCombinedApacheEcs1PctMalformed(benchmark::State& state) {
  run_filter(state, "%{COMBINEDAPACHELOG}", apache_lines(0.01), false, true);
}
void BM_GrokCombinedApacheUpstreamPatterns(benchmark::State& state) {
  run_filter(state, "%{COMBINEDAPACHELOG}", apache_lines(0), true);
}
void BM_GrokCombinedApacheUpstreamPatterns1PctMalformed(benchmark::State& state) {
  run_filter(state, "%{COMBINEDAPACHELOG}", apache_lines(0.01), true);
}
void BM_GrokSyslogLine(benchmark::State& state) {
  run_filter(state, "%{SYSLOGLINE}", syslog_lines());
}
void BM_GrokSyslogLine1PctMalformed(benchmark::State& state) {
  Lcg r(7);
  std::vector<std::string> lines = syslog_lines();
  for (std::string& line : lines)
    if (r.below(100) == 0) line = r.below(2) ? line.substr(0, 12) : "no syslog here: " + line.substr(16);
  run_filter(state, "%{SYSLOGLINE}", lines);
}
// A field with several patterns, as business configs have, where Apache
// lines match only the last: each earlier pattern costs a failed try (PCRE2
// anchored, then a scan by RE2's DFA).
void BM_GrokThreePatternsApacheMatchesLast(benchmark::State& state) {
  run_filter(state,
             Value(Array{Value("%{SYSLOGLINE}"), Value("%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:level} %{GREEDYDATA:msg}"),
                         Value("%{COMBINEDAPACHELOG}")}),
             apache_lines(0.01));
}

// The matcher alone (no event, no stores): the regex engines' share, in both
// orders (PCRE2 first on a budget, the default; RE2's DFA first).
void run_matcher(benchmark::State& state, double malformed_share, bool re2_first,
                 const char* pattern_set = "legacy") {
  auto lines = apache_lines(malformed_share);
  PatternLibrary library;
  library.add_builtin(builtin_pattern_files(), pattern_set);
  GrokMatcher* matcher = nullptr;
  std::unique_ptr<GrokMatcher> owned;
  try {
    owned = std::make_unique<GrokMatcher>(
        GrokCompiler(library, true).compile("%{COMBINEDAPACHELOG}"), re2_first);
    matcher = owned.get();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(matcher->match(lines[i]));
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pcre_share"] = benchmark::Counter(
      double(matcher->stats().pcre) / double(matcher->stats().pcre + matcher->stats().fallback + 1));
}

void BM_GrokMatcherCombinedApache(benchmark::State& state) { run_matcher(state, 0, false); }
void BM_GrokMatcherCombinedApache1PctMalformed(benchmark::State& state) {
  run_matcher(state, 0.01, false);
}
void BM_GrokMatcherCombinedApacheEcs(benchmark::State& state) {
  run_matcher(state, 0, false, "ecs-v1");
}
void BM_GrokMatcherCombinedApacheEcs1PctMalformed(benchmark::State& state) {
  run_matcher(state, 0.01, false, "ecs-v1");
}
void BM_GrokMatcherRe2FirstCombinedApache(benchmark::State& state) { run_matcher(state, 0, true); }
void BM_GrokMatcherRe2FirstCombinedApache1PctMalformed(benchmark::State& state) {
  run_matcher(state, 0.01, true);
}

// Lines that are not access-log lines at all (JSON, an error log's line):
// the prefilter rejects them for a missing required substring, before any
// regex runs. The label lists the substrings it checks.
void BM_GrokMatcherCombinedApacheRejectsForeignLines(benchmark::State& state) {
  PatternLibrary library;
  library.add_builtin(builtin_pattern_files(), "legacy");
  GrokMatcher matcher(GrokCompiler(library, true).compile("%{COMBINEDAPACHELOG}"));
  const std::vector<std::string> lines = {
      "{\"time\":\"2026-12-01T09:00:00Z\",\"level\":\"error\",\"msg\":\"upstream timed out (110: Connection "
      "timed out) while reading response header from upstream\"}",
      "2026/12/01 09:00:00 [error] 1234#1234: *5678 open() \"/var/www/favicon.ico\" failed (2: No such file or "
      "directory), client: 10.0.0.1, server: shop.example, request: GET /favicon.ico HTTP/1.1",
      "10.1.2.3 - - 01/Dec/2026:09:00:00 +0100 GET /index.html HTTP/1.1 200 512 - curl/8.0"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(matcher.match(lines[i]));
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  std::string label;
  for (const std::string& r : matcher.required_substrings()) label += (label.empty() ? "'" : " '") + r + "'";
  state.SetLabel("required " + label);
}

}  // namespace

BENCHMARK(BM_GrokMatcherCombinedApacheRejectsForeignLines);
BENCHMARK(BM_EventWithMessageOnly);
BENCHMARK(BM_GrokCombinedApache);
BENCHMARK(BM_GrokCombinedApache1PctMalformed);
BENCHMARK(BM_GrokCombinedApacheEcs);
BENCHMARK(BM_GrokCombinedApacheEcs1PctMalformed);
BENCHMARK(BM_GrokCombinedApacheUpstreamPatterns);
BENCHMARK(BM_GrokCombinedApacheUpstreamPatterns1PctMalformed);
BENCHMARK(BM_GrokSyslogLine);
BENCHMARK(BM_GrokSyslogLine1PctMalformed);
BENCHMARK(BM_GrokThreePatternsApacheMatchesLast);
BENCHMARK(BM_GrokMatcherCombinedApache);
BENCHMARK(BM_GrokMatcherCombinedApache1PctMalformed);
BENCHMARK(BM_GrokMatcherCombinedApacheEcs);
BENCHMARK(BM_GrokMatcherCombinedApacheEcs1PctMalformed);
BENCHMARK(BM_GrokMatcherRe2FirstCombinedApache);
BENCHMARK(BM_GrokMatcherRe2FirstCombinedApache1PctMalformed);
