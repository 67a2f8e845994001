// JSON string escaping, the largest single cost of json_lines output: clean
// ASCII (nothing to escape, the common case), an Apache line (quotes every
// few dozen bytes), short field names, and text with multi-byte UTF-8.
// Prints ns per string and bytes/s.
#include <benchmark/benchmark.h>

#include <string>

#include "engine/text/json_escape.h"
#include "engine/text/json_writer.h"

using namespace logpipe;

namespace {

void escape(benchmark::State& state, const std::string& s) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_json_string(s, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(s.size()));
}

void BM_JsonStringCleanAscii(benchmark::State& state) {
  escape(state, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/118.0.0.0 Safari/537.36 /journal/2026/03/ceramic-glass-filter-cup-cup");
}
BENCHMARK(BM_JsonStringCleanAscii);

void BM_JsonStringApacheLine(benchmark::State& state) {
  escape(state, "24.36.166.203 - ci-runner [01/Dec/2026:09:00:00 +0100] \"GET /api/v1/reviews/2264619 "
                "HTTP/1.1\" 200 14773 \"https://www.brewandbean.example/journal/2026/03/glass-travel-teapot\" "
                "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Version/17.2 Safari/605.1.15\"");
}
BENCHMARK(BM_JsonStringApacheLine);

void BM_JsonStringFieldName(benchmark::State& state) { escape(state, "httpversion"); }
BENCHMARK(BM_JsonStringFieldName);

void BM_JsonStringUtf8(benchmark::State& state) {
  escape(state, "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 "
                "na\u00efve fa\u00e7ade \U0001F600 end of the line with some ascii after it");
}
BENCHMARK(BM_JsonStringUtf8);

}  // namespace

namespace {

// Each width alone on the Apache line (escape_json_body picks one at run time).
void escape_width(benchmark::State& state, logpipe::json_escape_impl::Fn fn) {
  if (!fn) {
    state.SkipWithError("not supported on this CPU");
    return;
  }
  const std::string s =
      "24.36.166.203 - ci-runner [01/Dec/2026:09:00:00 +0100] \"GET /api/v1/reviews/2264619 HTTP/1.1\" 200 14773 "
      "\"https://www.brewandbean.example/journal/2026/03/glass-travel-teapot\" \"Mozilla/5.0 (Macintosh; Intel Mac "
      "OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15\"";
  std::string out(6 * s.size() + logpipe::kJsonEscapeSlack, '\0');
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (auto _ : state) benchmark::DoNotOptimize(fn(p, p + s.size(), out.data()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(s.size()));
}
void BM_JsonEscapeScalar(benchmark::State& state) { escape_width(state, logpipe::json_escape_impl::scalar); }
void BM_JsonEscapeSse2(benchmark::State& state) { escape_width(state, logpipe::json_escape_impl::sse2); }
void BM_JsonEscapeAvx2(benchmark::State& state) { escape_width(state, logpipe::json_escape_impl::avx2); }
BENCHMARK(BM_JsonEscapeScalar);
BENCHMARK(BM_JsonEscapeSse2);
BENCHMARK(BM_JsonEscapeAvx2);

}  // namespace
