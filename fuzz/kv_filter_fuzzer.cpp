// kv filter: its scan over any message, with the separator, trim and bracket
// options chosen by the input (line 1: field_split, 2: value_split,
// 3: trim_value, then one byte of switches, then the message).
#include "filters/kv_filter.h"

#include "fuzz/filter_harness.h"
#include "fuzz/fuzz_input.h"

using namespace logpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  std::string field_split(in.line()), value_split(in.line()), trim_value(in.line());
  uint8_t switches = in.byte();
  Object o;
  if (!field_split.empty()) o.set("field_split", Value(field_split));
  if (!value_split.empty()) o.set("value_split", Value(value_split));
  if (!trim_value.empty()) o.set("trim_value", Value(trim_value));
  if (switches & 1) o.set("recursive", Value(true));
  if (switches & 2) o.set("include_brackets", Value(false));
  if (switches & 4) o.set("whitespace", Value("strict"));
  if (switches & 8) o.set("allow_duplicate_values", Value(false));
  if (switches & 16) o.set("allow_empty_values", Value(true));
  if (switches & 32) o.set("transform_key", Value("capitalize"));
  if (switches & 64) o.set("target", Value("[kv]"));
  if (switches & 128) o.set("field_split_pattern", Value(field_split.empty() ? "," : field_split));
  auto filter = fuzz::build_filter(kv_filter_info(), o);
  if (!filter) return 0;
  Event e{std::string(in.rest())};
  fuzz::run_filter(*filter, e);
  return 0;
}
