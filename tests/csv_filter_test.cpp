// csv filter: Ruby CSV's strict parsing (quotes, separators, row ends),
// column naming, conversions, the skip options, autodetection, bad input
// and config errors — table-driven.
#include "filters/csv_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/text/json_writer.h"
#include "tests/plugin_test_support.h"

namespace logpipe {
namespace {

using testing::opts;

std::unique_ptr<Filter> make(const Object& settings) { return testing::make_test_filter(csv_filter_info(), settings); }

std::string rest_json(const Event& e) { return testing::fields_json_without(e, {"@timestamp", "@version", "message"}); }

struct Case {
  Object settings;
  std::string line;
  const char* expected;  // fields other than message/@timestamp/@version; "CANCELLED" for a dropped event
};

void check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    std::string settings_json;
    append_json(Value(c.settings), settings_json);
    SCOPED_TRACE(settings_json + " | " + c.line);
    auto filter = make(c.settings);
    testing::NullFilterContext ctx;
    Event e(c.line);
    filter->filter(e, ctx);
    EXPECT_EQ(e.cancelled() ? "CANCELLED" : rest_json(e), c.expected);
  }
}

TEST(CsvFilterTest, Parsing) {
  check({
      {{}, "big,bird,sesame street", R"({"column1":"big","column2":"bird","column3":"sesame street"})"},
      {{}, R"("a,b","say ""hi""",c)", R"({"column1":"a,b","column2":"say \"hi\"","column3":"c"})"},
      {{}, "a,,c", R"({"column1":"a","column2":null,"column3":"c"})"},
      {{}, R"(a,"",c)", R"({"column1":"a","column2":"","column3":"c"})"},
      {{}, "a,b,", R"({"column1":"a","column2":"b","column3":null})"},
      {{}, ",", R"({"column1":null,"column2":null})"},
      {{}, " a , b ", R"({"column1":" a ","column2":" b "})"},
      {{}, "a,b\nc,d", R"({"column1":"a","column2":"b"})"},
      {{}, "a,b\r\n", R"({"column1":"a","column2":"b"})"},
      {{}, "\"multi\nline\",x", R"({"column1":"multi\nline","column2":"x"})"},
      {{}, "\n", R"({})"},
      {opts({{"separator", Value(";")}}), "big,bird;sesame street", R"({"column1":"big,bird","column2":"sesame street"})"},
      {opts({{"separator", Value("\t")}}), "a\tb c", R"({"column1":"a","column2":"b c"})"},
      {opts({{"separator", Value("||")}}), "a||b|c||d", R"({"column1":"a","column2":"b|c","column3":"d"})"},
      {opts({{"quote_char", Value("'")}}), "'a,b',\"c\"", R"({"column1":"a,b","column2":"\"c\""})"},
      {opts({{"quote_char", Value("\\x00")}}), "\"a\",b", R"({"column1":"\"a\"","column2":"b"})"},
      // malformed: tagged, nothing set
      {{}, R"(a,b"c)", R"({"tags":["_csvparsefailure"]})"},
      {{}, R"("a"b,c)", R"({"tags":["_csvparsefailure"]})"},
      {{}, R"("unclosed,c)", R"({"tags":["_csvparsefailure"]})"},
      {{}, R"( "a",b)", R"({"tags":["_csvparsefailure"]})"},
      {{}, "", R"({"tags":["_csvparsefailure"]})"},
      {opts({{"skip_empty_rows", Value(true)}}), "", R"({"tags":["_csvskippedemptyfield"]})"},
      {opts({{"tag_on_failure", Value(Array{Value("bad_csv")})}}), R"(a"b)", R"({"tags":["bad_csv"]})"},
  });
}

TEST(CsvFilterTest, ColumnsAndTarget) {
  Value cols(Array{Value("first"), Value("last"), Value("[address][street]")});
  check({
      {opts({{"columns", cols}}), "big,bird,sesame street",
       R"({"first":"big","last":"bird","address":{"street":"sesame street"}})"},
      {opts({{"columns", cols}}), "big,bird,sesame street,extra,more",
       R"({"first":"big","last":"bird","address":{"street":"sesame street"},"column4":"extra","column5":"more"})"},
      {opts({{"columns", cols}, {"autogenerate_column_names", Value(false)}}), "big,bird,sesame street,extra",
       R"({"first":"big","last":"bird","address":{"street":"sesame street"}})"},
      {opts({{"columns", Value(Array{Value("a.b")})}}), "x", R"({"a.b":"x"})"},
      {opts({{"columns", cols}, {"target", Value("data")}}), "big,bird,st",
       R"({"data":{"first":"big","last":"bird","address":{"street":"st"}}})"},
      {opts({{"target", Value("[p][q]")}}), "x", R"({"p":{"q":{"column1":"x"}}})"},
      {opts({{"columns", cols}, {"skip_empty_columns", Value(true)}}), "big,,\"\"", R"({"first":"big"})"},
      {opts({{"columns", cols}, {"skip_header", Value(true)}}), "first,last,[address][street]", "CANCELLED"},
      {opts({{"columns", cols}, {"skip_header", Value(true)}}), "first,last,other",
       R"({"first":"first","last":"last","address":{"street":"other"}})"},
      {opts({{"columns", cols}}), "first,last,[address][street]",
       R"({"first":"first","last":"last","address":{"street":"[address][street]"}})"},
      {opts({{"add_tag", Value(Array{Value("parsed")})}}), "x", R"({"column1":"x","tags":["parsed"]})"},
      {opts({{"add_tag", Value(Array{Value("parsed")})}}), "\"x", R"({"tags":["_csvparsefailure"]})"},
  });
}

TEST(CsvFilterTest, Conversions) {
  auto conv = [](const char* type) {
    return opts({{"columns", Value(Array{Value("v")})}, {"convert", Value(opts({{"v", Value(type)}}))}});
  };
  check({
      {conv("integer"), "42", R"({"v":42})"},
      {conv("integer"), " -17 ", R"({"v":-17})"},
      {conv("integer"), "1_000", R"({"v":1000})"},
      {conv("integer"), "0x1A", R"({"v":26})"},
      {conv("integer"), "017", R"({"v":15})"},
      {conv("integer"), "08", R"({"v":"08"})"},
      {conv("integer"), "1.5", R"({"v":"1.5"})"},
      {conv("integer"), "abc", R"({"v":"abc"})"},
      {conv("integer"), "99999999999999999999", R"({"v":"99999999999999999999"})"},
      {conv("integer"), "a,", R"({"v":"a","column2":null})"},
      {conv("float"), "1.5", R"({"v":1.5})"},
      {conv("float"), "2", R"({"v":2.0})"},
      {conv("float"), "1e3", R"({"v":1000.0})"},
      {conv("float"), "1.5x", R"({"v":"1.5x"})"},
      {conv("boolean"), "true", R"({"v":true})"},
      {conv("boolean"), " FALSE ", R"({"v":false})"},
      {conv("boolean"), " Yes ", R"({"v":"yes"})"},
      // Logstash's boolean converter raises on an empty value
      {conv("boolean"), "", R"({"tags":["_csvparsefailure"]})"},
      {conv("boolean"), ",x", R"({"tags":["_csvparsefailure"]})"},
      {conv("date"), "2017-05-03", R"({"v":"2017-05-03T00:00:00.000Z"})"},
      {conv("date"), "\"May 3, 2017\"", R"({"v":"2017-05-03T00:00:00.000Z"})"},
      {conv("date"), "\"Wednesday, May 3 2017\"", R"({"v":"2017-05-03T00:00:00.000Z"})"},
      {conv("date"), "2017-02-30", R"({"v":"2017-02-30"})"},
      {conv("date"), "yesterday", R"({"v":"yesterday"})"},
      {conv("date_time"), "2017-05-03 10:20:30", R"({"v":"2017-05-03T10:20:30.000Z"})"},
      {conv("date_time"), "2017-05-03T10:20:30.25+02:00", R"({"v":"2017-05-03T08:20:30.250Z"})"},
      {conv("date_time"), "2017-05-03T10:20", R"({"v":"2017-05-03T10:20:00.000Z"})"},
      // a zone only after seconds, as Ruby's DateTimeMatcher
      {conv("date_time"), "2017-05-03T10:20Z", R"({"v":"2017-05-03T10:20Z"})"},
      {conv("date_time"), "2017-05-03", R"({"v":"2017-05-03T00:00:00.000Z"})"},
      {conv("date_time"), "10:20:30", R"({"v":"10:20:30"})"},
  });
  // a conversion names its column, generated names too
  check({{opts({{"convert", Value(opts({{"column2", Value("integer")}}))}}), "a,7", R"({"column1":"a","column2":7})"}});
}

TEST(CsvFilterTest, AutodetectColumnNames) {
  auto filter = make(opts({{"autodetect_column_names", Value(true)}}));
  testing::NullFilterContext ctx;
  Event header("name,,age"), row("joe,x,42"), row2("ann,y,7,extra");
  filter->filter(header, ctx);
  EXPECT_TRUE(header.cancelled());
  filter->filter(row, ctx);
  filter->filter(row2, ctx);
  EXPECT_EQ(rest_json(row), R"({"name":"joe","column2":"x","age":"42"})");
  EXPECT_EQ(rest_json(row2), R"({"name":"ann","column2":"y","age":"7","column4":"extra"})");
}

TEST(CsvFilterTest, SourceKinds) {
  auto filter = make(opts({{"source", Value("[raw]")}}));
  testing::NullFilterContext ctx;
  Event missing("x");
  filter->filter(missing, ctx);
  EXPECT_EQ(rest_json(missing), "{}");
  Event number;
  number.set_top("raw", Value(5));
  filter->filter(number, ctx);
  EXPECT_EQ(rest_json(number), R"({"raw":5,"tags":["_csvparsefailure"]})");
}

TEST(CsvFilterTest, ConfigErrors) {
  EXPECT_THROW(make(opts({{"convert", Value(opts({{"a", Value("money")}}))}})), OptionError);
  EXPECT_THROW(make(opts({{"quote_char", Value("''")}})), OptionError);
  EXPECT_THROW(make(opts({{"separator", Value("")}})), OptionError);
  EXPECT_THROW(make(opts({{"source", Value("[a")}})), OptionError);
  // autodetection with several workers would take a random line as the header
  const PluginInfo info = csv_filter_info();
  Settings settings = testing::settings_with_defaults(info, opts({{"autodetect_column_names", Value(true)}}));
  PluginEnv env;
  env.workers = 2;
  try {
    info.make_filter(PluginArgs{info.name, "csv_1", settings, env, nullptr});
    ADD_FAILURE() << "no error";
  } catch (const OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("pipeline.workers 1"), std::string::npos) << e.what();
  }
  env.workers = 1;
  EXPECT_NO_THROW(info.make_filter(PluginArgs{info.name, "csv_1", settings, env, nullptr}));
}

}  // namespace
}  // namespace logpipe
