// GrokDiagnoser: the cost of explaining one failing line (binary search over
// the prefixes of the expression's parts, descending into failed references),
// with the prefix regexes already compiled, as they are after the first line
// of a given shape in `logpipe sandbox`. Also the first line, compiles
// included. Prints items_per_second = lines/s.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "filters/grok/grok_diagnosis.h"

using namespace logpipe;

namespace {

std::shared_ptr<const PatternLibrary> legacy_library() {
  static auto library = [] {
    auto lib = std::make_shared<PatternLibrary>();
    lib->add_builtin(builtin_pattern_files(), "legacy");
    return lib;
  }();
  return library;
}

const char* kBadStatus =
    R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" abc 2326 )x"
    R"x("http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)")x";
const char* kGood =
    R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 )x"
    R"x("http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)")x";
const char* kBadSyslogTime = "Foo 32 25:61:00 myhost sshd[1234]: Accepted publickey for bob";

void diagnose_warm(benchmark::State& state, const char* expression, const char* line) {
  GrokDiagnoser diagnoser(legacy_library(), true, expression);
  diagnoser.diagnose(line);  // compiles the prefixes this shape needs
  for (auto _ : state) benchmark::DoNotOptimize(diagnoser.diagnose(line));
  state.SetItemsProcessed(state.iterations());
}

void BM_DiagnoseApacheBadStatus(benchmark::State& state) {
  diagnose_warm(state, "%{COMBINEDAPACHELOG}", kBadStatus);
}
void BM_DiagnoseSyslogBadTimestamp(benchmark::State& state) {
  diagnose_warm(state, "%{SYSLOGLINE}", kBadSyslogTime);
}
// A matching line: the captures with their spans (one match, no search).
void BM_DiagnoseApacheMatch(benchmark::State& state) {
  diagnose_warm(state, "%{COMBINEDAPACHELOG}", kGood);
}
// The first failing line of its shape: every prefix regex compiled.
void BM_DiagnoseApacheBadStatusCold(benchmark::State& state) {
  for (auto _ : state) {
    GrokDiagnoser diagnoser(legacy_library(), true, "%{COMBINEDAPACHELOG}");
    benchmark::DoNotOptimize(diagnoser.diagnose(kBadStatus));
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_DiagnoseApacheBadStatus);
BENCHMARK(BM_DiagnoseSyslogBadTimestamp);
BENCHMARK(BM_DiagnoseApacheMatch);
BENCHMARK(BM_DiagnoseApacheBadStatusCold)->Unit(benchmark::kMillisecond);
