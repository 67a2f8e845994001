// dissect filter: a pattern (line 1) compiled and applied to any message (the
// rest), with convert_datatype on a field the pattern may name.
#include "filters/dissect_filter.h"

#include "fuzz/filter_harness.h"
#include "fuzz/fuzz_input.h"

using namespace logpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  std::string pattern(in.line());
  uint8_t switches = in.byte();
  Object mapping;
  mapping.set("message", Value(pattern));
  Object o;
  o.set("mapping", Value(mapping));
  if (switches & 1) {
    Object convert;
    convert.set("a", Value(switches & 2 ? "int" : "float"));
    o.set("convert_datatype", Value(convert));
  }
  auto filter = fuzz::build_filter(dissect_filter_info(), o);
  if (!filter) return 0;
  Event e{std::string(in.rest())};
  fuzz::run_filter(*filter, e);
  return 0;
}
