// csv filter: any line split with a separator (line 1) and quote character
// (byte 1, when printable) chosen by the input; switches for the options that
// change the scan (skip_empty_columns, skip_empty_rows, convert, columns).
#include "filters/csv_filter.h"

#include "fuzz/filter_harness.h"
#include "fuzz/fuzz_input.h"

using namespace logpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  std::string separator(in.line());
  uint8_t quote = in.byte();
  uint8_t switches = in.byte();
  Object o;
  if (!separator.empty()) o.set("separator", Value(separator));
  if (quote >= 0x20 && quote < 0x7f) o.set("quote_char", Value(std::string(1, static_cast<char>(quote))));
  if (switches & 1) o.set("skip_empty_columns", Value(true));
  if (switches & 2) o.set("skip_empty_rows", Value(true));
  if (switches & 4) o.set("columns", Value(Array{Value("a"), Value("[b][c]"), Value("a")}));
  if (switches & 8) {
    Object convert;
    convert.set("column1", Value("integer"));
    convert.set("column2", Value("float"));
    convert.set("column3", Value("date_time"));
    convert.set("column4", Value("boolean"));
    o.set("convert", Value(convert));
  }
  if (switches & 16) o.set("target", Value("[csv]"));
  auto filter = fuzz::build_filter(csv_filter_info(), o);
  if (!filter) return 0;
  Event e{std::string(in.rest())};
  fuzz::run_filter(*filter, e);
  return 0;
}
