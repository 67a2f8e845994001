// json filter: any text parsed into the event root (keys become field
// references, @timestamp is read) or under a target.
#include "filters/json_filter.h"

#include "fuzz/filter_harness.h"
#include "fuzz/fuzz_input.h"

using namespace logpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  uint8_t switches = in.byte();
  Object o;
  o.set("source", Value("message"));
  if (switches & 1) o.set("target", Value("[doc]"));
  auto filter = fuzz::build_filter(json_filter_info(), o);
  if (!filter) return 0;
  Event e{std::string(in.rest())};
  fuzz::run_filter(*filter, e);
  return 0;
}
