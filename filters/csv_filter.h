// csv filter: splits one line of CSV into fields, as Logstash's csv filter
// (which parses with Ruby's CSV.parse_line, strict mode).
//
// Parsing: fields are split on `separator` (any string, default ","). A
// field that starts with quote_char is quoted: it may hold separators, line
// breaks and doubled quote chars (one literal quote), and its closing quote
// must be followed by a separator or the end of the row. An unquoted field
// may not hold the quote char. The first line break outside quotes ends the
// row (the rest is ignored, as parse_line does). An empty unquoted field is
// null, an empty quoted one "". quote_char "\x00" (written as text) is NUL.
//
// Fields: value i goes to columns[i], or to "column<i+1>" (autogenerate_
// column_names; without it extra values are dropped); a name written as
// [a][b] is a nested field; everything goes under target when given. Then
// convert (column => integer, float, date, date_time, boolean) as Ruby's
// CSV converters: a value that does not convert stays a string; dates
// become timestamps (date at midnight UTC, date_time ISO 8601 without zone
// as UTC). skip_empty_columns leaves out null and "" values; skip_header
// drops an event whose values equal the columns; autodetect_column_names
// takes the first event's values as the columns and drops that event.
//
// Bad input: a malformed line (illegal or unclosed quotes), a source that
// is not a string, or an empty source tags the event with tag_on_failure
// (default _csvparsefailure, as Logstash; the option itself is logpipe's);
// with skip_empty_rows an empty source is tagged _csvskippedemptyfield
// instead. Neither gets add_field/add_tag. A missing source is left alone.
//
// autodetect_column_names depends on which event comes first, so, as
// Logstash documents, it needs one worker: with pipeline.workers above 1 it
// is a config error here. One instance per filter worker: not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event/field_ref.h"
#include "engine/plugin.h"

namespace re2 {
class RE2;
}

namespace logpipe {

PluginInfo csv_filter_info();

// One row of Ruby's CSV.parse_line: values (nullopt for an empty unquoted
// field), or no row at all for empty text.
class CsvLineParser {
 public:
  CsvLineParser(std::string separator, char quote) : separator_(std::move(separator)), quote_(quote) {}
  // False with *error set for malformed text. *has_row is false for "".
  bool parse(std::string_view text, std::vector<std::optional<std::string>>& values, bool* has_row,
             std::string* error) const;

 private:
  bool at_separator(std::string_view text, size_t i) const {
    return text.compare(i, separator_.size(), separator_) == 0;
  }
  std::string separator_;
  char quote_;
};

class CsvFilter : public Filter {
 public:
  explicit CsvFilter(const PluginArgs& args);
  ~CsvFilter() override;
  void filter(Event& e, FilterContext& ctx) override;

  enum class Conversion { None, Integer, Float, Date, DateTime, Boolean };

 private:
  struct Column {
    std::string name;
    FieldRef ref;
    Conversion conversion = Conversion::None;
  };
  Column make_column(const std::string& name) const;
  const Column* column(size_t i);
  bool convert(Conversion c, std::optional<std::string>& text, Value* out) const;
  void fail(Event& e, const std::vector<std::string>& tags) const;

  FieldRef source_;
  std::string target_;  // "[t]" or "" (field names are appended to it)
  CsvLineParser parser_;
  std::vector<std::string> column_names_;
  std::vector<Column> columns_;    // for column_names_, then generated ones
  std::vector<std::pair<std::string, Conversion>> conversions_;
  bool autogenerate_ = true, autodetect_ = false, skip_header_ = false;
  bool skip_empty_columns_ = false, skip_empty_rows_ = false;
  std::vector<std::string> tag_on_failure_;
  std::vector<std::optional<std::string>> values_;  // per-event scratch
  std::unique_ptr<re2::RE2> date_re_, date_time_re_, month_date_re_;
};

}  // namespace logpipe
