// Typed options: a declared option reaches its struct member with its type,
// its default, and only its own name; bad values are config errors with the
// value's position; a schema that cannot say "not given" is refused.
#include "engine/config/typed_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/config/compiler.h"
#include "engine/config/plugin_docs.h"
#include "engine/plugin.h"
#include "engine/text/byte_size.h"

namespace logpipe {
namespace {

enum class Mode { Tail, Read };

struct Sample {
  std::string host;
  std::optional<std::string> label;
  int port = 0;
  std::optional<int64_t> limit;
  double ratio = 0;
  bool verbose = false;
  std::vector<std::string> paths;
  Object extra;
  Duration interval;
  std::optional<Duration> idle;
  Bytes chunk;
  Password secret;
  Mode mode = Mode::Tail;
};

const OptionSchema<Sample>& sample_schema() {
  static const OptionSchema<Sample> schema = [] {
    OptionSchema<Sample> s;
    s.string("host", &Sample::host, "h").fallback("127.0.0.1");
    s.string("label", &Sample::label, "l");
    s.integer("port", &Sample::port, "p").fallback(5044).range(1, 65535);
    s.integer("limit", &Sample::limit, "n");
    s.number("ratio", &Sample::ratio, "r").fallback(0.5);
    s.boolean("verbose", &Sample::verbose, "v").fallback(false);
    s.strings("paths", &Sample::paths, "paths");
    s.hash("extra", &Sample::extra, "extra");
    s.duration("interval", &Sample::interval, 1, "i").fallback("250ms");
    s.duration("idle", &Sample::idle, 86400, "days when bare");
    s.bytes("chunk", &Sample::chunk, "c").fallback("32 KiB");
    s.password("secret", &Sample::secret, "s").fallback("changeme");
    s.enumeration("mode", &Sample::mode, {{"tail", Mode::Tail}, {"read", Mode::Read}}, "m").fallback("tail");
    return s;
  }();
  return schema;
}

// What the compiler hands a plugin: the given values, then the defaults.
Settings checked(const OptionSchema<Sample>& schema, std::initializer_list<std::pair<const char*, Value>> given) {
  Settings s;
  for (auto& [k, v] : given) s.set(k, v);
  for (auto& spec : schema.specs())
    if (!s.has(spec.name) && spec.default_value) s.set(spec.name, *spec.default_value);
  return s;
}

TEST(TypedOptions, DefaultsReachTheirMembersAndUngivenOptionalsStayEmpty) {
  Sample o = sample_schema().bind(checked(sample_schema(), {}));
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_FALSE(o.label);
  EXPECT_EQ(o.port, 5044);
  EXPECT_FALSE(o.limit);
  EXPECT_EQ(o.ratio, 0.5);
  EXPECT_FALSE(o.verbose);
  EXPECT_TRUE(o.paths.empty());
  EXPECT_EQ(o.interval.milliseconds(), 250);
  EXPECT_FALSE(o.idle);
  EXPECT_EQ(o.chunk.count, 32u * 1024);
  EXPECT_EQ(o.secret.reveal(), "changeme");
  EXPECT_EQ(o.mode, Mode::Tail);
}

TEST(TypedOptions, GivenValuesReachTheirMembersWithTheirTypes) {
  Object extra;
  extra.set("k", Value("v"));
  Array paths;
  paths.push_back(Value("/a"));
  paths.push_back(Value("/b"));
  Sample o = sample_schema().bind(checked(
      sample_schema(), {{"label", Value("x")}, {"port", Value(int64_t{9})}, {"limit", Value(int64_t{-3})},
                        {"verbose", Value(true)}, {"paths", Value(paths)}, {"extra", Value(extra)},
                        {"interval", Value(int64_t{2})}, {"idle", Value(int64_t{14})}, {"chunk", Value("10mb")},
                        {"mode", Value("read")}}));
  EXPECT_EQ(o.label, "x");
  EXPECT_EQ(o.port, 9);
  EXPECT_EQ(o.limit, -3);
  EXPECT_TRUE(o.verbose);
  EXPECT_EQ(o.paths, (std::vector<std::string>{"/a", "/b"}));
  ASSERT_NE(o.extra.find("k"), nullptr);
  EXPECT_EQ(o.interval.seconds, 2);
  ASSERT_TRUE(o.idle);
  EXPECT_EQ(o.idle->seconds, 14 * 86400.0);  // a bare number in the option's unit: days
  EXPECT_EQ(o.chunk.count, 10000000u);
  EXPECT_EQ(o.mode, Mode::Read);
}

TEST(TypedOptions, SpecsCarryTypesRangesUnitsAndTheEnumeration) {
  OptionSpecs specs = sample_schema().specs();
  auto find = [&](const std::string& name) -> const OptionSpec& {
    for (auto& s : specs)
      if (s.name == name) return s;
    throw std::runtime_error("no option " + name);
  };
  EXPECT_EQ(find("port").type, OptionType::Number);
  EXPECT_TRUE(find("port").whole_number);
  EXPECT_EQ(option_range_text(find("port")), "between 1 and 65535");
  EXPECT_EQ(find("idle").type, OptionType::Duration);
  EXPECT_EQ(find("idle").duration_unit, 86400);
  EXPECT_EQ(find("chunk").type, OptionType::Bytes);
  EXPECT_EQ(find("secret").type, OptionType::Password);
  EXPECT_EQ(find("mode").allowed, (std::vector<std::string>{"tail", "read"}));
}

TEST(TypedOptions, AScalarWithoutDefaultThatIsNotRequiredIsAProgrammingError) {
  struct Bad {
    int port = 0;
  };
  OptionSchema<Bad> s;
  s.integer("port", &Bad::port, "p");
  EXPECT_THROW(s.specs(), std::logic_error);
  OptionSchema<Bad> required;
  required.integer("port", &Bad::port, "p").required();
  EXPECT_NO_THROW(required.specs());
}

TEST(TypedOptions, ADefaultOfTheWrongTypeOrADuplicateNameIsAProgrammingError) {
  struct Bad {
    int port = 0;
    std::string mode;
  };
  OptionSchema<Bad> s;
  s.integer("port", &Bad::port, "p").fallback("many");
  EXPECT_THROW(s.specs(), std::logic_error);
  OptionSchema<Bad> e;
  e.string("mode", &Bad::mode, "m").fallback("sideways").one_of({"tail", "read"});
  EXPECT_THROW(e.specs(), std::logic_error);
  OptionSchema<Bad> twice;
  twice.integer("port", &Bad::port, "p").fallback(1);
  EXPECT_THROW(twice.string("port", &Bad::mode, "m"), std::logic_error);
}

TEST(TypedOptions, AnIntegerTooLargeForItsMemberIsRefusedByName) {
  struct Small {
    int16_t n = 0;
  };
  OptionSchema<Small> s;
  s.integer("n", &Small::n, "n").fallback(1);
  Settings settings;
  settings.set("n", Value(int64_t{70000}));
  try {
    s.bind(settings);
    FAIL() << "70000 fitted in an int16_t";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.option, "n");
    EXPECT_NE(std::string(e.what()).find("between -32768 and 32767"), std::string::npos) << e.what();
  }
}

TEST(ByteSize, LogstashUnits) {
  struct Case {
    const char* text;
    std::optional<uint64_t> bytes;
  } cases[] = {
      {"1113", 1113},          {"10 KiB", 10240},      {"100kib", 102400},  {"10kb", 10000},
      {"180 mb", 180000000},   {"2MiB", 2u << 20},     {"1.5 KiB", 1536},   {"40B", 40},
      {"40 b", 40},            {"1 GiB", 1u << 30},    {"3 TB", 3000000000000}, {"1.5", std::nullopt},
      {"", std::nullopt},      {"ten", std::nullopt},  {"10 kilobytes", std::nullopt},
      {"10k", std::nullopt},   {"20000 EiB", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(parse_byte_size(c.text), c.bytes) << c.text;
}

// Through the real compiler and real plugins: the value's own position.
std::string config_error(const std::string& text) {
  try {
    config::load_pipeline({config::SourceFile{"p.conf", text}});
  } catch (const config::ConfigException& e) {
    std::string all;
    for (auto& err : e.errors)
      all += err.loc.file + ":" + std::to_string(err.loc.line) + ":" + std::to_string(err.loc.column) + ": " +
             err.message + "\n";
    return all;
  }
  return "";
}

// Every plugin option that names a field reports a bad reference the same way:
// the option, the text quoted once, and why.
TEST(TypedOptionsInConfigs, AFieldReferenceThatDoesNotParseIsNamedOnceWithWhy) {
  struct Case {
    const char* plugin;
    const char* option;
  };
  const Case cases[] = {{"json", "source => \"[a\""},          {"kv", "target => \"[a\""},
                        {"date", "match => [\"[a\", \"ISO8601\"]"}, {"split", "field => \"[a\""},
                        {"mutate", "copy => { \"[a\" => \"b\" }"},   {"dissect", "mapping => { \"[a\" => \"%{x}\" }"},
                        {"useragent", "source => \"[a\""},     {"grok", "match => { \"[a\" => \"%{WORD:w}\" }"},
                        {"translate", "source => \"[a\" target => \"t\" dictionary => { \"x\" => \"y\" }"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.plugin);
    std::string error = config_error(std::string("filter { ") + c.plugin + " { " + c.option + " } }");
    EXPECT_NE(error.find("invalid field reference '[a': unbalanced brackets\n"), std::string::npos) << error;
    EXPECT_EQ(error.find("invalid field reference"), error.rfind("invalid field reference")) << error;
  }
  std::string empty = config_error("filter { json { source => \"\" } }");
  EXPECT_NE(empty.find("invalid field reference '': empty\n"), std::string::npos) << empty;
}

TEST(TypedOptionsInConfigs, RangesWholeNumbersDurationsAndSizesAreCheckedWhereTheValueIs) {
  EXPECT_EQ(config_error("input {\n  tcp { port => 70000 }\n}\noutput { stdout {} }"),
            "p.conf:2:17: option \"port\" of input tcp must be between 0 and 65535, got 70000\n");
  EXPECT_EQ(config_error("input { tcp { port => 5.5 } } output { stdout {} }"),
            "p.conf:1:23: option \"port\" of input tcp expects a whole number, got 5.5\n");
  EXPECT_EQ(config_error("input { tcp { port => \"5044\" } } output { elasticsearch { timeout => \"soon\" } }"),
            "p.conf:1:70: option \"timeout\" of output elasticsearch expects a duration (e.g. 15, 250ms, 60 "
            "sec, 1 hour, 14 days), got \"soon\"\n");
  EXPECT_EQ(config_error("input { tcp { port => 1 } } output { elasticsearch { bulk_max_bytes => \"1 KB\" } }"),
            "p.conf:1:72: option \"bulk_max_bytes\" of output elasticsearch must be at least 1024 bytes, got "
            "\"1 KB\"\n");
  EXPECT_EQ(config_error("input { tcp { port => 1 } } output { elasticsearch { bulk_max_bytes => \"lots\" } }"),
            "p.conf:1:72: option \"bulk_max_bytes\" of output elasticsearch expects a size (e.g. 1048576, "
            "\"512 KiB\", \"20mib\", \"10mb\"), got \"lots\"\n");
  // Accepted: whole floats, friendly durations, sizes with units.
  EXPECT_EQ(config_error("input { tcp { port => 5044.0 } } output { elasticsearch { timeout => \"90 sec\" "
                         "bulk_max_bytes => \"8 MiB\" } }"),
            "");
}

TEST(TypedOptionsInConfigs, EveryPluginSchemaIsSoundAndItsDocsShowUnitsAndRanges) {
  // Building every plugin's specs runs each schema's own checks.
  for (auto& p : plugin_registry()) EXPECT_NO_THROW(p.all_options()) << p.name;
  std::string tcp = plugin_help("tcp");
  EXPECT_NE(tcp.find("port (integer, default required)\n      Port to listen on. Must be between 0 and 65535."),
            std::string::npos)
      << tcp;
  std::string es = plugin_help("elasticsearch");
  EXPECT_NE(es.find("timeout (duration (number: seconds), default 60)"), std::string::npos) << es;
  EXPECT_NE(es.find("password (password, default -)"), std::string::npos) << es;
}

}  // namespace
}  // namespace logpipe
