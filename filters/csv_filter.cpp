#include "filters/csv_filter.h"

#include <re2/re2.h>

#include <cctype>
#include <limits>

#include "engine/config/typed_options.h"
#include "engine/system/log.h"
#include "engine/text/civil_time.h"
#include "engine/text/ruby_number.h"
#include "engine/config/field_option.h"

namespace logpipe {

namespace {

struct CsvOptions {
  std::string source, separator, quote_char, ecs_compatibility;
  std::optional<std::string> target;
  std::vector<std::string> columns, tag_on_failure;
  bool autogenerate_column_names = true, autodetect_column_names = false, skip_header = false;
  bool skip_empty_columns = false, skip_empty_rows = false;
  Object convert;
};

const OptionSchema<CsvOptions>& csv_schema() {
  static const OptionSchema<CsvOptions> schema = [] {
    OptionSchema<CsvOptions> s;
    s.string("source", &CsvOptions::source, "Field holding the CSV line.").fallback("message");
    s.strings("columns", &CsvOptions::columns, "Field names for the values, in order.");
    s.string("separator", &CsvOptions::separator, "Column separator (any string; \"\\t\" for tabs).")
        .fallback(",");
    s.string("quote_char", &CsvOptions::quote_char, "Character that quotes a field (one character).")
        .fallback("\"");
    s.string("target", &CsvOptions::target, "Field to put the values under (default: the event root).");
    s.boolean("autogenerate_column_names", &CsvOptions::autogenerate_column_names,
              "Name values beyond the columns column<N>; false drops them.")
        .fallback(true);
    s.boolean("autodetect_column_names", &CsvOptions::autodetect_column_names,
              "Take the first event's values as the columns and drop it (needs pipeline.workers 1).")
        .fallback(false);
    s.boolean("skip_header", &CsvOptions::skip_header, "Drop events whose values equal the columns.")
        .fallback(false);
    s.boolean("skip_empty_columns", &CsvOptions::skip_empty_columns, "Do not store empty values.")
        .fallback(false);
    s.boolean("skip_empty_rows", &CsvOptions::skip_empty_rows,
              "Tag an empty line _csvskippedemptyfield instead of _csvparsefailure.")
        .fallback(false);
    s.hash("convert", &CsvOptions::convert,
           "Column => type: integer, float, date, date_time or boolean.");
    s.strings("tag_on_failure", &CsvOptions::tag_on_failure, "Tags added when the line cannot be parsed.")
        .fallback(Value(Array{Value("_csvparsefailure")}));
    s.string("ecs_compatibility", &CsvOptions::ecs_compatibility,
             "ECS mode: disabled, v1 or v8; with ECS a missing target is only reported.")
        .fallback("disabled")
        .one_of({"disabled", "v1", "v8"});
    return s;
  }();
  return schema;
}

// Kernel#Integer(string): optional surrounding whitespace and sign, then
// 0x / 0b / 0o / 0 (octal) or decimal digits, single underscores between
// digits, nothing else.
std::optional<int64_t> ruby_integer(std::string_view s) {
  while (!s.empty() && is_ruby_whitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ruby_whitespace(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    if (p == 'x' || p == 'b' || p == 'o' || p == 'd') {
      base = p == 'x' ? 16 : p == 'b' ? 2 : p == 'o' ? 8 : 10;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
      if (!s.empty() && s.front() == '_') s.remove_prefix(1);
    }
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
  unsigned __int128 n = 0;
  bool underscore = false;
  for (char c : s) {
    if (c == '_') {
      if (underscore) return std::nullopt;
      underscore = true;
      continue;
    }
    underscore = false;
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : std::isalpha(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                                          : 99;
    if (d >= base) return std::nullopt;
    n = n * base + d;
    if (n > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()) + 1) return std::nullopt;
  }
  if (!negative && n > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return negative ? static_cast<int64_t>(-static_cast<__int128>(n)) : static_cast<int64_t>(n);
}

bool valid_date(int64_t y, int m, int d) { return m >= 1 && m <= 12 && d >= 1 && d <= civil::days_in_month(y, m); }

Timestamp midnight_utc(int64_t y, int m, int d) { return Timestamp::from_seconds(civil::days_from_civil(y, m, d) * 86400); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An English month name or its three-letter form, as Date.parse reads it.
int month_number(std::string_view name) {
  static const char* const months[] = {"january", "february", "march", "april", "may", "june", "july",
                                       "august", "september", "october", "november", "december"};
  std::string n = lower(name);
  for (int i = 0; i < 12; ++i) {
    std::string_view full = months[i];
    if (n == full || (n.size() == 3 && full.substr(0, 3) == n)) return i + 1;
  }
  return 0;
}

}  // namespace

bool CsvLineParser::parse(std::string_view text, std::vector<std::optional<std::string>>& values,
                          bool* has_row, std::string* error) const {
  values.clear();
  *has_row = !text.empty();
  if (text.empty()) return true;
  auto row_end = [&](size_t i) { return i >= text.size() || text[i] == '\n' || text[i] == '\r'; };
  if (row_end(0)) return true;  // a blank line: a row without values
  size_t i = 0;
  for (;;) {
    if (text[i] == quote_ && i < text.size()) {
      std::string field;
      ++i;
      for (;;) {
        if (i >= text.size()) {
          *error = "Unclosed quoted field";
          return false;
        }
        if (text[i] == quote_) {
          if (i + 1 < text.size() && text[i + 1] == quote_) {
            field += quote_;
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      values.emplace_back(std::move(field));
      if (row_end(i)) return true;
      if (!at_separator(text, i)) {
        *error = "Any value after quoted field isn't allowed";
        return false;
      }
      i += separator_.size();
    } else {
      size_t start = i;
      while (!row_end(i) && !at_separator(text, i)) {
        if (text[i] == quote_) {
          *error = "Illegal quoting";
          return false;
        }
        ++i;
      }
      if (i == start)
        values.emplace_back(std::nullopt);
      else
        values.emplace_back(std::string(text.substr(start, i - start)));
      if (row_end(i)) return true;
      i += separator_.size();
    }
    if (row_end(i)) {  // a separator at the end of the row: one more, empty value
      values.emplace_back(std::nullopt);
      return true;
    }
  }
}

CsvFilter::CsvFilter(const PluginArgs& args)
    : Filter(args), parser_(",", '"') {
  CsvOptions o = csv_schema().bind(args.settings);
  source_ = field_option("source", o.source);
  if (o.separator.empty()) throw OptionError("separator", "must not be empty");
  std::string quote = o.quote_char == "\\x00" ? std::string(1, '\0') : o.quote_char;
  if (quote.size() != 1) throw OptionError("quote_char", "must be a single character, not '" + quote + "'");
  parser_ = CsvLineParser(o.separator, quote[0]);
  if (o.target) {
    field_option("target", *o.target);
    target_ = (*o.target)[0] == '[' ? *o.target : "[" + *o.target + "]";
  } else if (o.ecs_compatibility != "disabled" && args.env.validating) {
    log_info("csv {}: ECS compatibility is on but target is not set: the values go to the event root", id());
  }
  for (auto& [column, type] : o.convert) {
    std::string t = type.is_string() ? type.as_string() : type.to_string();
    Conversion c = t == "integer"     ? Conversion::Integer
                   : t == "float"     ? Conversion::Float
                   : t == "date"      ? Conversion::Date
                   : t == "date_time" ? Conversion::DateTime
                   : t == "boolean"   ? Conversion::Boolean
                                      : Conversion::None;
    if (c == Conversion::None)
      throw OptionError("convert", "invalid conversion type '" + t + "' for " + column +
                                       " (integer, float, date, date_time or boolean)");
    conversions_.emplace_back(column, c);
  }
  autogenerate_ = o.autogenerate_column_names;
  autodetect_ = o.autodetect_column_names && o.columns.empty();
  if (autodetect_ && args.env.workers > 1)
    throw OptionError("autodetect_column_names",
                      "takes the columns from the first event, which needs pipeline.workers 1 (-w 1); "
                      "this pipeline has " + std::to_string(args.env.workers));
  skip_header_ = o.skip_header;
  skip_empty_columns_ = o.skip_empty_columns;
  skip_empty_rows_ = o.skip_empty_rows;
  tag_on_failure_ = std::move(o.tag_on_failure);
  column_names_ = std::move(o.columns);
  for (auto& name : column_names_) columns_.push_back(make_column(name));
  date_re_ = std::make_unique<re2::RE2>(R"((\d{4})-(\d{2})-(\d{2}))");
  date_time_re_ = std::make_unique<re2::RE2>(
      R"((\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::\d{2}))?)?)?)");
  month_date_re_ = std::make_unique<re2::RE2>(R"((?:\w+,?\s+)?([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4}))");
}

CsvFilter::~CsvFilter() = default;

CsvFilter::Column CsvFilter::make_column(const std::string& name) const {
  Column c;
  c.name = name;
  std::string ref = !name.empty() && name[0] == '[' ? target_ + name : target_ + "[" + name + "]";
  auto parsed = FieldRef::parse(ref);
  c.ref = parsed ? *parsed : FieldRef::must("[" + name + "]");
  for (auto& [column, conversion] : conversions_)
    if (column == name) c.conversion = conversion;
  return c;
}

// The column for value i; nullptr when it is dropped.
const CsvFilter::Column* CsvFilter::column(size_t i) {
  if (i < column_names_.size()) return &columns_[i];
  if (!autogenerate_) return nullptr;
  while (columns_.size() <= i) columns_.push_back(make_column("column" + std::to_string(columns_.size() + 1)));
  return &columns_[i];
}

// Ruby's CSV converters. False only where Logstash's converter raises
// (boolean of an empty value): the line then counts as malformed.
bool CsvFilter::convert(Conversion c, std::optional<std::string>& text, Value* out) const {
  if (!text) {
    *out = Value();
    return c != Conversion::Boolean;
  }
  const std::string& s = *text;
  switch (c) {
    case Conversion::Integer:
      if (auto n = ruby_integer(s)) {
        *out = Value(*n);
        return true;
      }
      break;
    case Conversion::Float:
      if (auto f = ruby_float(s)) {
        *out = Value(*f);
        return true;
      }
      break;
    case Conversion::Date: {
      int64_t y = 0;
      int m = 0, d = 0;
      std::string month;
      if (re2::RE2::FullMatch(s, *date_re_, &y, &m, &d) ||
          (re2::RE2::FullMatch(s, *month_date_re_, &month, &d, &y) && (m = month_number(month)) != 0)) {
        if (valid_date(y, m, d)) {
          *out = Value(midnight_utc(y, m, d));
          return true;
        }
      }
      break;
    }
    case Conversion::DateTime: {
      int64_t y = 0;
      int m = 0, d = 0;
      std::string hh, mm, ss, fraction, zone;
      if (re2::RE2::FullMatch(s, *date_time_re_, &y, &m, &d, &hh, &mm, &ss, &fraction, &zone) &&
          valid_date(y, m, d)) {
        int h = hh.empty() ? 0 : std::stoi(hh), mi = mm.empty() ? 0 : std::stoi(mm);
        int se = ss.empty() ? 0 : std::stoi(ss);
        if (h > 23 || mi > 59 || se > 60) break;
        int64_t offset = 0;
        if (!zone.empty() && zone != "Z") {
          int zh = std::stoi(zone.substr(1, 2)), zm = zone.size() > 3 ? std::stoi(zone.substr(4, 2)) : 0;
          offset = (zh * 3600 + zm * 60) * (zone[0] == '-' ? -1 : 1);
        }
        int64_t nanos = 0;
        for (size_t k = 1, scale = 100000000; k < fraction.size() && scale > 0; ++k, scale /= 10)
          nanos += (fraction[k] - '0') * static_cast<int64_t>(scale);
        int64_t secs = civil::days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + se - offset;
        *out = Value(Timestamp{secs * civil::kNanosPerSecond + nanos});
        return true;
      }
      break;
    }
    case Conversion::Boolean: {
      std::string_view v = s;
      while (!v.empty() && (is_ruby_whitespace(v.front()) || v.front() == '\0')) v.remove_prefix(1);
      while (!v.empty() && (is_ruby_whitespace(v.back()) || v.back() == '\0')) v.remove_suffix(1);
      std::string l = lower(v);
      *out = l == "true" ? Value(true) : l == "false" ? Value(false) : Value(std::move(l));
      return true;
    }
    case Conversion::None:
      break;
  }
  *out = Value(std::move(*text));
  return true;
}

void CsvFilter::fail(Event& e, const std::vector<std::string>& tags) const {
  for (const auto& tag : tags) e.add_tag(tag);
}

void CsvFilter::filter(Event& e, FilterContext& ctx) {
  (void)ctx;
  const Value* src = e.get(source_);
  if (!src || src->is_null() || (src->is_bool() && !src->as_bool())) return;
  if (!src->is_string()) {
    fail(e, tag_on_failure_);
    log_debug("csv {}: field {} is not a string", id(), source_.text());
    return;
  }
  bool has_row = false;
  std::string error;
  if (!parser_.parse(src->as_string(), values_, &has_row, &error)) {
    fail(e, tag_on_failure_);
    log_debug("csv {}: cannot parse field {}: {}", id(), source_.text(), error);
    return;
  }
  if (autodetect_) {
    column_names_.clear();
    columns_.clear();
    for (size_t i = 0; i < values_.size(); ++i) {
      column_names_.push_back(values_[i] ? *values_[i] : "column" + std::to_string(i + 1));
      columns_.push_back(make_column(column_names_.back()));
    }
    autodetect_ = false;
    e.cancel();
    return;
  }
  if (skip_header_ && !column_names_.empty() && has_row && values_.size() == column_names_.size()) {
    bool header = true;
    for (size_t i = 0; i < values_.size() && header; ++i) header = values_[i] && *values_[i] == column_names_[i];
    if (header) {
      e.cancel();
      return;
    }
  }
  if (!has_row) {
    if (skip_empty_rows_) {
      e.add_tag("_csvskippedemptyfield");
    } else {
      fail(e, tag_on_failure_);
      log_debug("csv {}: field {} is empty", id(), source_.text());
    }
    return;
  }
  for (size_t i = 0; i < values_.size(); ++i) {
    if (skip_empty_columns_ && (!values_[i] || values_[i]->empty())) continue;
    const Column* c = column(i);
    if (!c) continue;
    Value v;
    if (!convert(c->conversion, values_[i], &v)) {  // fields set so far stay, as in Logstash
      fail(e, tag_on_failure_);
      log_debug("csv {}: boolean conversion of an empty value", id());
      return;
    }
    e.set(c->ref, std::move(v));
  }
  filter_matched(e);
}

PluginInfo csv_filter_info() {
  PluginInfo info;
  info.name = "csv";
  info.kind = PluginKind::Filter;
  info.description = "Parses a line of comma-separated (or other separated) values into fields.";
  info.options = csv_schema().specs();
  info.make_filter = [](const PluginArgs& args) -> std::unique_ptr<Filter> {
    return std::make_unique<CsvFilter>(args);
  };
  return info;
}

}  // namespace logpipe
