// PrometheusText: the strict text exposition format (0.0.4) parser that
// checks logpipe's GET /metrics output (tests/prometheus_text.h): valid
// exposition reads to the right families, samples and values, and each rule
// of the format rejects a minimal bad example on the right line.
#include "tests/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using logpipe::testing::parse_prometheus_text;
using logpipe::testing::PromFamily;
using logpipe::testing::PromSample;
using Labels = std::vector<std::pair<std::string, std::string>>;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The error of parsing `text`, "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_prometheus_text(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(PrometheusText, FullExampleWithHistogramAndSummary) {
  const std::string text =
      "# HELP http_requests_total The total number of HTTP requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
      "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
      "\n"
      "# Escaping in label values:\n"
      "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
      "\n"
      "# Minimalistic line:\n"
      "metric_without_timestamp_and_labels 12.47\n"
      "\n"
      "# A weird metric from before the epoch:\n"
      "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
      "\n"
      "# A histogram, which has a pretty complex representation in the text format:\n"
      "# HELP http_request_duration_seconds A histogram of the request duration.\n"
      "# TYPE http_request_duration_seconds histogram\n"
      "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
      "http_request_duration_seconds_bucket{le=\"0.1\"} 33444\n"
      "http_request_duration_seconds_bucket{le=\"0.2\"} 100392\n"
      "http_request_duration_seconds_bucket{le=\"0.5\"} 129389\n"
      "http_request_duration_seconds_bucket{le=\"1\"} 133988\n"
      "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
      "http_request_duration_seconds_sum 53423\n"
      "http_request_duration_seconds_count 144320\n"
      "\n"
      "# Finally a summary, which has a complex representation, too:\n"
      "# HELP rpc_duration_seconds A summary of the RPC duration in seconds.\n"
      "# TYPE rpc_duration_seconds summary\n"
      "rpc_duration_seconds{quantile=\"0.01\"} 3102\n"
      "rpc_duration_seconds{quantile=\"0.05\"} 3272\n"
      "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
      "rpc_duration_seconds{quantile=\"0.9\"} 9001\n"
      "rpc_duration_seconds{quantile=\"0.99\"} 76656\n"
      "rpc_duration_seconds_sum 1.7560473e+07\n"
      "rpc_duration_seconds_count 2693\n";
  std::vector<PromFamily> f = parse_prometheus_text(text);
  ASSERT_EQ(f.size(), 6u);

  EXPECT_EQ(f[0].name, "http_requests_total");
  EXPECT_EQ(f[0].help, "The total number of HTTP requests.");
  EXPECT_EQ(f[0].type, "counter");
  ASSERT_EQ(f[0].samples.size(), 2u);
  EXPECT_EQ(f[0].samples[0].name, "http_requests_total");
  EXPECT_EQ(f[0].samples[0].labels, (Labels{{"method", "post"}, {"code", "200"}}));
  EXPECT_EQ(f[0].samples[0].value, 1027);
  EXPECT_EQ(f[0].samples[0].timestamp_ms, 1395066363000);
  EXPECT_EQ(f[0].samples[1].value, 3);

  EXPECT_EQ(f[1].name, "msdos_file_access_time_seconds");
  EXPECT_EQ(f[1].type, "untyped");
  EXPECT_EQ(f[1].help, "");
  ASSERT_EQ(f[1].samples.size(), 1u);
  EXPECT_EQ(f[1].samples[0].labels,
            (Labels{{"path", "C:\\DIR\\FILE.TXT"}, {"error", "Cannot find file:\n\"FILE.TXT\""}}));
  EXPECT_EQ(f[1].samples[0].value, 1.458255915e9);
  EXPECT_FALSE(f[1].samples[0].timestamp_ms);

  EXPECT_EQ(f[2].name, "metric_without_timestamp_and_labels");
  ASSERT_EQ(f[2].samples.size(), 1u);
  EXPECT_TRUE(f[2].samples[0].labels.empty());
  EXPECT_EQ(f[2].samples[0].value, 12.47);

  EXPECT_EQ(f[3].name, "something_weird");
  EXPECT_EQ(f[3].samples[0].value, kInf);
  EXPECT_EQ(f[3].samples[0].timestamp_ms, -3982045);

  EXPECT_EQ(f[4].name, "http_request_duration_seconds");
  EXPECT_EQ(f[4].type, "histogram");
  EXPECT_EQ(f[4].help, "A histogram of the request duration.");
  ASSERT_EQ(f[4].samples.size(), 8u);
  EXPECT_EQ(f[4].samples[0].name, "http_request_duration_seconds_bucket");
  EXPECT_EQ(f[4].samples[0].labels, (Labels{{"le", "0.05"}}));
  EXPECT_EQ(f[4].samples[0].value, 24054);
  EXPECT_EQ(f[4].samples[5].labels, (Labels{{"le", "+Inf"}}));
  EXPECT_EQ(f[4].samples[5].value, 144320);
  EXPECT_EQ(f[4].samples[6].name, "http_request_duration_seconds_sum");
  EXPECT_EQ(f[4].samples[6].value, 53423);
  EXPECT_EQ(f[4].samples[7].name, "http_request_duration_seconds_count");
  EXPECT_EQ(f[4].samples[7].value, 144320);

  EXPECT_EQ(f[5].name, "rpc_duration_seconds");
  EXPECT_EQ(f[5].type, "summary");
  ASSERT_EQ(f[5].samples.size(), 7u);
  EXPECT_EQ(f[5].samples[0].labels, (Labels{{"quantile", "0.01"}}));
  EXPECT_EQ(f[5].samples[0].value, 3102);
  EXPECT_EQ(f[5].samples[4].value, 76656);
  EXPECT_EQ(f[5].samples[5].name, "rpc_duration_seconds_sum");
  EXPECT_EQ(f[5].samples[5].value, 1.7560473e+07);
  EXPECT_EQ(f[5].samples[6].name, "rpc_duration_seconds_count");
  EXPECT_EQ(f[5].samples[6].value, 2693);
}

TEST(PrometheusText, HistogramAndSummaryPerLabelSetInAnyOrder) {
  // Two series per family; buckets and quantiles out of order; the +Inf
  // bucket first; labels in another order on _sum and _count.
  const std::string text =
      "# TYPE lat histogram\n"
      "lat_bucket{le=\"+Inf\",route=\"a\"} 3\n"
      "lat_bucket{route=\"a\",le=\"1\"} 2\n"
      "lat_bucket{route=\"a\",le=\"0.5\"} 1\n"
      "lat_sum{route=\"a\"} 1.75\n"
      "lat_count{route=\"a\"} 3\n"
      "lat_bucket{route=\"b\",le=\"1e-1\"} 0\n"
      "lat_bucket{route=\"b\",le=\"+Inf\"} 0\n"
      "lat_count{route=\"b\"} 0\n"
      "lat_sum{route=\"b\"} 0\n"
      "# TYPE rpc summary\n"
      "rpc{shard=\"1\",quantile=\"1\"} NaN\n"
      "rpc{quantile=\"0\",shard=\"1\"} NaN\n"
      "rpc_sum{shard=\"1\"} 0\n"
      "rpc_count{shard=\"1\"} 0\n"
      "rpc_sum{shard=\"2\"} -4.5\n"  // a summary without quantiles is fine
      "rpc_count{shard=\"2\"} 2\n";
  std::vector<PromFamily> f = parse_prometheus_text(text);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].type, "histogram");
  EXPECT_EQ(f[0].samples.size(), 9u);
  EXPECT_EQ(f[1].type, "summary");
  ASSERT_EQ(f[1].samples.size(), 6u);
  EXPECT_TRUE(std::isnan(f[1].samples[0].value));
  EXPECT_EQ(f[1].samples[4].value, -4.5);
}

struct Valid {
  const char* what;
  std::string text;
  std::string name;          // of the first family
  std::string help, type;    // of the first family
  size_t samples;            // of the first family
  double value;              // of the first sample
  Labels labels;             // of the first sample
  std::optional<int64_t> timestamp_ms;
};

TEST(PrometheusText, ValidLinesReadAsTheSpecSays) {
  const Valid cases[] = {
      {"empty lines and whitespace-only lines are skipped", "\n  \n\t\nm 1\n\n", "m", "", "untyped", 1, 1, {}, {}},
      {"leading and trailing blanks and tabs are ignored", " \t m 1 \t\n", "m", "", "untyped", 1, 1, {}, {}},
      {"tokens separated by several blanks and tabs", "m \t {a = \"x\" , b=\"y\"}\t 2 \t 7\n", "m", "", "untyped",
       1, 2, {{"a", "x"}, {"b", "y"}}, 7},
      {"a trailing comma in the label set", "m{a=\"x\",} 1\n", "m", "", "untyped", 1, 1, {{"a", "x"}}, {}},
      {"a label value may hold any UTF-8, braces, commas, '='", "m{a=\"caf\xC3\xA9 {,=} #\"} 1\n", "m", "",
       "untyped", 1, 1, {{"a", "caf\xC3\xA9 {,=} #"}}, {}},
      {"an empty label value", "m{a=\"\"} 1\n", "m", "", "untyped", 1, 1, {{"a", ""}}, {}},
      {"colons in metric names", ":ns:m_1 1\n", ":ns:m_1", "", "untyped", 1, 1, {}, {}},
      {"a label name starting with one underscore", "m{_a=\"1\"} 1\n", "m", "", "untyped", 1, 1, {{"_a", "1"}}, {}},
      {"a value right after '}'", "m{a=\"1\"}5\n", "m", "", "untyped", 1, 5, {{"a", "1"}}, {}},
      {"float forms", "m -1.5e-3\n", "m", "", "untyped", 1, -1.5e-3, {}, {}},
      {"a leading plus and a bare point", "m +.5\n", "m", "", "untyped", 1, 0.5, {}, {}},
      {"an integer with a trailing point", "m 3.\n", "m", "", "untyped", 1, 3, {}, {}},
      {"-Inf", "m -Inf\n", "m", "", "untyped", 1, -kInf, {}, {}},
      {"a timestamp with a plus sign", "m 1 +12\n", "m", "", "untyped", 1, 1, {}, 12},
      {"the largest int64 timestamp", "m 1 9223372036854775807\n", "m", "", "untyped", 1, 1, {},
       std::numeric_limits<int64_t>::max()},
      {"HELP escapes \\\\ and \\n; other text as is", "# HELP m a \\\\ b\\nc \"q\" caf\xC3\xA9\nm 1\n", "m",
       "a \\ b\nc \"q\" caf\xC3\xA9", "untyped", 1, 1, {}, {}},
      {"HELP with no text", "# HELP m\nm 1\n", "m", "", "untyped", 1, 1, {}, {}},
      {"HELP text after several blanks; trailing blanks ignored", "# HELP m \t  the text  \nm 1\n", "m",
       "the text", "untyped", 1, 1, {}, {}},
      {"TYPE before HELP", "# TYPE m gauge\n# HELP m h\nm -2\n", "m", "h", "gauge", 1, -2, {}, {}},
      {"a tab after '#'", "#\tTYPE m gauge\nm 1\n", "m", "", "gauge", 1, 1, {}, {}},
      {"other comments anywhere, even between samples", "# hi\n#\n#HELPER\n# TYPE m gauge\n# x\nm{a=\"1\"} 1\n"
       "# help m lowercase is a comment\nm{a=\"2\"} 2\n", "m", "", "gauge", 2, 1, {{"a", "1"}}, {}},
      {"a counter of zero, named without _total", "# TYPE requests counter\nrequests 0\n", "requests", "",
       "counter", 1, 0, {}, {}},
      {"a counter at +Inf", "# TYPE c_total counter\nc_total +Inf\n", "c_total", "", "counter", 1, kInf, {}, {}},
      {"a family declared without samples, then another", "# HELP a x\n# TYPE a gauge\n# TYPE b gauge\nb 1\n", "a",
       "x", "gauge", 0, 0, {}, {}},
      {"a family declared without samples at the end", "# TYPE a counter\n", "a", "", "counter", 0, 0, {}, {}},
      {"untyped samples after a histogram start their own family",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\nh_total 5\n", "h", "", "histogram", 3, 1,
       {{"le", "+Inf"}}, {}},
      {"same name, different label sets", "m{a=\"1\"} 1\nm{a=\"2\"} 1\nm 1\n", "m", "", "untyped", 3, 1,
       {{"a", "1"}}, {}},
  };
  for (const Valid& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<PromFamily> f;
    try {
      f = parse_prometheus_text(c.text);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f[0].name, c.name);
    EXPECT_EQ(f[0].help, c.help);
    EXPECT_EQ(f[0].type, c.type);
    ASSERT_EQ(f[0].samples.size(), c.samples);
    if (c.samples == 0) continue;
    EXPECT_EQ(f[0].samples[0].value, c.value);
    EXPECT_EQ(f[0].samples[0].labels, c.labels);
    EXPECT_EQ(f[0].samples[0].timestamp_ms, c.timestamp_ms);
  }
}

TEST(PrometheusText, EmptyTextHasNoFamilies) {
  EXPECT_TRUE(parse_prometheus_text("").empty());
  EXPECT_TRUE(parse_prometheus_text("\n# only a comment\n").empty());
}

TEST(PrometheusText, UntypedFamiliesFollowOneAnother) {
  std::vector<PromFamily> f = parse_prometheus_text("a 1\nb 2\nb{x=\"1\"} 3\nc 4\n");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].name, "a");
  EXPECT_EQ(f[1].name, "b");
  EXPECT_EQ(f[1].samples.size(), 2u);
  EXPECT_EQ(f[2].name, "c");
}

struct Invalid {
  const char* rule;
  std::string text;
  size_t line;
  const char* why;  // a part of the message
};

TEST(PrometheusText, EachRuleRejectsAMinimalBadExampleOnItsLine) {
  const Invalid cases[] = {
      // The text and its lines.
      {"the text ends with a line feed", "a 1\nb 2", 2, "must end with a line feed"},
      {"a single line without its line feed", "a 1", 1, "must end with a line feed"},
      {"no \\r\\n line endings", "a 1\r\n", 1, "\\r\\n"},
      {"UTF-8", "# HELP a caf\xE9\na 1\n", 1, "invalid UTF-8"},
      {"UTF-8 in label values", "a 1\nb{x=\"\xC0\xAF\"} 1\n", 2, "invalid UTF-8"},

      // Metric names.
      {"a metric name cannot start with a digit", "1a 1\n", 1, "must start with a metric name"},
      {"a metric name holds no '-'", "a-b 1\n", 1, "invalid character '-' in metric name"},
      {"a metric name holds no '.'", "a.b 1\n", 1, "invalid character '.'"},
      {"a line cannot start with '{'", "{a=\"1\"} 1\n", 1, "must start with a metric name"},
      {"HELP metric name grammar", "# HELP 1a x\n", 1, "invalid metric name '1a'"},
      {"TYPE metric name grammar", "# TYPE a-b gauge\n", 1, "invalid metric name 'a-b'"},

      // Label names.
      {"a label name cannot start with a digit", "a{1x=\"1\"} 1\n", 1, "invalid label name '1x'"},
      {"a label name holds no ':'", "a{x:y=\"1\"} 1\n", 1, "expected '=' after label name 'x'"},
      {"the __ prefix is reserved", "a{__name__=\"a\"} 1\n", 1, "starts with __"},
      {"a label appears once", "a{x=\"1\",x=\"2\"} 1\n", 1, "label 'x' appears twice"},
      {"braces hold at least one label", "a{} 1\n", 1, "empty label set"},
      {"no label after a lone comma", "a{,} 1\n", 1, "expected a label name"},
      {"no doubled comma", "a{x=\"1\",,y=\"2\"} 1\n", 1, "expected a label name"},
      {"commas between labels", "a{x=\"1\" y=\"2\"} 1\n", 1, "expected ',' or '}'"},
      {"the label set is closed", "a{x=\"1\" 1\n", 1, "expected ',' or '}'"},

      // Label values.
      {"label values are quoted", "a{x=1} 1\n", 1, "must be in double quotes"},
      {"label values are double-quoted", "a{x='1'} 1\n", 1, "must be in double quotes"},
      {"a label value is terminated", "a{x=\"1} 1\n", 1, "unterminated value of label 'x'"},
      {"an escaped quote does not end the value", "a{x=\"1\\\"} 1\n", 1, "unterminated"},
      {"only \\\\ \\\" \\n escapes: not \\t", "a{x=\"\\t\"} 1\n", 1, "invalid escape \\t"},
      {"only \\\\ \\\" \\n escapes: not \\u", "a{x=\"\\u0041\"} 1\n", 1, "invalid escape \\u"},

      // Values.
      {"a sample has a value", "a\n", 1, "has no value"},
      {"a labeled sample has a value", "a{x=\"1\"}\n", 1, "has no value"},
      {"a value is a number", "a one\n", 1, "invalid sample value 'one'"},
      {"Inf needs its sign", "a Inf\n", 1, "invalid sample value 'Inf'"},
      {"NaN is spelled NaN", "a nan\n", 1, "invalid sample value 'nan'"},
      {"+Inf is spelled +Inf", "a +inf\n", 1, "invalid sample value '+inf'"},
      {"no hexadecimal floats", "a 0x1p3\n", 1, "invalid sample value '0x1p3'"},
      {"no digit separators", "a 1_000\n", 1, "invalid sample value '1_000'"},
      {"no exponent without digits", "a 1e\n", 1, "invalid sample value '1e'"},
      {"no bare point", "a .\n", 1, "invalid sample value '.'"},
      {"no value beyond a double", "a 1e400\n", 1, "invalid sample value '1e400'"},
      {"no comma decimal", "a 1,5\n", 1, "invalid sample value '1,5'"},

      // Timestamps.
      {"a timestamp is an integer", "a 1 1.5\n", 1, "invalid timestamp '1.5'"},
      {"a timestamp fits in int64", "a 1 9223372036854775808\n", 1, "invalid timestamp"},
      {"a timestamp has one sign", "a 1 +-5\n", 1, "invalid timestamp '+-5'"},
      {"nothing after the timestamp", "a 1 2 3\n", 1, "unexpected '3' after the timestamp"},

      // HELP and TYPE lines.
      {"HELP names a metric", "# HELP\n", 1, "HELP without a metric name"},
      {"HELP escapes only \\\\ and \\n", "# HELP a x\\ty\na 1\n", 1, "invalid escape \\t in HELP"},
      {"HELP: no lone backslash at the end", "# HELP a x\\\na 1\n", 1, "lone backslash"},
      {"TYPE names a metric", "# TYPE\n", 1, "TYPE without a metric name"},
      {"TYPE has a type", "# TYPE a\n", 1, "without a type"},
      {"TYPE among the five", "# TYPE a timer\n", 1, "unknown metric type 'timer'"},
      {"TYPE is lowercase", "# TYPE a Counter\n", 1, "unknown metric type 'Counter'"},
      {"TYPE has exactly two tokens", "# TYPE a gauge extra\n", 1, "unexpected 'extra'"},
      {"a blank between # and HELP", "#HELP a x\na 1\n", 1, "needs a blank after '#'"},
      {"a blank between # and TYPE", "#TYPE a gauge\na 1\n", 1, "needs a blank after '#'"},
      {"one HELP per family", "# HELP a x\n# HELP a y\na 1\n", 2, "a second HELP for 'a'"},
      {"one TYPE per family", "# TYPE a gauge\n# TYPE a gauge\na 1\n", 2, "a second TYPE for 'a'"},
      {"one TYPE per family, HELP between", "# TYPE a gauge\n# HELP a x\n# TYPE a counter\na 1\n", 3,
       "a second TYPE"},
      {"HELP before the samples", "# TYPE a gauge\na 1\n# HELP a x\n", 3, "after its first sample (line 2)"},
      {"TYPE before the samples", "a 1\n# TYPE a gauge\n", 2, "after its first sample (line 1)"},

      // Families: contiguous, every sample in the family declared before it.
      {"a sample belongs to the family declared just before", "# TYPE a gauge\nb 1\n", 2,
       "does not belong to gauge family 'a'"},
      {"a sample belongs to the family HELP declared just before", "# HELP a x\na_total 1\n", 2,
       "does not belong to untyped family 'a'"},
      {"a histogram's samples are _bucket, _sum, _count", "# TYPE h histogram\nh 1\n", 2,
       "expected h_bucket, h_sum or h_count"},
      {"a summary's samples are name, _sum, _count", "# TYPE s summary\ns_bucket 1\n", 2,
       "expected s, s_sum or s_count"},
      {"a counter's samples carry the family name", "# TYPE c counter\nc_total 1\n", 2,
       "does not belong to counter family 'c'"},
      {"samples of a family are contiguous", "a 1\nb 1\na{x=\"1\"} 1\n", 3, "family 'a' appears again (first at line 1)"},
      {"a declared family does not reappear", "# TYPE a gauge\na 1\nb 1\n# HELP a x\n", 4, "appears again"},
      {"a histogram sample after its family closed",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\nb 1\nh_sum{x=\"1\"} 1\n", 6,
       "already a sample name of family 'h'"},
      {"a histogram's family name as a sample after it",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\nh 2\n", 5,
       "is not a sample of histogram family 'h'"},
      {"a family named like another family's sample",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n# TYPE h_count gauge\n", 5,
       "already a sample name of family 'h'"},
      {"a sample named like an earlier family", "h_count 1\n# TYPE h summary\nh_count 1\n", 3,
       "is the name of another family (line 1)"},

      // Duplicates.
      {"no duplicate sample", "a 1\na 2\n", 2, "duplicate sample 'a'{} (first at line 1)"},
      {"no duplicate sample, labels in another order", "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 1\n", 2,
       "duplicate sample"},
      {"an empty label value is no label", "a 1\na{x=\"\"} 1\n", 2, "duplicate sample"},
      {"no duplicate histogram bucket",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", 3,
       "duplicate sample 'h_bucket'"},

      // Counters.
      {"a counter is not negative", "# TYPE c counter\nc -1\n", 2, "counters are >= 0"},
      {"a counter is not NaN", "# TYPE c_total counter\nc_total NaN\n", 2, "counters are >= 0"},
      {"a counter is not -Inf", "# TYPE c counter\nc{x=\"1\"} 1\nc{x=\"2\"} -Inf\n", 3, "counters are >= 0"},

      // Histograms.
      {"a bucket carries le", "# TYPE h histogram\nh_bucket 1\n", 2, "without an 'le' label"},
      {"a bucket's le is not empty", "# TYPE h histogram\nh_bucket{le=\"\"} 1\n", 2, "without an 'le' label"},
      {"a bucket's le is a float", "# TYPE h histogram\nh_bucket{le=\"big\"} 1\n", 2, "invalid bucket bound"},
      {"a bucket's le is not NaN", "# TYPE h histogram\nh_bucket{le=\"NaN\"} 1\n", 2, "invalid bucket bound"},
      {"a bucket count is not negative", "# TYPE h histogram\nh_bucket{le=\"1\"} -1\n", 2, "is not >= 0"},
      {"_sum carries no le", "# TYPE h histogram\nh_sum{le=\"1\"} 1\n", 2, "must not carry an 'le' label"},
      {"_count carries no le", "# TYPE h histogram\nh_count{le=\"1\"} 1\n", 2, "must not carry an 'le' label"},
      {"_count is not negative", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count -1\n", 4,
       "histogram count -1 is not >= 0"},
      {"buckets are cumulative",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"2\"} 4\nh_bucket{le=\"+Inf\"} 5\nh_sum 3\nh_count 5\n",
       3, "bucket le=2 counts 4, less than bucket le=1 (5)"},
      {"buckets are cumulative in le order, not text order",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 5\nh_bucket{le=\"2\"} 4\nh_bucket{le=\"1\"} 5\nh_sum 3\nh_count 5\n",
       3, "less than bucket le=1"},
      {"the +Inf bucket is cumulative too",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 4\nh_sum 3\nh_count 4\n", 3,
       "bucket le=+Inf counts 4"},
      {"two buckets with the same bound, spelled differently",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
       3, "two buckets with le=1"},
      {"a +Inf bucket", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", 2,
       "has no le=\"+Inf\" bucket"},
      {"a +Inf bucket even without any bucket", "# TYPE h histogram\nh_sum 1\nh_count 1\n", 2,
       "has no le=\"+Inf\" bucket"},
      {"the +Inf bucket equals _count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", 4,
       "h_count is 3 but the le=\"+Inf\" bucket counts 2 (line 2)"},
      {"_sum present", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", 2, "has no h_sum"},
      {"_count present", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n", 2, "has no h_count"},
      {"_sum and _count per label set",
       "# TYPE h histogram\nh_bucket{x=\"a\",le=\"+Inf\"} 1\nh_sum{x=\"a\"} 1\nh_count{x=\"a\"} 1\n"
       "h_bucket{x=\"b\",le=\"+Inf\"} 1\nh_sum{x=\"b\"} 1\nh_count{x=\"a\",y=\"b\"} 1\n",
       5, "histogram 'h'{x=\"b\"} has no h_count"},
      {"+Inf per label set",
       "# TYPE h histogram\nh_bucket{x=\"a\",le=\"+Inf\"} 1\nh_sum{x=\"a\"} 1\nh_count{x=\"a\"} 1\n"
       "h_bucket{x=\"b\",le=\"1\"} 1\nh_sum{x=\"b\"} 1\nh_count{x=\"b\"} 1\n",
       5, "histogram 'h'{x=\"b\"} has no le=\"+Inf\" bucket"},
      {"buckets cumulative per label set, not across",
       "# TYPE h histogram\nh_bucket{x=\"a\",le=\"1\"} 9\nh_bucket{x=\"a\",le=\"+Inf\"} 9\nh_sum{x=\"a\"} 1\n"
       "h_count{x=\"a\"} 9\nh_bucket{x=\"b\",le=\"2\"} 1\nh_bucket{x=\"b\",le=\"1\"} 2\n",
       6, "bucket le=2 counts 1, less than bucket le=1 (2)"},

      // Summaries.
      {"a quantile sample carries quantile", "# TYPE s summary\ns 1\n", 2, "without a 'quantile' label"},
      {"quantile is a number", "# TYPE s summary\ns{quantile=\"median\"} 1\n", 2, "is not a number in [0, 1]"},
      {"quantile is not above 1", "# TYPE s summary\ns{quantile=\"1.5\"} 1\n", 2, "quantile=\"1.5\" is not"},
      {"quantile is not below 0", "# TYPE s summary\ns{quantile=\"-0.1\"} 1\n", 2, "is not a number in [0, 1]"},
      {"quantile is not NaN", "# TYPE s summary\ns{quantile=\"NaN\"} 1\n", 2, "is not a number in [0, 1]"},
      {"_sum carries no quantile", "# TYPE s summary\ns_sum{quantile=\"0.5\"} 1\n", 2,
       "must not carry a 'quantile' label"},
      {"_count is not negative", "# TYPE s summary\ns_sum 1\ns_count -2\n", 3, "summary count -2 is not >= 0"},
      {"_sum present", "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_count 1\n", 2, "summary 's'{} has no s_sum"},
      {"_count present", "# TYPE s summary\ns_sum 1\n", 2, "has no s_count"},
      {"_sum and _count per label set",
       "# TYPE s summary\ns_sum{x=\"a\"} 1\ns_count{x=\"a\"} 1\ns{x=\"b\",quantile=\"0.5\"} 1\ns_count{x=\"b\"} 1\n", 4,
       "summary 's'{x=\"b\"} has no s_sum"},
      {"two equal quantiles in a label set",
       "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.50\"} 1\ns_sum 1\ns_count 1\n", 3,
       "two quantiles equal to 0.5"},

      // The first error wins, with the line of that error.
      {"an error deep in a longer text",
       "# HELP ok fine\n# TYPE ok gauge\nok{a=\"1\"} 1\nok{a=\"2\"} 2\n\n# comment\nbad{a=\"3\"} x\n", 7,
       "invalid sample value 'x'"},
  };
  for (const Invalid& c : cases) {
    SCOPED_TRACE(c.rule);
    std::string error = error_of(c.text);
    std::string prefix = "line " + std::to_string(c.line) + ": ";
    EXPECT_EQ(error.compare(0, prefix.size(), prefix), 0) << "got: " << error;
    EXPECT_NE(error.find(c.why), std::string::npos) << "got: " << error;
  }
}

}  // namespace
