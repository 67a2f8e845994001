// date filter: formats (line 1: Joda patterns or ISO8601/UNIX/UNIX_MS/TAI64N,
// separated by '|') and a timezone (line 2) compiled, then any text parsed.
#include "filters/date_filter.h"

#include "fuzz/filter_harness.h"
#include "fuzz/fuzz_input.h"

using namespace logpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  std::string_view formats = in.line();
  std::string zone(in.line());
  Array match{Value("message")};
  while (!formats.empty()) {
    size_t bar = formats.find('|');
    match.emplace_back(std::string(formats.substr(0, bar)));
    formats.remove_prefix(bar == std::string_view::npos ? formats.size() : bar + 1);
  }
  if (match.size() == 1) match.emplace_back("ISO8601");
  Object o;
  o.set("match", Value(match));
  if (!zone.empty()) o.set("timezone", Value(zone));
  auto filter = fuzz::build_filter(date_filter_info(), o);
  if (!filter) return 0;
  Event e{std::string(in.rest())};
  fuzz::run_filter(*filter, e);
  return 0;
}
